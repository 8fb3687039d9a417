"""The status moves of DESIGN §4, one service each (table in orders.models)."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from messaging.models import Message
from orders.exceptions import InvalidInput, InvalidTransition, NotAllowed, QuotaInsufficient
from orders.models import (
    Order,
    actions_for_mode,
)
from orders.services.common import (
    CAUSE,
    S,
    _clean_money,
    _lock,
    _move,
    _reason,
    _tell_admins,
    _tell_buyer,
    _tell_seller,
    is_region_admin,
    is_seller,
)
from vouchers.exceptions import VoucherError
from vouchers.models import Voucher
from vouchers.money import voucher_share
from vouchers.services import held_for, voucher_hold

# --- moves --------------------------------------------------------------------------------


@transaction.atomic
def cancel_order(order_id, *, actor) -> Order:
    """取消订单 (buyer, only while 待接单)."""
    order = _lock(order_id)
    _move(order, "cancel", actor, "买家取消订单")
    _tell_seller(order, f"订单: {order.number} 已被买家取消!!")
    return order


@transaction.atomic
def decline_order(order_id, *, actor, reason: str) -> Order:
    """拒绝接单 (seller, reason)."""
    order = _lock(order_id)
    reason = _reason(reason, "拒绝接单的原因")
    _move(order, "decline", actor, reason)
    order.reason = reason
    order.save(update_fields=["reason", "updated_at"])
    _tell_buyer(order, f"您的订单: {order.number} 机构已拒绝接单, 原因: {reason}")
    return order


@transaction.atomic
def accept_order(order_id, *, actor, amount=None) -> Order:
    """接单 (seller): confirms the amount; for 面议 items the seller sets it. Voucher
    orders go to 待额度确认, 无券 orders to 服务中."""
    order = _lock(order_id)
    if order.price_type == "negotiable" or order.amount is None:
        if amount in (None, ""):
            raise InvalidInput("请填写服务金额")
        order.amount = _clean_money(amount, "服务金额")
    _move(order, "accept", actor, f"确认服务金额{order.amount}元")
    order.amount_confirmed = True
    order.accepted_at = timezone.now()
    order.save(update_fields=["amount", "amount_confirmed", "accepted_at", "updated_at"])
    if order.is_voucher_order:
        _tell_buyer(order, f"您的订单: {order.number} 机构已经接单, 区域管理员正在确认额度!!")
        _tell_admins(order, f"您有待确认额度的订单: {order.number}, 请审核!!")
    else:
        _tell_buyer(order, f"您的订单: {order.number} 机构已经接单, 服务中!!")
    return order


def quota_share(order: Order, remaining=None) -> Decimal:
    """The voucher share 确认额度 would hold now: amount × ratio, capped by what remains."""
    if order.amount is None or not order.voucher_id:
        return Decimal("0.00")
    policy = order.policy or order.enterprise.region.policy_on(timezone.localdate(order.created_at))
    ratio = policy.subsidy_ratio if policy else Decimal("0")
    if remaining is None:
        remaining = order.voucher.remaining_amount
    return voucher_share(order.amount, ratio, remaining)


@transaction.atomic
def confirm_quota(order_id, *, actor) -> Order:
    """确认额度 (administrator of the buyer's region): holds the voucher share."""
    order = _lock(order_id)
    move_check = actions_for_mode(order.mode).get("confirm_quota")
    if move_check and move_check.source == order.status and not is_region_admin(actor, order):
        raise NotAllowed("您无权对该订单执行“确认额度”")
    voucher = Voucher.objects.select_for_update().filter(pk=order.voucher_id).first()
    if voucher is None:
        raise InvalidTransition("无券订单不需要确认额度")
    if order.status != S.PENDING_QUOTA:
        raise InvalidTransition(f"订单当前状态为“{order.get_status_display()}”，不能确认额度")
    if voucher.remaining_amount <= 0:
        raise QuotaInsufficient(f"创新券{voucher.number}已无剩余金额，不能确认额度")
    order.voucher = voucher
    share = quota_share(order, voucher.remaining_amount)
    if share <= 0:
        raise QuotaInsufficient("该订单的券额度为0，不能确认额度")
    try:
        voucher_hold(
            voucher.pk,
            share,
            cause_type=CAUSE,
            cause_id=order.pk,
            key=f"order:{order.pk}:hold",
            actor=actor,
        )
    except VoucherError as error:
        raise QuotaInsufficient(str(error)) from None
    order.voucher_share = share
    order.quota_confirmed_at = timezone.now()
    _move(order, "confirm_quota", actor, f"冻结创新券{voucher.number}额度{share}元")
    text = f"订单: {order.number} 额度已确认（冻结券额度{share}元）, 服务中!!"
    _tell_buyer(order, text)
    _tell_seller(order, text)
    return order


@transaction.atomic
def reject_quota(order_id, *, actor, reason: str) -> Order:
    """额度不通过 (regional admin, reason) → 已关闭."""
    order = _lock(order_id)
    reason = _reason(reason, "额度不通过的原因")
    _move(order, "reject_quota", actor, reason)
    order.reason = reason
    order.save(update_fields=["reason", "updated_at"])
    text = f"订单: {order.number} 额度确认未通过, 订单已关闭, 原因: {reason}"
    _tell_buyer(order, text)
    _tell_seller(order, text)
    return order


@transaction.atomic
def terminate_order(order_id, *, actor, reason: str) -> Order:
    """终止订单 (regional admin, reason): 服务中 → 已关闭, releases the hold."""
    order = _lock(order_id)
    reason = _reason(reason, "终止订单的原因")
    _move(order, "terminate", actor, reason)
    order.reason = reason
    order.voucher_share = Decimal("0.00")
    order.save(update_fields=["reason", "voucher_share", "updated_at"])
    text = f"订单: {order.number} 已被区域管理员终止, 原因: {reason}"
    _tell_buyer(order, text)
    _tell_seller(order, text)
    return order


@transaction.atomic
def complete_service(order_id, *, actor) -> Order:
    """服务完成 (seller; 通用 and 无券). Difference orders follow their original."""
    order = _lock(order_id)
    _move(order, "complete", actor, "服务完成")
    order.completed_at = timezone.now()
    order.save(update_fields=["completed_at", "updated_at"])
    for child in Order.objects.select_for_update().filter(parent=order, status=S.IN_SERVICE):
        _move(child, "complete", actor, f"原订单{order.number}服务完成")
        child.completed_at = order.completed_at
        child.save(update_fields=["completed_at", "updated_at"])
    _tell_buyer(order, f"您的订单: {order.number} 服务已完成, 欢迎评价!!")
    return order


@transaction.atomic
def request_redemption(order_id, *, actor, amount, proof, proof_name: str = "", invoice=None) -> Order:
    """申请兑付 (seller, 通兑): the amount (≤ the voucher share held), the service result
    proof (``config.uploads.clean_attachment`` output) and optionally the invoice image
    (``clean_image`` output)."""
    order = _lock(order_id)
    if not is_seller(actor, order):
        raise NotAllowed("您无权对该订单执行“申请兑付”")
    if not order.can("request_redemption"):
        raise InvalidTransition(f"订单当前状态为“{order.get_status_display()}”，不能申请兑付")
    amount = _clean_money(amount, "申请兑付金额")
    held = held_for(order.voucher_id, CAUSE, order.pk)
    if amount > held:
        raise InvalidInput(f"申请兑付金额不能超过该订单冻结的券额度{held}元")
    if not proof:
        raise InvalidInput("请上传服务结果证明")
    # Old files go only once the new ones are committed: a failure later in this
    # transaction must leave the stored files the database still points at.
    for old in (order.redemption_proof, order.redemption_invoice):
        if old:
            transaction.on_commit(lambda storage=old.storage, name=old.name: storage.delete(name))
    order.redemption_amount = amount
    order.redemption_proof.save(proof.name, proof, save=False)
    order.redemption_proof_name = (proof_name or "服务结果证明")[:100]
    if invoice:
        order.redemption_invoice.save(invoice.name, invoice, save=False)
    order.redemption_requested_at = timezone.now()
    _move(order, "request_redemption", actor, f"申请兑付{amount}元")
    _tell_buyer(order, f"您有待兑付的订单: {order.number}, 请审核!!", kind=Message.Kind.INSTITUTION_REDEMPTION)
    return order


@transaction.atomic
def agree_redemption(order_id, *, actor) -> Order:
    """同意兑付 (buyer) → 已完成; then ORDER_TONGDUI_AGREED_HOOKS(order) in this transaction."""
    order = _lock(order_id)
    _move(order, "agree_redemption", actor, "买家同意兑付")
    order.completed_at = timezone.now()
    order.save(update_fields=["completed_at", "updated_at"])
    _tell_seller(
        order,
        f"买家已同意兑付订单: {order.number}（{order.redemption_amount}元）, 等待区域审核!!",
        kind=Message.Kind.INSTITUTION_REDEMPTION,
    )
    for path in getattr(settings, "ORDER_TONGDUI_AGREED_HOOKS", []):
        import_string(path)(order)
    return order


@transaction.atomic
def refuse_redemption(order_id, *, actor, reason: str) -> Order:
    """拒绝兑付 (buyer, reason) → 服务中."""
    order = _lock(order_id)
    reason = _reason(reason, "拒绝兑付的原因")
    _move(order, "refuse_redemption", actor, reason)
    order.reason = reason
    order.save(update_fields=["reason", "updated_at"])
    _tell_seller(order, f"买家拒绝兑付订单: {order.number}, 原因: {reason}", kind=Message.Kind.INSTITUTION_REDEMPTION)
    return order


@transaction.atomic
def move_order(order_id, action: str, *, actor=None, note: str = "") -> Order:
    """A "system" move of the tables (the redemption app: 通用 兑付中 / 已兑付)."""
    order = _lock(order_id)
    move = actions_for_mode(order.mode).get(action)
    if move is None or move.actor != "system":
        raise InvalidTransition("不支持的订单操作")
    return _move(order, action, actor, note or move.action)
