"""Order numbers, recipients, actor checks and the one move function `_move`."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from catalog.models import InstitutionStaff
from enterprises.models import EnterpriseMember, RegionAdministrator
from enterprises.selectors import administered_region_ids
from messaging.models import Message
from messaging.services import notify
from orders.exceptions import InvalidInput, InvalidTransition, NotAllowed
from orders.models import (
    FINAL_STATUSES,
    Order,
    OrderMode,
    OrderStatus,
    OrderStatusChange,
    actions_for_mode,
)
from vouchers.money import round_money
from vouchers.services import held_for, voucher_release

CAUSE = "order"
MAX_QUANTITY = 9999
ACCEPT_REMINDER_AFTER = timedelta(days=3)
QUOTA_REMINDER_AFTER = timedelta(days=2)
S = OrderStatus


# --- order numbers ----------------------------------------------------------------------


def next_order_number(now=None) -> str:
    """``CSJ-YYYYMMDDHHMM-NNNNNN`` in Asia/Shanghai time; NNNNNN restarts each day. The
    per-day counter row is incremented with one upsert (row-locked until commit), so
    concurrent orders always get distinct numbers."""
    local = timezone.localtime(now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO orders_ordernumbersequence (day, last_value) VALUES (%s, 1)
            ON CONFLICT (day) DO UPDATE SET last_value = orders_ordernumbersequence.last_value + 1
            RETURNING last_value
            """,
            [local.date()],
        )
        value = cursor.fetchone()[0]
    return f"CSJ-{local:%Y%m%d%H%M}-{value:06d}"


# --- recipients and actors ----------------------------------------------------------------


def buyer_recipients(order: Order) -> list:
    """The ordering user and the enterprise's administrator."""
    users = {}
    if order.buyer_id and order.buyer and order.buyer.is_active:
        users[order.buyer_id] = order.buyer
    for member in EnterpriseMember.objects.filter(enterprise_id=order.enterprise_id, is_admin=True).select_related(
        "user"
    ):
        if member.user.is_active:
            users.setdefault(member.user_id, member.user)
    return list(users.values())


def seller_recipients(order: Order) -> list:
    return [
        staff.user
        for staff in InstitutionStaff.objects.filter(institution_id=order.institution_id).select_related("user")
        if staff.user.is_active
    ]


def admin_recipients(order: Order) -> list:
    region_id = order.enterprise.region_id
    if not region_id:
        return []
    return [
        row.user
        for row in RegionAdministrator.objects.filter(region_id=region_id).select_related("user")
        if row.user.is_active
    ]


def _admin_link(order: Order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def _tell_buyer(order: Order, text: str, kind: str = Message.Kind.ORDER) -> None:
    for user in buyer_recipients(order):
        notify(user, kind, text, link=order.get_absolute_url())


def _tell_seller(order: Order, text: str, kind: str = Message.Kind.ORDER) -> None:
    for user in seller_recipients(order):
        notify(user, kind, text, link=order.get_seller_url())


def _tell_admins(order: Order, text: str) -> None:
    for user in admin_recipients(order):
        notify(user, Message.Kind.ORDER, text, link=_admin_link(order))


def is_buyer(user, order: Order) -> bool:
    return bool(
        user
        and user.is_authenticated
        and EnterpriseMember.objects.filter(user=user, enterprise_id=order.enterprise_id).exists()
    )


def is_seller(user, order: Order) -> bool:
    return bool(
        user
        and user.is_authenticated
        and InstitutionStaff.objects.filter(user=user, institution_id=order.institution_id).exists()
    )


def is_region_admin(user, order: Order) -> bool:
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    region_id = order.enterprise.region_id
    return bool(region_id and region_id in administered_region_ids(user))


ACTOR_CHECKS = {"buyer": is_buyer, "seller": is_seller, "admin": is_region_admin}


# --- the one move function --------------------------------------------------------------


def _lock(order_id) -> Order:
    try:
        return Order.objects.select_for_update(of=("self",)).select_related("enterprise", "buyer").get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise InvalidInput("订单不存在") from None


def _move(order: Order, action: str, actor, note: str = "") -> Order:
    """Check ``action`` in the order's table and the actor, change the status and write the
    history row. The caller holds the row lock (``_lock``)."""
    move = actions_for_mode(order.mode).get(action)
    if move is None or order.mode not in move.modes:
        raise InvalidTransition(f"{order.get_mode_display()}订单不能“{_action_label(action)}”")
    if move.source != order.status:
        raise InvalidTransition(f"订单当前状态为“{order.get_status_display()}”，不能{move.action}")
    check = ACTOR_CHECKS.get(move.actor)
    if check is not None and not check(actor, order):
        raise NotAllowed(f"您无权对该订单执行“{move.action}”")
    from_status = order.status
    order.status = move.target
    order.save()
    OrderStatusChange.objects.create(
        order=order,
        from_status=from_status,
        to_status=move.target,
        action=move.action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:500],
    )
    audit.record(
        f"order.{action}",
        order,
        before={"status": from_status},
        after={"status": move.target, "amount": order.amount, "voucher_share": order.voucher_share},
        region_id=order.enterprise.region_id,
        note=note,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if move.target in FINAL_STATUSES:
        _release_hold(order, actor, action)
    return order


def _action_label(action: str) -> str:
    for table in (actions_for_mode(OrderMode.TONGDUI), actions_for_mode(OrderMode.WUQUAN)):
        if action in table:
            return table[action].action
    return action


def _release_hold(order: Order, actor, action: str) -> None:
    if not order.voucher_id:
        return
    held = held_for(order.voucher_id, CAUSE, order.pk)
    if held > 0:
        voucher_release(
            order.voucher_id,
            held,
            cause_type=CAUSE,
            cause_id=order.pk,
            key=f"order:{order.pk}:release",
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(f"请填写{what}")
    if len(reason) > 500:
        raise InvalidInput(f"{what}不能超过500个字")
    return reason


def _clean_money(value, what: str = "金额", *, allow_zero: bool = False) -> Decimal:
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInput(f"请输入正确的{what}") from None
    if not amount.is_finite() or amount != round_money(amount):
        raise InvalidInput(f"{what}最多两位小数")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidInput(f"{what}必须大于0")
    if amount >= Decimal("1000000000000"):
        raise InvalidInput(f"{what}过大")
    return round_money(amount)
