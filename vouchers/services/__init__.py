"""Every write of the vouchers app. Other apps import from here.

Ledger API (vouchers/services/ledger.py; amounts are Decimal, positive, at most 2 places):

    voucher_hold(voucher_id, amount, *, cause_type, cause_id, key, actor=None) -> LedgerEntry
    voucher_release(voucher_id, amount, *, cause_type, cause_id, key, actor=None) -> LedgerEntry
    voucher_consume(voucher_id, amount, *, cause_type, cause_id, key, actor=None) -> LedgerEntry
    voucher_reverse_consume(voucher_id, amount, *, cause_type, cause_id, key, actor=None) -> LedgerEntry
        consumed → held by the same cause again (异议成立 after 审核通过)
    held_for(voucher_id, cause_type, cause_id) -> Decimal
    consumed_by(voucher_id, cause_type, cause_id) -> Decimal
    transfer_hold(voucher_id, amount, from_cause, to_cause, key, actor=None) -> LedgerEntry
        from_cause / to_cause are (cause_type, cause_id) tuples; written as a release entry
        (key "<key>:release") and a hold entry (key "<key>:hold"); returns the hold entry.

Each locks the voucher row, is idempotent by ``key`` (a replay returns the stored entry;
a replay with other arguments raises IdempotencyConflict) and raises a VoucherError
subclass from vouchers.exceptions with a Chinese message: InsufficientBalance (hold >
remaining or voucher 已用完), HoldExceeded (release/consume/transfer > the cause's hold,
a reversal > what the cause consumed),
CauseHoldsOtherVoucher, VoucherNotUsable (hold on an expired/void voucher or past
valid_until), InvalidAmount. Rounding: vouchers.money.round_money / voucher_share.
"""

from vouchers.services.applications import (
    apply_blocker,
    approve_application,
    reject_application,
    resubmit_application,
    return_application,
    submit_application,
)
from vouchers.services.expiry import expire_due_vouchers, send_expiry_reminders
from vouchers.services.imports import import_vouchers
from vouchers.services.ledger import (
    change_voucher_status,
    clean_amount,
    consumed_by,
    expire_voucher,
    generate_voucher_number,
    held_for,
    issue_voucher,
    transfer_hold,
    void_voucher,
    voucher_consume,
    voucher_hold,
    voucher_release,
    voucher_reverse_consume,
)
from vouchers.services.programmes import save_programme

__all__ = [
    "apply_blocker",
    "approve_application",
    "expire_due_vouchers",
    "import_vouchers",
    "reject_application",
    "resubmit_application",
    "return_application",
    "save_programme",
    "send_expiry_reminders",
    "submit_application",
    "change_voucher_status",
    "clean_amount",
    "consumed_by",
    "expire_voucher",
    "generate_voucher_number",
    "held_for",
    "issue_voucher",
    "transfer_hold",
    "void_voucher",
    "voucher_consume",
    "voucher_hold",
    "voucher_release",
    "voucher_reverse_consume",
]
