"""The voucher ledger (DESIGN §6): every movement of a voucher's money.

Rules every function here keeps:
- it runs in one transaction and locks the voucher row first (``select_for_update``), so
  concurrent calls on one voucher are serialized and ``remaining`` never goes below zero
  (the database also rejects it: CheckConstraints on Voucher and VoucherHold);
- it is idempotent by ``key``: a replay returns the entry already written and changes
  nothing (a replay with different arguments raises ``IdempotencyConflict``);
- amounts are positive Decimals with at most two decimals (``InvalidAmount`` otherwise).

Holds belong to a cause ``(cause_type, cause_id)``: "order", "application",
"redemption"... A cause holds on one voucher at a time; releases and consumes never
exceed what the cause holds there. After expiry or void, holds stay until their causes
finish: a later consume still works, a later release expires (or voids) the released
amount at once (an extra entry with key ``<key>:expire``) and returns it to the budget.
"""

import secrets
import string
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.utils import timezone

from accounts import audit
from vouchers.exceptions import (
    BudgetExceeded,
    CauseHoldsOtherVoucher,
    HoldExceeded,
    IdempotencyConflict,
    InsufficientBalance,
    InvalidAmount,
    InvalidTransition,
    VoucherError,
    VoucherNotUsable,
)
from vouchers.models import LedgerEntry, Voucher, VoucherHold, VoucherProgramme, VoucherStatusChange
from vouchers.money import ZERO, round_money

Kind = LedgerEntry.Kind
Status = Voucher.Status

CLASS_LETTERS = {"tongyong": "U", "tongdui": "D"}
NUMBER_ALPHABET = string.ascii_uppercase + string.digits


def clean_amount(amount) -> Decimal:
    if isinstance(amount, float):
        raise InvalidAmount("金额不能使用浮点数")
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidAmount() from None
    if not value.is_finite() or value <= 0 or round_money(value) != value:
        raise InvalidAmount()
    return round_money(value)


def _lock_voucher(voucher_id) -> Voucher:
    try:
        return Voucher.objects.select_for_update().get(pk=voucher_id)
    except (Voucher.DoesNotExist, ValueError, TypeError):
        raise VoucherError("创新券不存在") from None


def _replay(key: str, voucher_id, kind: str, amount: Decimal, cause_type: str, cause_id) -> LedgerEntry | None:
    entry = LedgerEntry.objects.filter(idempotency_key=key).first()
    if entry is None:
        return None
    same = (entry.voucher_id, entry.kind, entry.amount, entry.cause_type, entry.cause_id) == (
        int(voucher_id),
        kind,
        amount,
        cause_type,
        int(cause_id),
    )
    if not same:
        raise IdempotencyConflict()
    return entry


def _entry(voucher, kind, amount, cause_type, cause_id, key, actor, note="") -> LedgerEntry:
    audit.record(
        f"voucher_ledger.{kind}",
        voucher,
        after={"amount": amount, "cause": f"{cause_type}:{cause_id}", "key": key},
        region_id=voucher.region_id,
        note=note,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    return LedgerEntry.objects.create(
        voucher=voucher,
        kind=kind,
        amount=amount,
        cause_type=cause_type,
        cause_id=int(cause_id),
        idempotency_key=key,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )


def _hold_row(voucher, cause_type, cause_id) -> VoucherHold:
    row = VoucherHold.objects.select_for_update().filter(voucher=voucher, cause_type=cause_type, cause_id=cause_id)
    return row.first() or VoucherHold(voucher=voucher, cause_type=cause_type, cause_id=int(cause_id), amount=ZERO)


def _save_hold_row(row: VoucherHold) -> None:
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise CauseHoldsOtherVoucher() from None


def _save_amounts(voucher: Voucher) -> None:
    voucher.save(
        update_fields=["held_amount", "consumed_amount", "expired_amount", "voided_amount", "remaining_amount"]
    )


def _return_to_budget(programme_id, amount: Decimal) -> None:
    if amount > 0:
        VoucherProgramme.objects.select_for_update().filter(pk=programme_id).update(
            budget_used=F("budget_used") - amount
        )


# --- status ---------------------------------------------------------------------------


def _move_status(voucher: Voucher, to_status: str, *, actor=None, note: str = "") -> None:
    if to_status not in Voucher.TRANSITIONS[voucher.status]:
        raise InvalidTransition(
            f"创新券{voucher.number}当前状态为“{voucher.get_status_display()}”，不能变为“{Status(to_status).label}”"
        )
    VoucherStatusChange.objects.create(
        voucher=voucher,
        from_status=voucher.status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )
    audit.record(
        "voucher.status",
        voucher,
        before={"status": voucher.status},
        after={"status": to_status},
        region_id=voucher.region_id,
        note=note,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    voucher.status = to_status
    voucher.save(update_fields=["status"])


def _sync_used_up(voucher: Voucher, actor=None) -> None:
    if voucher.status == Status.ACTIVE and voucher.remaining_amount == 0:
        _move_status(voucher, Status.USED_UP, actor=actor, note="券剩余金额为0")
    elif voucher.status == Status.USED_UP and voucher.remaining_amount > 0:
        _move_status(voucher, Status.ACTIVE, actor=actor, note="冻结金额解冻，恢复有效")


@transaction.atomic
def change_voucher_status(voucher_id, to_status: str, *, actor=None, note: str = "") -> Voucher:
    """The one status function for vouchers. Expiry and void move money, so they go
    through ``expire_voucher`` / ``void_voucher``; 有效 ⇄ 已用完 follow the balance."""
    voucher = _lock_voucher(voucher_id)
    if to_status not in Voucher.TRANSITIONS[voucher.status]:
        label = Status(to_status).label if to_status in Status.values else to_status
        raise InvalidTransition(f"创新券{voucher.number}当前状态为“{voucher.get_status_display()}”，不能变为“{label}”")
    if to_status == Status.EXPIRED:
        expire_voucher(voucher.pk, actor=actor, force=True)
    elif to_status == Status.VOID:
        void_voucher(voucher.pk, actor=actor, note=note)
    else:
        if to_status == Status.USED_UP and voucher.remaining_amount > 0:
            raise InvalidTransition("券剩余金额大于0，不能标记为已用完")
        if to_status == Status.ACTIVE and voucher.remaining_amount == 0:
            raise InvalidTransition("券剩余金额为0，不能恢复为有效")
        _move_status(voucher, to_status, actor=actor, note=note)
    voucher.refresh_from_db()
    return voucher


# --- issue ----------------------------------------------------------------------------


def generate_voucher_number(year: int, kind: str, region_code: str) -> str:
    """16 characters like the manual's 2021QMAS0A9SE8CC: year, class letter (U 通用券,
    D 通兑券), the region's three-letter code, eight random uppercase alphanumerics."""
    suffix = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"{year:04d}{CLASS_LETTERS.get(kind, 'U')}{region_code.upper()[:3]:<3}{suffix}"


def issue_voucher(
    *,
    programme_id,
    enterprise,
    amount,
    cause_type: str,
    cause_id,
    key: str,
    valid_until,
    actor=None,
    application=None,
    number: str | None = None,
    source: str = Voucher.Source.APPLICATION,
) -> Voucher:
    """Issue a voucher: draws on the programme's budget (row lock), writes the "issue"
    entry. A given ``number`` (import) must be free; otherwise one is generated (retried
    on the rare collision)."""
    amount = clean_amount(amount)
    with transaction.atomic():
        programme = VoucherProgramme.objects.select_for_update().select_related("region").get(pk=programme_id)
        # Checked under the programme's lock: a concurrent replay waits and then finds it.
        existing = LedgerEntry.objects.filter(idempotency_key=key).select_related("voucher").first()
        if existing is not None:
            return existing.voucher
        if amount > programme.budget_remaining:
            raise BudgetExceeded(f"超出区域创新券项目预算：剩余预算{programme.budget_remaining}元，需发放{amount}元")
        programme.budget_used += amount
        programme.save(update_fields=["budget_used"])
        voucher = None
        for _attempt in range(10):
            candidate = number or generate_voucher_number(programme.year, programme.kind, programme.region.code)
            try:
                with transaction.atomic():
                    voucher = Voucher.objects.create(
                        number=candidate,
                        enterprise=enterprise,
                        region=programme.region,
                        programme=programme,
                        application=application,
                        source=source,
                        kind=programme.kind,
                        year=programme.year,
                        issued_amount=amount,
                        remaining_amount=amount,
                        valid_until=valid_until,
                    )
                break
            except IntegrityError:
                if number:
                    raise VoucherError(f"券号{number}已存在") from None
        if voucher is None:  # pragma: no cover - ten collisions in 36**8
            raise VoucherError("券号生成失败，请重试")
        VoucherStatusChange.objects.create(
            voucher=voucher, from_status="", to_status=Status.ACTIVE, actor=actor, note="发放"
        )
        _entry(voucher, Kind.ISSUE, amount, cause_type, cause_id, key, actor)
        return voucher


# --- holds ----------------------------------------------------------------------------


def _hold(voucher, amount, cause_type, cause_id, key, actor, *, check_status=True) -> LedgerEntry:
    if check_status:
        if voucher.status not in (Status.ACTIVE, Status.USED_UP):
            raise VoucherNotUsable(f"创新券{voucher.number}状态为“{voucher.get_status_display()}”，不能冻结金额")
        if voucher.valid_until < timezone.localdate():
            raise VoucherNotUsable(f"创新券{voucher.number}已超过有效期")
    if amount > voucher.remaining_amount:
        raise InsufficientBalance(f"券剩余金额不足：剩余{voucher.remaining_amount}元，需冻结{amount}元")
    if (
        VoucherHold.objects.filter(cause_type=cause_type, cause_id=cause_id, amount__gt=0)
        .exclude(voucher=voucher)
        .exists()
    ):
        raise CauseHoldsOtherVoucher()
    row = _hold_row(voucher, cause_type, cause_id)
    row.amount += amount
    _save_hold_row(row)
    voucher.held_amount += amount
    voucher.remaining_amount -= amount
    _save_amounts(voucher)
    entry = _entry(voucher, Kind.HOLD, amount, cause_type, cause_id, key, actor)
    _sync_used_up(voucher, actor)
    return entry


def _take_from_hold(voucher, amount, cause_type, cause_id, verb: str) -> VoucherHold:
    row = _hold_row(voucher, cause_type, cause_id)
    if amount > row.amount:
        raise HoldExceeded(f"{verb}金额{amount}元超出该业务在创新券{voucher.number}上的冻结金额{row.amount}元")
    row.amount -= amount
    row.save()
    return row


def _release(voucher, amount, cause_type, cause_id, key, actor) -> LedgerEntry:
    _take_from_hold(voucher, amount, cause_type, cause_id, "解冻")
    voucher.held_amount -= amount
    voucher.remaining_amount += amount
    _save_amounts(voucher)
    entry = _entry(voucher, Kind.RELEASE, amount, cause_type, cause_id, key, actor)
    if voucher.status in (Status.EXPIRED, Status.VOID):
        # The voucher is finished: what comes back goes straight to the region's budget.
        kind = Kind.EXPIRE if voucher.status == Status.EXPIRED else Kind.VOID
        if kind == Kind.EXPIRE:
            voucher.expired_amount += amount
        else:
            voucher.voided_amount += amount
        voucher.remaining_amount -= amount
        _save_amounts(voucher)
        _entry(voucher, kind, amount, cause_type, cause_id, f"{key}:{kind}", actor, note="失效后解冻")
        _return_to_budget(voucher.programme_id, amount)
    else:
        _sync_used_up(voucher, actor)
    return entry


@transaction.atomic
def voucher_hold(voucher_id, amount, *, cause_type: str, cause_id, key: str, actor=None) -> LedgerEntry:
    """Hold ``amount`` of the voucher's remaining amount for a cause (e.g. 确认额度 of an order)."""
    amount = clean_amount(amount)
    voucher = _lock_voucher(voucher_id)
    if entry := _replay(key, voucher.pk, Kind.HOLD, amount, cause_type, cause_id):
        return entry
    return _hold(voucher, amount, cause_type, cause_id, key, actor)


@transaction.atomic
def voucher_release(voucher_id, amount, *, cause_type: str, cause_id, key: str, actor=None) -> LedgerEntry:
    """Give back (part of) what a cause holds: it returns to the remaining amount."""
    amount = clean_amount(amount)
    voucher = _lock_voucher(voucher_id)
    if entry := _replay(key, voucher.pk, Kind.RELEASE, amount, cause_type, cause_id):
        return entry
    return _release(voucher, amount, cause_type, cause_id, key, actor)


@transaction.atomic
def voucher_consume(voucher_id, amount, *, cause_type: str, cause_id, key: str, actor=None) -> LedgerEntry:
    """Spend (part of) what a cause holds: held → consumed (核定金额 of a redemption).
    Allowed after expiry too: a hold made in time may still be settled."""
    amount = clean_amount(amount)
    voucher = _lock_voucher(voucher_id)
    if entry := _replay(key, voucher.pk, Kind.CONSUME, amount, cause_type, cause_id):
        return entry
    _take_from_hold(voucher, amount, cause_type, cause_id, "使用")
    voucher.held_amount -= amount
    voucher.consumed_amount += amount
    _save_amounts(voucher)
    return _entry(voucher, Kind.CONSUME, amount, cause_type, cause_id, key, actor)


def consumed_by(voucher_id, cause_type: str, cause_id) -> Decimal:
    """What a cause has consumed on a voucher and not had reversed (0.00 if nothing)."""
    signed = Case(
        When(kind=Kind.CONSUME, then="amount"),
        When(kind=Kind.REVERSE, then=-1 * F("amount")),
        default=Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    entries = LedgerEntry.objects.filter(voucher_id=voucher_id, cause_type=cause_type, cause_id=cause_id)
    return entries.aggregate(total=Sum(signed))["total"] or ZERO


@transaction.atomic
def voucher_reverse_consume(voucher_id, amount, *, cause_type: str, cause_id, key: str, actor=None) -> LedgerEntry:
    """Undo (part of) a cause's consumption: consumed → held by the same cause again (an
    objection upheld during 公示, before anything was paid). The remaining amount is
    unchanged; the cause then releases or consumes the hold as usual."""
    amount = clean_amount(amount)
    voucher = _lock_voucher(voucher_id)
    if entry := _replay(key, voucher.pk, Kind.REVERSE, amount, cause_type, cause_id):
        return entry
    consumed = consumed_by(voucher.pk, cause_type, cause_id)
    if amount > consumed:
        raise HoldExceeded(f"撤销金额{amount}元超出该业务在创新券{voucher.number}上的已使用金额{consumed}元")
    row = _hold_row(voucher, cause_type, cause_id)
    row.amount += amount
    _save_hold_row(row)
    voucher.consumed_amount -= amount
    voucher.held_amount += amount
    _save_amounts(voucher)
    return _entry(voucher, Kind.REVERSE, amount, cause_type, cause_id, key, actor)


def held_for(voucher_id, cause_type: str, cause_id) -> Decimal:
    """What a cause currently holds on a voucher (0.00 if nothing)."""
    row = VoucherHold.objects.filter(voucher_id=voucher_id, cause_type=cause_type, cause_id=cause_id).first()
    return row.amount if row else ZERO


@transaction.atomic
def transfer_hold(voucher_id, amount, from_cause: tuple[str, int], to_cause: tuple[str, int], key: str, actor=None):
    """Move ``amount`` held by ``from_cause`` to ``to_cause`` on the same voucher (an
    order's hold moving to a 通用 redemption application), as a "release" entry of the
    first cause (key ``<key>:release``) and a "hold" entry of the second (``<key>:hold``)
    in one transaction; the remaining amount is unchanged, and it works on an expired
    voucher too. Returns the hold entry; a replay returns it and changes nothing."""
    amount = clean_amount(amount)
    voucher = _lock_voucher(voucher_id)
    from_type, from_id = from_cause
    to_type, to_id = to_cause
    if entry := _replay(f"{key}:hold", voucher.pk, Kind.HOLD, amount, to_type, to_id):
        return entry
    _take_from_hold(voucher, amount, from_type, from_id, "转移")
    _entry(voucher, Kind.RELEASE, amount, from_type, from_id, f"{key}:release", actor, note="转移冻结")
    if VoucherHold.objects.filter(cause_type=to_type, cause_id=to_id, amount__gt=0).exclude(voucher=voucher).exists():
        raise CauseHoldsOtherVoucher()
    row = _hold_row(voucher, to_type, to_id)
    row.amount += amount
    _save_hold_row(row)
    return _entry(voucher, Kind.HOLD, amount, to_type, to_id, f"{key}:hold", actor, note="转移冻结")


# --- expiry and void ------------------------------------------------------------------


@transaction.atomic
def expire_voucher(voucher_id, *, today=None, actor=None, force: bool = False) -> bool:
    """Expire a voucher past its validity (or now, with ``force``): its remaining amount
    becomes an "expire" entry and goes back to the programme's budget. Holds stay until
    their causes finish (see the module doc). Returns False if there was nothing to do,
    so running it twice is harmless."""
    from messaging.models import Message
    from messaging.services import notify

    voucher = _lock_voucher(voucher_id)
    today = today or timezone.localdate()
    if voucher.status not in (Status.ACTIVE, Status.USED_UP):
        return False
    if not force and voucher.valid_until >= today:
        return False
    amount = voucher.remaining_amount
    if amount > 0:
        voucher.expired_amount += amount
        voucher.remaining_amount = ZERO
        _save_amounts(voucher)
        _entry(voucher, Kind.EXPIRE, amount, "expiry", voucher.pk, f"expire:{voucher.pk}", actor)
        _return_to_budget(voucher.programme_id, amount)
    _move_status(voucher, Status.EXPIRED, actor=actor, note=f"有效期至{voucher.valid_until}，已过期")
    for user in enterprise_recipients(voucher.enterprise_id):
        notify(
            user,
            Message.Kind.VOUCHER,
            f"您的创新券({voucher.kind_label}: {voucher.number})已过期, 未使用的{amount}元已失效!!",
            link=voucher.get_absolute_url(),
        )
    return True


@transaction.atomic
def void_voucher(voucher_id, *, actor=None, note: str = "") -> Voucher:
    """作废: only a voucher with nothing held; the remaining amount returns to the budget."""
    voucher = _lock_voucher(voucher_id)
    if Status.VOID not in Voucher.TRANSITIONS[voucher.status]:
        raise InvalidTransition(f"创新券{voucher.number}当前状态为“{voucher.get_status_display()}”，不能作废")
    if voucher.held_amount > 0:
        raise InvalidTransition(f"创新券{voucher.number}尚有冻结金额{voucher.held_amount}元，不能作废")
    amount = voucher.remaining_amount
    if amount > 0:
        voucher.voided_amount += amount
        voucher.remaining_amount = ZERO
        _save_amounts(voucher)
        _entry(voucher, Kind.VOID, amount, "void", voucher.pk, f"void:{voucher.pk}", actor, note=note[:200])
        _return_to_budget(voucher.programme_id, amount)
    _move_status(voucher, Status.VOID, actor=actor, note=note or "作废")
    return voucher


def enterprise_recipients(enterprise_id):
    """Who receives an enterprise's 站内信: its administrator (all members if none)."""
    from accounts.models import User

    members = User.objects.filter(enterprise_membership__enterprise_id=enterprise_id, is_active=True)
    return list(members.filter(enterprise_membership__is_admin=True)) or list(members)
