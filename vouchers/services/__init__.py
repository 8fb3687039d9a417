"""Every write of the vouchers app. Other apps import from here:

from vouchers.services import voucher_hold, voucher_release, voucher_consume, held_for, transfer_hold
"""

from vouchers.services.ledger import (
    change_voucher_status,
    clean_amount,
    expire_voucher,
    generate_voucher_number,
    held_for,
    issue_voucher,
    transfer_hold,
    void_voucher,
    voucher_consume,
    voucher_hold,
    voucher_release,
)

__all__ = [
    "change_voucher_status",
    "clean_amount",
    "expire_voucher",
    "generate_voucher_number",
    "held_for",
    "issue_voucher",
    "transfer_hold",
    "void_voucher",
    "voucher_consume",
    "voucher_hold",
    "voucher_release",
]
