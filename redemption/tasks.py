"""Beat tasks (thin: one service each, safe to run twice)."""

from celery import shared_task

from redemption import services


@shared_task(acks_late=True, ignore_result=True)
def end_notice_periods() -> int:
    """公示中 whose 公示期 has ended → 待拨付."""
    return services.end_notice_periods()
