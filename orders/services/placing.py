"""立即下单: which vouchers an enterprise may use and placing an order."""

from django.db import transaction
from django.utils import timezone

from catalog.models import ServiceItem
from enterprises.selectors import enterprise_for_user
from orders.exceptions import InvalidInput, OrderingNotAllowed
from orders.models import (
    Order,
    OrderMode,
    OrderStatusChange,
)
from orders.services.common import MAX_QUANTITY, S, _tell_seller, next_order_number
from vouchers.models import Voucher
from vouchers.money import round_money

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
    if policy.quick_redemption:
        # Manual §5.4: these regions no longer order with a 通用券; they use 快速兑付.
        return (
            f"{enterprise.region.name}的企业不再选择通用券进行下单，"
            "请在买家中心（我是买家）-兑付管理中进行“快速兑付”；也可以无券下单"
        )
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
