"""Beat-task reminders: 待接单 after 3 days (institution), 待额度确认 after 2 days (admins)."""

from django.db import transaction
from django.utils import timezone

from orders.models import (
    Order,
)
from orders.services.common import ACCEPT_REMINDER_AFTER, QUOTA_REMINDER_AFTER, S, _tell_admins, _tell_seller

# --- reminders (beat tasks) ---------------------------------------------------------------


def remind_pending_accept(now=None) -> int:
    """Tell the institution once about each order still 待接单 after 3 days."""
    now = now or timezone.now()
    sent = 0
    ids = list(
        Order.objects.filter(
            status=S.PENDING_ACCEPT, created_at__lte=now - ACCEPT_REMINDER_AFTER, accept_reminder_sent_at__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            order = Order.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if order is None or order.status != S.PENDING_ACCEPT or order.accept_reminder_sent_at:
                continue
            order.accept_reminder_sent_at = now
            order.save(update_fields=["accept_reminder_sent_at"])
            _tell_seller(order, f"订单: {order.number} 已超过3天未接单, 请及时处理!!")
            sent += 1
    return sent


def remind_pending_quota(now=None) -> int:
    """Tell the buyer region's administrators once about each order 待额度确认 after 2 days."""
    now = now or timezone.now()
    sent = 0
    ids = list(
        Order.objects.filter(
            status=S.PENDING_QUOTA,
            accepted_at__lte=now - QUOTA_REMINDER_AFTER,
            quota_reminder_sent_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            order = (
                Order.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("enterprise")
                .filter(pk=pk)
                .first()
            )
            if order is None or order.status != S.PENDING_QUOTA or order.quota_reminder_sent_at:
                continue
            order.quota_reminder_sent_at = now
            order.save(update_fields=["quota_reminder_sent_at"])
            _tell_admins(order, f"订单: {order.number} 已超过2天待额度确认, 请及时审核!!")
            sent += 1
    return sent
