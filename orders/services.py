"""Every write of the orders app (DESIGN §3, §4, §6).

Each move is one transaction: lock the order row, check the move in the table of the
order's mode (orders.models), check the actor, change money through the voucher ledger,
write an ``OrderStatusChange`` row and the 站内信 (messaging.notify) in the same
transaction.

For the redemption app: ``move_order(order_id, action, actor=None, note="")`` performs the
"system" moves of 通用 orders (enter_redemption / enter_redemption_in_service /
enter_redemption_offline / leave_redemption / redeemed). After a buyer's 同意兑付 every
dotted path in ``settings.ORDER_TONGDUI_AGREED_HOOKS`` is called with the order inside the
same transaction.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from catalog.models import InstitutionStaff, ServiceItem
from enterprises.models import EnterpriseMember, RegionAdministrator
from enterprises.selectors import administered_region_ids, enterprise_for_user
from messaging.models import Message
from messaging.services import notify
from orders.exceptions import InvalidInput, InvalidTransition, NotAllowed, OrderingNotAllowed, QuotaInsufficient
from orders.models import (
    FINAL_STATUSES,
    Order,
    OrderMode,
    OrderReview,
    OrderStatus,
    OrderStatusChange,
    actions_for_mode,
)
from vouchers.exceptions import VoucherError
from vouchers.models import Voucher
from vouchers.money import round_money, voucher_share
from vouchers.services import held_for, voucher_hold, voucher_release

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


# --- 立即下单 ---------------------------------------------------------------------------

TONGDUI_FIELDS = {
    "project_info": "项目信息",
    "contact_info": "联系信息",
    "basic_situation": "基本情况",
    "demand": "需求或自主研发项目",
    "expected_results": "预计成效",
}


def usable_vouchers(enterprise, *, today=None):
    """The enterprise's vouchers it may order with now: 有效, something remaining, of its
    region's current mode, within validity."""
    today = today or timezone.localdate()
    if not enterprise or not enterprise.region_id:
        return Voucher.objects.none()
    policy = enterprise.region.policy_on(today)
    if policy is None:
        return Voucher.objects.none()
    return Voucher.objects.filter(
        enterprise=enterprise,
        region_id=enterprise.region_id,
        status=Voucher.Status.ACTIVE,
        remaining_amount__gt=0,
        kind=policy.mode,
        valid_until__gte=today,
    ).order_by("valid_until", "id")


def voucher_blocker(enterprise, item: ServiceItem, *, today=None) -> str:
    """Why the enterprise cannot order ``item`` with a voucher ("" if it can)."""
    if enterprise is None:
        return "只有企业用户可以使用创新券下单"
    if not enterprise.region_id:
        return "贵单位注册所在地不在试点区域，只能无券下单"
    if not item.region_tags.filter(pk=enterprise.region_id).exists():
        return f"该服务项目不支持{enterprise.region.name}的企业使用创新券下单，可以无券下单"
    policy = enterprise.region.policy_on(today or timezone.localdate())
    if policy is None:
        return f"{enterprise.region.name}尚未设置创新券政策，只能无券下单"
    if not usable_vouchers(enterprise, today=today).exists():
        return f"贵单位没有可用的{policy.voucher_type_label}，可以无券下单或先申领创新券"
    return ""


@transaction.atomic
def place_order(*, user, item_id, quantity=1, voucher_id=None, details: dict | None = None) -> Order:
    """立即下单 → 待接单. ``voucher_id`` None orders 无券."""
    enterprise = enterprise_for_user(user)
    if enterprise is None:
        raise OrderingNotAllowed("只有企业用户可以下单，请使用企业账号登录")
    item = (
        ServiceItem.objects.filter(pk=item_id, is_on_shelf=True, institution__is_active=True)
        .select_related("institution", "sub_unit")
        .first()
        if str(item_id).isdigit()
        else None
    )
    if item is None:
        raise OrderingNotAllowed("服务项目不存在或已下架")
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise InvalidInput("请输入正确的数量") from None
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"数量须在1到{MAX_QUANTITY}之间")
    details = details or {}
    today = timezone.localdate()
    voucher = policy = None
    mode = OrderMode.WUQUAN
    if voucher_id not in (None, ""):
        blocker = voucher_blocker(enterprise, item, today=today)
        if blocker:
            raise OrderingNotAllowed(blocker)
        voucher = (
            usable_vouchers(enterprise, today=today).filter(pk=voucher_id).first()
            if str(voucher_id).isdigit()
            else None
        )
        if voucher is None:
            raise OrderingNotAllowed("请选择可用的创新券")
        policy = enterprise.region.policy_on(today)
        mode = OrderMode.TONGDUI if voucher.kind == OrderMode.TONGDUI else OrderMode.TONGYONG
    elif enterprise.region_id:
        policy = enterprise.region.policy_on(today)
    texts = {}
    for field, label in TONGDUI_FIELDS.items():
        value = (details.get(field) or "").strip()
        limit = Order._meta.get_field(field).max_length
        if len(value) > limit:
            raise InvalidInput(f"{label}不能超过{limit}个字")
        if mode == OrderMode.TONGDUI and not value:
            raise InvalidInput(f"请填写{label}")
        texts[field] = value
    fixed = item.price_type == ServiceItem.PriceType.FIXED and item.price is not None
    amount = round_money(item.price * quantity) if fixed else None
    order = Order.objects.create(
        number=next_order_number(),
        enterprise=enterprise,
        buyer=user,
        institution=item.institution,
        sub_unit=item.sub_unit,
        item=item,
        category_id=item.category_id,
        item_name=item.name,
        institution_name=item.institution.name,
        sub_unit_name=item.sub_unit.name if item.sub_unit else "",
        price_type=item.price_type,
        unit_price=item.price if fixed else None,
        unit=item.unit,
        quantity=quantity,
        mode=mode,
        voucher=voucher,
        policy=policy,
        amount=amount,
        amount_confirmed=fixed,
        status=S.PENDING_ACCEPT,
        **texts,
    )
    OrderStatusChange.objects.create(order=order, from_status="", to_status=S.PENDING_ACCEPT, action="下单", actor=user)
    _tell_seller(order, f"您有新的订单: {order.number}（{order.item_name}，{order.get_mode_display()}），请及时接单!!")
    return order


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
    if order.redemption_proof:
        order.redemption_proof.delete(save=False)
    if order.redemption_invoice:
        order.redemption_invoice.delete(save=False)
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
