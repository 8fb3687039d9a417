"""Periodic voucher work (Celery beat); each task calls one service and is safe to run twice."""

from celery import shared_task

from vouchers.services import expiry


@shared_task(acks_late=True, ignore_result=True)
def expire_vouchers() -> int:
    return expiry.expire_due_vouchers()


@shared_task(acks_late=True, ignore_result=True)
def remind_expiring_vouchers() -> int:
    return expiry.send_expiry_reminders()


@shared_task(acks_late=True, ignore_result=True)
def check_ledger() -> int:
    """Nightly: stored amounts against the ledger; differences go to the platform administrators."""
    from vouchers.services.ledger_check import report_ledger_differences

    return len(report_ledger_differences())
