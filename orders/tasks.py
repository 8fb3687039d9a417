"""Periodic order work (Celery beat); each task calls one service and is safe to run twice
(an order is reminded once: the reminder time is stored on the row)."""

from celery import shared_task

from orders import services


@shared_task(acks_late=True, ignore_result=True)
def remind_pending_accept() -> int:
    """The institution: orders still 待接单 after 3 days."""
    return services.remind_pending_accept()


@shared_task(acks_late=True, ignore_result=True)
def remind_pending_quota() -> int:
    """The buyer region's administrators: orders 待额度确认 after 2 days."""
    return services.remind_pending_quota()
