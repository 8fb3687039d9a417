"""The admin home page as a work queue (工作台) for regional administrators and experts.

How many voucher applications wait for review, orders for 额度确认, redemption
applications for expert assignment and for 审核, 公示 ending in the next days and
disbursements to record; each number links to the filtered change list. Counts are read
across apps, which only config/ may do; an app whose model does not exist (yet) simply
contributes no line. One aggregate query per model, whatever the number of rows."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from enterprises.selectors import administered_region_ids

NOTICE_ENDING_DAYS = 3


@dataclass
class QueueItem:
    label: str
    count: int
    url: str | None
    hint: str = ""


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _changelist(model, query: str) -> str | None:
    try:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def _scope(qs, path: str, region_ids):
    return qs if region_ids is None else qs.filter(**{f"{path}__in": region_ids})


def work_queue(user) -> list[QueueItem]:
    """The lines of the work queue for this staff user (empty for anyone else)."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return []
    region_ids = None if user.is_superuser else administered_region_ids(user)
    items: list[QueueItem] = []
    if region_ids is None or region_ids:
        items += _voucher_items(user, region_ids)
        items += _order_items(user, region_ids)
        items += _redemption_items(user, region_ids)
        items += _join_items(user, region_ids)
    items += _expert_items(user)
    return items


def _can_view(user, model) -> bool:
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def _voucher_items(user, region_ids):
    Application = _model("vouchers.VoucherApplication")
    if Application is None or not _can_view(user, Application):
        return []
    qs = _scope(Application.objects.all(), "programme__region", region_ids)
    pending = qs.filter(status="pending").count()
    return [QueueItem("创新券申请待审核", pending, _changelist(Application, "status__exact=pending"))]


def _order_items(user, region_ids):
    Order = _model("orders.Order")
    if Order is None or not _can_view(user, Order):
        return []
    qs = _scope(Order.objects.all(), "region", region_ids)
    pending = qs.filter(status="pending_quota").count()
    return [QueueItem("订单待额度确认", pending, _changelist(Order, "status=pending_quota"))]


def _redemption_items(user, region_ids):
    Application = _model("redemption.RedemptionApplication")
    Assignment = _model("redemption.ExpertAssignment")
    if Application is None or not _can_view(user, Application):
        return []
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=NOTICE_ENDING_DAYS)
    qs = _scope(Application.objects.all(), "region", region_ids)
    counts = {
        "region_review": Count("pk", filter=Q(status="region_review")),
        "pending_payment": Count("pk", filter=Q(status="pending_payment")),
        "notice_ending": Count("pk", filter=Q(status="notice", notice_end__lte=soon)),
    }
    if Assignment is not None:
        assigned = Exists(Assignment.objects.filter(application=OuterRef("pk")))
        counts["unassigned"] = Count("pk", filter=Q(status="expert_review") & Q(~assigned))
    numbers = qs.aggregate(**counts)
    items = []
    if Assignment is not None:
        items.append(
            QueueItem(
                "兑付申请待指派专家",
                numbers["unassigned"],
                _changelist(Application, "status__exact=expert_review&assignments__isnull=True"),
            )
        )
    items += [
        QueueItem(
            "兑付申请待区域审核", numbers["region_review"], _changelist(Application, "status__exact=region_review")
        ),
        QueueItem(
            f"公示{NOTICE_ENDING_DAYS}天内结束",
            numbers["notice_ending"],
            _changelist(Application, f"status__exact=notice&notice_end__lte={soon.isoformat()}"),
            hint=f"截至{soon:%Y-%m-%d}",
        ),
        QueueItem("待拨付", numbers["pending_payment"], _changelist(Application, "status__exact=pending_payment")),
    ]
    return items


def _join_items(user, region_ids):
    Join = _model("enterprises.JoinApplication")
    if Join is None or not _can_view(user, Join):
        return []
    pending = _scope(Join.objects.all(), "enterprise__region", region_ids).filter(status="pending").count()
    return [QueueItem("申请加盟待审核", pending, _changelist(Join, "status__exact=pending"))]


def _expert_items(user):
    Assignment = _model("redemption.ExpertAssignment")
    if Assignment is None or user.is_superuser:
        return []
    mine = Assignment.objects.filter(expert=user, submitted_at__isnull=True)
    count = mine.count()
    if not count and getattr(user, "role", "") != "expert":
        return []
    url = _changelist(Assignment, "submitted_at__isnull=True")
    if url is None:  # experts score on their own page (redemption:expert_list)
        try:
            url = reverse("redemption:expert_list")
        except NoReverseMatch:
            url = None
    return [QueueItem("待我评审", count, url)]
