"""Every write of the vouchers app. Other apps import from here:

from vouchers.services import voucher_hold, voucher_release, voucher_consume, held_for, transfer_hold
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
