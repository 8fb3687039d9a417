"""Nightly ledger check (DESIGN §6, issue 10): differences between stored amounts and the
ledger go to the platform administrators as a 站内信 and an e-mail (through the outbox)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from messaging.models import Message
from messaging.services import notify
from vouchers.selectors import ledger_differences

MAX_LINES = 5


def platform_administrators():
    User = get_user_model()
    return User.objects.filter(Q(is_superuser=True) | Q(role=User.Role.PLATFORM_ADMIN), is_active=True).order_by("pk")


def report_ledger_differences(today=None) -> list[str]:
    """Run the check; when it finds differences, tell every platform administrator once a
    day (a second run on the same day sends nothing new). Returns the differences."""
    problems = ledger_differences()
    if not problems:
        return problems
    today = today or timezone.localdate()
    title = f"创新券流水检查（{today:%Y-%m-%d}）发现{len(problems)}处差异"
    shown = "；".join(problems[:MAX_LINES])
    more = f"；另有{len(problems) - MAX_LINES}处，请运行 check_vouchers 查看全部" if len(problems) > MAX_LINES else ""
    text = f"{title}：{shown}{more}"[:500]
    with transaction.atomic():
        for admin in platform_administrators():
            if Message.objects.filter(recipient=admin, kind=Message.Kind.SYSTEM, text__startswith=title).exists():
                continue
            notify(admin, Message.Kind.SYSTEM, text, link="/admin/vouchers/voucher/", email=True)
    return problems
