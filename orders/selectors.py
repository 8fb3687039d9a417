"""Reads of the orders app and the access helpers every view uses (DESIGN §3).

An order is visible to its enterprise's users (buyer), the institution's staff (seller)
and the administrators of the buyer's region; anyone else gets a 404."""

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404

from catalog.selectors import institution_for_user
from enterprises.selectors import administered_region_ids, enterprise_for_user
from orders.models import Order, OrderMode, OrderReview, OrderStatus, OrderStatusChange


def _pk(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404("订单不存在") from None
    if pk <= 0 or pk > 2**63 - 1:
        raise Http404("订单不存在")
    return pk


def _detail_queryset():
    return Order.objects.select_related(
        "enterprise", "enterprise__region", "voucher", "policy", "parent", "buyer", "item", "institution"
    ).prefetch_related(
        Prefetch("history", queryset=OrderStatusChange.objects.select_related("actor")),
        Prefetch("difference_orders", queryset=Order.objects.order_by("created_at", "id")),
    )


def buyer_order_for_user(user, pk) -> Order:
    """An order of the user's enterprise (else 404)."""
    enterprise = enterprise_for_user(user)
    if enterprise is None:
        raise Http404("订单不存在")
    order = _detail_queryset().filter(pk=_pk(pk), enterprise=enterprise).first()
    if order is None:
        raise Http404("订单不存在")
    return order


def seller_order_for_user(user, pk) -> Order:
    """An order placed with the user's institution (else 404)."""
    institution = institution_for_user(user)
    if institution is None:
        raise Http404("订单不存在")
    order = _detail_queryset().filter(pk=_pk(pk), institution=institution).first()
    if order is None:
        raise Http404("订单不存在")
    return order


def order_for_user(user, pk) -> tuple[Order, str]:
    """An order the user may see in any role, with the role ("buyer", "seller", "admin")."""
    pk = _pk(pk)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404("订单不存在")
    order = _detail_queryset().filter(pk=pk).first()
    if order is None:
        raise Http404("订单不存在")
    enterprise = enterprise_for_user(user)
    if enterprise is not None and enterprise.pk == order.enterprise_id:
        return order, "buyer"
    institution = institution_for_user(user)
    if institution is not None and institution.pk == order.institution_id:
        return order, "seller"
    region_id = order.enterprise.region_id
    if user.is_staff and (user.is_superuser or (region_id and region_id in administered_region_ids(user))):
        return order, "admin"
    raise Http404("订单不存在")


# --- lists ----------------------------------------------------------------------------------

FILTER_FIELDS = ("number", "mode", "item_name", "unit_name", "status")


def clean_filters(params) -> dict:
    """The list filters of manual §6.5 from a query string; garbage is ignored."""
    out = {}
    for name in ("number", "item_name", "unit_name"):
        value = (params.get(name) or "").strip()[:100]
        if value:
            out[name] = value
    mode = params.get("mode") or ""
    if mode in OrderMode.values:
        out["mode"] = mode
    status = params.get("status") or ""
    if status in OrderStatus.values:
        out["status"] = status
    return out


def _filtered(qs, filters: dict, unit_field: str):
    if "number" in filters:
        qs = qs.filter(number__icontains=filters["number"])
    if "mode" in filters:
        qs = qs.filter(mode=filters["mode"])
    if "item_name" in filters:
        qs = qs.filter(item_name__icontains=filters["item_name"])
    if "unit_name" in filters:
        qs = qs.filter(**{f"{unit_field}__icontains": filters["unit_name"]})
    if "status" in filters:
        qs = qs.filter(status=filters["status"])
    return qs


# The columns 订单管理 shows (templates/orders/buyer_list.html, seller_list.html). Loading
# only these takes a third off the page's list query (5.5 → 3.5 ms in-process, issue 9); a
# column a row reads and is not named here costs a query per row
# (tests/orders/test_list_rows.py counts them).
LIST_COLUMNS = (
    *("number", "item_name", "mode", "amount", "quantity", "institution_name", "sub_unit_name"),
    *("status", "created_at", "parent_id"),
)


def _list_queryset():
    return Order.objects.order_by("-created_at", "-id").only(*LIST_COLUMNS)


def buyer_orders(enterprise, filters: dict | None = None):
    """订单管理 of the buyer: 单位名称 filters the seller's name. ``has_review`` for the
    评价 link (touching a missing reverse one-to-one in a template raises, and the list
    needs nothing else of the review)."""
    has_review = Exists(OrderReview.objects.filter(order_id=OuterRef("pk")))
    qs = _list_queryset().filter(enterprise=enterprise).annotate(has_review=has_review)
    return _filtered(qs, filters or {}, "institution_name")


def seller_orders(institution, filters: dict | None = None):
    """订单管理 of the seller: 单位名称 filters the buyer's name."""
    qs = _list_queryset().select_related("enterprise").only(*LIST_COLUMNS, "enterprise__name")
    qs = qs.filter(institution=institution)
    return _filtered(qs, filters or {}, "enterprise__name")


# --- what waits (首页) ---------------------------------------------------------------------


def buyer_waiting(enterprise) -> dict:
    """Counts for the buyer's 首页: redemption requests to agree to, orders to review."""
    if enterprise is None:
        return {}
    qs = Order.objects.filter(enterprise=enterprise)
    counts = qs.aggregate(
        pending_buyer=Count("id", filter=Q(status=OrderStatus.PENDING_BUYER)),
        pending_accept=Count("id", filter=Q(status=OrderStatus.PENDING_ACCEPT)),
        in_service=Count("id", filter=Q(status=OrderStatus.IN_SERVICE)),
        to_review=Count("id", filter=Q(status=OrderStatus.COMPLETED, review__isnull=True)),
    )
    return counts


def seller_waiting(institution) -> dict:
    """Counts for the seller's 首页: orders to accept, services to finish."""
    if institution is None:
        return {}
    return Order.objects.filter(institution=institution).aggregate(
        pending_accept=Count("id", filter=Q(status=OrderStatus.PENDING_ACCEPT)),
        in_service=Count("id", filter=Q(status=OrderStatus.IN_SERVICE)),
        pending_buyer=Count("id", filter=Q(status=OrderStatus.PENDING_BUYER)),
    )


# --- reviews ----------------------------------------------------------------------------------


def reviews_for_item(item_id, limit: int = 10):
    qs = OrderReview.objects.filter(item_id=item_id).select_related("enterprise").order_by("-created_at", "-id")
    return list(qs[:limit]), qs.aggregate(avg=Avg("rating"), count=Count("id"))


def reviews_for_institution(institution_id, limit: int = 10):
    qs = (
        OrderReview.objects.filter(institution_id=institution_id)
        .select_related("enterprise", "order")
        .order_by("-created_at", "-id")
    )
    return list(qs[:limit]), qs.aggregate(avg=Avg("rating"), count=Count("id"))
