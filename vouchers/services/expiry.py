"""Scheduled work on vouchers: expiry past validity and reminders 30 and 7 days before.

Both are safe to run twice or concurrently: expiry re-checks the status under the row
lock, and each reminder is recorded on the voucher (reminder_30_sent_at /
reminder_7_sent_at) under the row lock before its 站内信 is written."""

import datetime

from django.db import transaction
from django.utils import timezone

from messaging.models import Message
from messaging.services import notify
from vouchers.models import Voucher
from vouchers.services.ledger import enterprise_recipients, expire_voucher

LIVE = (Voucher.Status.ACTIVE, Voucher.Status.USED_UP)


def expire_due_vouchers(today=None) -> int:
    """Expire every live voucher whose validity ended before ``today``; returns how many."""
    today = today or timezone.localdate()
    ids = list(Voucher.objects.filter(status__in=LIVE, valid_until__lt=today).values_list("pk", flat=True))
    return sum(1 for pk in ids if expire_voucher(pk, today=today))


def _remind(voucher_id, field: str, days: int, today) -> bool:
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update().filter(pk=voucher_id).first()
        if voucher is None or voucher.status not in LIVE or getattr(voucher, field) is not None:
            return False
        if not (today <= voucher.valid_until <= today + datetime.timedelta(days=days)):
            return False
        now = timezone.now()
        setattr(voucher, field, now)
        fields = [field]
        if field == "reminder_7_sent_at" and voucher.reminder_30_sent_at is None:
            voucher.reminder_30_sent_at = now  # the 30-day reminder is moot now
            fields.append("reminder_30_sent_at")
        voucher.save(update_fields=fields)
        left = (voucher.valid_until - today).days
        for user in enterprise_recipients(voucher.enterprise_id):
            notify(
                user,
                Message.Kind.VOUCHER,
                f"您的科技券({voucher.kind_label}: {voucher.number})将于{voucher.valid_until}到期（还有{left}天）, "
                f"券剩余金额{voucher.remaining_amount}元, 请及时使用!!",
                link=voucher.get_absolute_url(),
            )
        return True


def send_expiry_reminders(today=None) -> int:
    """7-day reminders first (they also settle the 30-day one), then 30-day reminders."""
    today = today or timezone.localdate()
    sent = 0
    for field, days in (("reminder_7_sent_at", 7), ("reminder_30_sent_at", 30)):
        ids = list(
            Voucher.objects.filter(
                status__in=LIVE,
                remaining_amount__gt=0,
                valid_until__gte=today,
                valid_until__lte=today + datetime.timedelta(days=days),
                **{f"{field}__isnull": True},
            ).values_list("pk", flat=True)
        )
        sent += sum(1 for pk in ids if _remind(pk, field, days, today))
    return sent
