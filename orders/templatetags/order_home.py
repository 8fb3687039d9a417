"""What waits for the user on the 首页 of 买家中心 / 卖家中心: ``{% load order_home %}`` then
``{% buyer_orders_waiting enterprise %}`` or ``{% seller_orders_waiting institution %}``
(one aggregate query each)."""

from django import template
from django.urls import reverse

from orders import selectors
from orders.models import OrderStatus

register = template.Library()


def _rows(counts: dict, labels: list[tuple[str, str, str, str]], url_name: str) -> list[dict]:
    base = reverse(url_name)
    return [
        {"label": label, "hint": hint, "count": counts.get(key) or 0, "url": f"{base}?status={status}"}
        for key, label, hint, status in labels
    ]


@register.inclusion_tag("orders/partials/home_waiting.html")
def buyer_orders_waiting(enterprise):
    counts = selectors.buyer_waiting(enterprise)
    rows = _rows(
        counts,
        [
            ("pending_buyer", "待同意兑付", "服务机构已申请兑付，请确认", OrderStatus.PENDING_BUYER),
            ("to_review", "待评价", "已完成的订单可以评价", OrderStatus.COMPLETED),
            ("pending_accept", "待接单", "等待服务机构接单", OrderStatus.PENDING_ACCEPT),
            ("in_service", "服务中", "服务进行中", OrderStatus.IN_SERVICE),
        ],
        "orders:buyer_list",
    )
    return {"rows": rows, "list_url": reverse("orders:buyer_list"), "show": enterprise is not None}


@register.inclusion_tag("orders/partials/home_waiting.html")
def seller_orders_waiting(institution):
    counts = selectors.seller_waiting(institution)
    rows = _rows(
        counts,
        [
            ("pending_accept", "待接单", "请及时接单或拒绝接单", OrderStatus.PENDING_ACCEPT),
            ("in_service", "服务中", "服务完成后请标记服务完成或申请兑付", OrderStatus.IN_SERVICE),
            ("pending_buyer", "待买家确认兑付", "已申请兑付，等待买家确认", OrderStatus.PENDING_BUYER),
        ],
        "orders:seller_list",
    )
    return {"rows": rows, "list_url": reverse("orders:seller_list"), "show": institution is not None}
