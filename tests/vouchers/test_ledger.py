"""The voucher ledger services: holds, releases, consumes, idempotency, domain errors."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import EnterpriseFactory, make_programme, make_voucher
from vouchers import exceptions as ex
from vouchers.models import LedgerEntry, Voucher, VoucherHold
from vouchers.money import round_money, voucher_share
from vouchers.selectors import ledger_differences
from vouchers.services import (
    expire_voucher,
    held_for,
    transfer_hold,
    void_voucher,
    voucher_consume,
    voucher_hold,
    voucher_release,
)

pytestmark = pytest.mark.django_db

D = Decimal


def hold(v, amount, cause_id=1, key=None, cause_type="order"):
    return voucher_hold(v.pk, D(amount), cause_type=cause_type, cause_id=cause_id, key=key or f"h-{cause_id}-{amount}")


def test_round_money_and_share():
    assert round_money(D("0.005")) == D("0.01")
    assert round_money(D("2.345")) == D("2.35")
    assert round_money(D("-2.345")) == D("-2.35")
    with pytest.raises(TypeError):
        round_money(1.5)
    assert voucher_share(D("6000"), D("0.5"), D("100000")) == D("3000.00")
    assert voucher_share(D("333.33"), D("0.5"), D("1000")) == D("166.67")
    assert voucher_share(D("6000"), D("0.5"), D("1200.50")) == D("1200.50")
    assert voucher_share(D("6000"), D("0.5"), D("-1")) == D("0.00")


def test_issue_hold_release_consume_keep_balance():
    v = make_voucher(amount="1000.00")
    assert (v.issued_amount, v.remaining_amount, v.status) == (D("1000.00"), D("1000.00"), Voucher.Status.ACTIVE)
    assert len(v.number) == 16 and v.number[4] == "D" and v.number[5:8] == "WJI"
    assert v.programme.budget_used == D("1000.00") or v.programme.__class__.objects.get().budget_used == D("1000.00")

    e = hold(v, "600.00")
    assert e.kind == LedgerEntry.Kind.HOLD and e.amount == D("600.00")
    v.refresh_from_db()
    assert (v.held_amount, v.remaining_amount) == (D("600.00"), D("400.00"))
    assert held_for(v.pk, "order", 1) == D("600.00")

    voucher_consume(v.pk, D("500.00"), cause_type="order", cause_id=1, key="c1")
    voucher_release(v.pk, D("100.00"), cause_type="order", cause_id=1, key="r1")
    v.refresh_from_db()
    assert (v.held_amount, v.consumed_amount, v.remaining_amount) == (D("0.00"), D("500.00"), D("500.00"))
    assert held_for(v.pk, "order", 1) == D("0.00")
    assert ledger_differences() == []
    call_command("check_vouchers")


def test_hold_more_than_remaining_is_refused_and_changes_nothing():
    v = make_voucher(amount="100.00")
    with pytest.raises(ex.InsufficientBalance, match="券剩余金额不足"):
        hold(v, "100.01")
    v.refresh_from_db()
    assert v.remaining_amount == D("100.00") and not LedgerEntry.objects.filter(kind="hold").exists()


@pytest.mark.parametrize("bad", ["0", "-1", "1.001", "abc", None, 1.5])
def test_bad_amounts(bad):
    v = make_voucher(amount="100.00")
    with pytest.raises(ex.InvalidAmount):
        voucher_hold(v.pk, bad, cause_type="order", cause_id=1, key="k")


def test_release_or_consume_beyond_the_causes_hold():
    v = make_voucher(amount="1000.00")
    hold(v, "300.00", cause_id=1)
    hold(v, "300.00", cause_id=2)
    with pytest.raises(ex.HoldExceeded, match="冻结金额"):
        voucher_release(v.pk, D("300.01"), cause_type="order", cause_id=1, key="r")
    with pytest.raises(ex.HoldExceeded):
        voucher_consume(v.pk, D("10"), cause_type="order", cause_id=3, key="c")
    with pytest.raises(ex.HoldExceeded):
        voucher_consume(v.pk, D("10"), cause_type="application", cause_id=1, key="c2")
    assert held_for(v.pk, "order", 1) == D("300.00")


def test_a_cause_holds_on_one_voucher_only():
    e = EnterpriseFactory()
    programme = make_programme()
    v1 = make_voucher(e, "100.00", programme=programme)
    v2 = make_voucher(e, "100.00", programme=programme)
    hold(v1, "10", cause_id=7)
    with pytest.raises(ex.CauseHoldsOtherVoucher):
        hold(v2, "10", cause_id=7, key="other")
    hold(v1, "5", cause_id=7, key="top-up")  # topping up on the same voucher is fine
    assert held_for(v1.pk, "order", 7) == D("15.00")
    voucher_release(v1.pk, D("15"), cause_type="order", cause_id=7, key="rel")
    hold(v2, "10", cause_id=7, key="now-free")  # once released, it may hold elsewhere


def test_replayed_key_is_applied_once_and_conflicting_replay_refused():
    v = make_voucher(amount="1000.00")
    first = hold(v, "100.00", key="same")
    again = hold(v, "100.00", key="same")
    assert first.pk == again.pk
    v.refresh_from_db()
    assert v.held_amount == D("100.00")
    with pytest.raises(ex.IdempotencyConflict):
        hold(v, "200.00", key="same")
    r1 = voucher_release(v.pk, D("50"), cause_type="order", cause_id=1, key="rel")
    r2 = voucher_release(v.pk, D("50"), cause_type="order", cause_id=1, key="rel")
    assert r1.pk == r2.pk and held_for(v.pk, "order", 1) == D("50.00")


def test_used_up_and_back_to_active():
    v = make_voucher(amount="100.00")
    hold(v, "100.00")
    v.refresh_from_db()
    assert v.status == Voucher.Status.USED_UP
    with pytest.raises(ex.InsufficientBalance):
        hold(v, "1", cause_id=2)
    voucher_release(v.pk, D("40"), cause_type="order", cause_id=1, key="r")
    v.refresh_from_db()
    assert v.status == Voucher.Status.ACTIVE and v.remaining_amount == D("40.00")
    assert list(v.history.values_list("to_status", flat=True)) == ["active", "used_up", "active"]


def test_transfer_hold_moves_between_causes():
    v = make_voucher(amount="1000.00")
    hold(v, "300.00", cause_id=1)
    e = transfer_hold(v.pk, D("200.00"), ("order", 1), ("redemption", 9), "move-1")
    again = transfer_hold(v.pk, D("200.00"), ("order", 1), ("redemption", 9), "move-1")
    assert e.pk == again.pk
    assert held_for(v.pk, "order", 1) == D("100.00")
    assert held_for(v.pk, "redemption", 9) == D("200.00")
    v.refresh_from_db()
    assert (v.held_amount, v.remaining_amount) == (D("300.00"), D("700.00"))
    with pytest.raises(ex.HoldExceeded):
        transfer_hold(v.pk, D("100.01"), ("order", 1), ("redemption", 9), "move-2")
    assert ledger_differences() == []


def test_expiry_keeps_holds_and_a_later_release_expires_too():
    import datetime

    v = make_voucher(amount="1000.00", valid_days=-1)
    Voucher.objects.filter(pk=v.pk).update(valid_until=datetime.date.today() + datetime.timedelta(days=5))
    hold(v, "300.00")
    Voucher.objects.filter(pk=v.pk).update(valid_until=datetime.date(2000, 1, 1))
    assert expire_voucher(v.pk) is True
    assert expire_voucher(v.pk) is False  # twice is harmless
    v.refresh_from_db()
    assert (v.status, v.remaining_amount, v.expired_amount, v.held_amount) == ("expired", 0, D("700.00"), D("300.00"))
    assert v.programme.__class__.objects.get(pk=v.programme_id).budget_used == D("300.00")
    with pytest.raises(ex.VoucherNotUsable):
        hold(v, "1", cause_id=2)
    voucher_consume(v.pk, D("100"), cause_type="order", cause_id=1, key="c")
    voucher_release(v.pk, D("200"), cause_type="order", cause_id=1, key="r")
    v.refresh_from_db()
    assert (v.remaining_amount, v.expired_amount, v.consumed_amount, v.held_amount) == (0, D("900.00"), D("100.00"), 0)
    assert v.programme.__class__.objects.get(pk=v.programme_id).budget_used == D("100.00")
    assert ledger_differences() == []


def test_void_needs_no_holds_and_returns_budget():
    v = make_voucher(amount="100.00")
    hold(v, "10")
    with pytest.raises(ex.InvalidTransition, match="冻结金额"):
        void_voucher(v.pk)
    voucher_release(v.pk, D("10"), cause_type="order", cause_id=1, key="r")
    void_voucher(v.pk, note="重复发放")
    v.refresh_from_db()
    assert v.status == "void" and v.voided_amount == D("100.00")
    with pytest.raises(ex.InvalidTransition):
        void_voucher(v.pk)
    assert ledger_differences() == []


def test_check_command_fails_on_a_difference():
    v = make_voucher(amount="100.00")
    hold(v, "10")
    # Tamper with the stored amounts (bypassing the services) but keep the row balanced.
    Voucher.objects.filter(pk=v.pk).update(held_amount=D("20.00"), remaining_amount=D("80.00"))
    with pytest.raises(CommandError):
        call_command("check_vouchers")
    assert any("held_amount" in p for p in ledger_differences())
    VoucherHold.objects.all().delete()
