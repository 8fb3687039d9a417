"""Expiry and reminders (Celery beat tasks): idempotent, budget returned, holds kept."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from enterprises.selectors import enterprise_for_user
from messaging.models import Message
from tests.factories import make_voucher
from vouchers import tasks
from vouchers.exceptions import InvalidTransition
from vouchers.models import Voucher, VoucherProgramme
from vouchers.selectors import ledger_differences
from vouchers.services import change_voucher_status, voucher_hold

pytestmark = pytest.mark.django_db
D = Decimal


def set_valid_until(voucher, days: int):
    Voucher.objects.filter(pk=voucher.pk).update(valid_until=timezone.localdate() + datetime.timedelta(days=days))


def test_expiry_task_expires_once_and_returns_budget(buyer_a):
    enterprise = enterprise_for_user(buyer_a)
    due = make_voucher(enterprise, "1000.00")
    fresh = make_voucher(enterprise, "1000.00", programme=due.programme)
    voucher_hold(due.pk, D("200.00"), cause_type="order", cause_id=1, key="k")
    set_valid_until(due, -1)
    assert tasks.expire_vouchers() == 1
    assert tasks.expire_vouchers() == 0  # safe to run twice
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert due.status == "expired" and due.expired_amount == D("800.00") and due.held_amount == D("200.00")
    assert fresh.status == "active"
    assert VoucherProgramme.objects.get(pk=due.programme_id).budget_used == D("1200.00")
    assert Message.objects.filter(recipient=buyer_a, kind="voucher", text__contains="已过期").count() == 1
    assert due.history.last().to_status == "expired"
    assert ledger_differences() == []


def test_reminders_30_and_7_days_before_once_each(buyer_a):
    enterprise = enterprise_for_user(buyer_a)
    v = make_voucher(enterprise, "1000.00")
    set_valid_until(v, 40)
    assert tasks.remind_expiring_vouchers() == 0
    set_valid_until(v, 30)
    assert tasks.remind_expiring_vouchers() == 1
    assert tasks.remind_expiring_vouchers() == 0
    set_valid_until(v, 7)
    assert tasks.remind_expiring_vouchers() == 1
    assert tasks.remind_expiring_vouchers() == 0
    texts = list(Message.objects.filter(recipient=buyer_a, kind="voucher").values_list("text", flat=True))
    assert len(texts) == 2 and "还有30天" in texts[0] and "还有7天" in texts[1]
    v.refresh_from_db()
    assert v.reminder_30_sent_at and v.reminder_7_sent_at


def test_late_first_reminder_is_the_7_day_one_only(buyer_a):
    v = make_voucher(enterprise_for_user(buyer_a), "1000.00")
    set_valid_until(v, 5)
    assert tasks.remind_expiring_vouchers() == 1
    assert tasks.remind_expiring_vouchers() == 0


def test_status_table(buyer_a):
    v = make_voucher(enterprise_for_user(buyer_a), "1000.00")
    with pytest.raises(InvalidTransition):
        change_voucher_status(v.pk, "used_up")
    with pytest.raises(InvalidTransition):
        change_voucher_status(v.pk, "active")
    change_voucher_status(v.pk, "void", note="作废")
    for target in ("active", "used_up", "expired", "void"):
        with pytest.raises(InvalidTransition):
            change_voucher_status(v.pk, target)
    v2 = make_voucher(enterprise_for_user(buyer_a), "1000.00")
    change_voucher_status(v2.pk, "expired")
    v2.refresh_from_db()
    assert v2.status == "expired" and v2.remaining_amount == 0
    with pytest.raises(InvalidTransition):
        change_voucher_status(v2.pk, "void")
