"""差价订单 (补下单) and 评价."""

from django.db import transaction

from orders.exceptions import InvalidInput, InvalidTransition, NotAllowed
from orders.models import (
    Order,
    OrderMode,
    OrderReview,
    OrderStatusChange,
)
from orders.services.common import S, _clean_money, _lock, _tell_seller, is_buyer, next_order_number

# --- 差价订单 -------------------------------------------------------------------------------

DIFFERENCE_PARENT_STATUSES = (S.IN_SERVICE, S.COMPLETED)


@transaction.atomic
def create_difference_order(order_id, *, actor, amount, note: str = "") -> Order:
    """补下单 (差价订单): a 通用 order's enterprise adds a difference order linked to it,
    before the original enters a redemption application (manual §5.6.2 rule 4)."""
    parent = _lock(order_id)
    if not is_buyer(actor, parent):
        raise NotAllowed("您无权为该订单补下单")
    if parent.mode != OrderMode.TONGYONG or parent.parent_id:
        raise InvalidTransition("只有通用券订单可以补下单（差价订单）")
    if parent.status not in DIFFERENCE_PARENT_STATUSES:
        raise InvalidTransition(f"订单当前状态为“{parent.get_status_display()}”，不能补下单")
    amount = _clean_money(amount, "差价金额")
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput("备注不能超过200个字")
    child = Order.objects.create(
        number=next_order_number(),
        enterprise_id=parent.enterprise_id,
        buyer=actor,
        institution_id=parent.institution_id,
        sub_unit_id=parent.sub_unit_id,
        item_id=parent.item_id,
        category_id=parent.category_id,
        item_name=f"{parent.item_name}（差价订单）"[:100],
        institution_name=parent.institution_name,
        sub_unit_name=parent.sub_unit_name,
        price_type=parent.price_type,
        unit_price=amount,
        unit=parent.unit,
        quantity=1,
        mode=parent.mode,
        voucher_id=parent.voucher_id,
        policy_id=parent.policy_id,
        amount=amount,
        amount_confirmed=False,
        parent=parent,
        note=note,
        status=parent.status,
        completed_at=parent.completed_at,
    )
    OrderStatusChange.objects.create(
        order=child, from_status="", to_status=child.status, action="补下单", actor=actor, note=f"原订单{parent.number}"
    )
    OrderStatusChange.objects.create(
        order=parent,
        from_status=parent.status,
        to_status=parent.status,
        action="补下单",
        actor=actor,
        note=f"差价订单{child.number}，金额{amount}元",
    )
    _tell_seller(child, f"订单: {parent.number} 已补下差价订单 {child.number}（{amount}元）")
    return child


# --- 评价 -------------------------------------------------------------------------------


@transaction.atomic
def review_order(order_id, *, actor, rating, comment: str = "") -> OrderReview:
    order = _lock(order_id)
    if not is_buyer(actor, order):
        raise NotAllowed("您无权评价该订单")
    if order.status not in (S.COMPLETED, S.REDEEMING, S.REDEEMED):
        raise InvalidTransition("订单完成后才能评价")
    if OrderReview.objects.filter(order=order).exists():
        raise InvalidTransition("该订单已评价")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise InvalidInput("请选择1-5分的评分") from None
    if not 1 <= rating <= 5:
        raise InvalidInput("请选择1-5分的评分")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise InvalidInput("评价内容不能超过500个字")
    review = OrderReview.objects.create(
        order=order,
        item_id=order.item_id,
        institution_id=order.institution_id,
        enterprise_id=order.enterprise_id,
        author=actor,
        rating=rating,
        comment=comment,
    )
    OrderStatusChange.objects.create(
        order=order, from_status=order.status, to_status=order.status, action="评价", actor=actor, note=f"{rating}分"
    )
    _tell_seller(order, f"订单: {order.number} 买家已评价（{rating}分）")
    return review
