"""Reads of the redemption app and the access helpers every view uses (DESIGN §3).

An application is visible to its applicant (the enterprise's users; the institution's
staff for a 通兑 claim), the experts assigned to it and the administrators of the
enterprise's region; its private files likewise. Anything else is a 404.
"""

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from catalog.selectors import institution_for_user
from enterprises.selectors import administered_region_ids, enterprise_for_user
from orders.models import Order, OrderMode
from redemption.models import (
    ApplicationOrder,
    ApplicationStatusChange,
    Attachment,
    ExpertAssignment,
    Invoice,
    Kind,
    RedemptionApplication,
    Status,
)
from redemption.services.drafts import SELECTABLE_ORDER_STATUSES
from vouchers.models import Voucher


def _pk(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404("不存在") from None
    if pk <= 0 or pk > 2**63 - 1:
        raise Http404("不存在")
    return pk


def _detail_queryset():
    return RedemptionApplication.objects.select_related(
        "enterprise", "enterprise__region", "voucher", "policy", "institution", "category"
    ).prefetch_related(
        Prefetch("lines", queryset=ApplicationOrder.objects.select_related("order", "order__parent", "invoice")),
        "invoices",
        "attachments",
        Prefetch("history", queryset=ApplicationStatusChange.objects.select_related("actor")),
        Prefetch("assignments", queryset=ExpertAssignment.objects.select_related("expert")),
    )


def applications_for_enterprise(enterprise, *, quick: bool = False):
    kinds = [Kind.QUICK] if quick else [Kind.GENERAL]
    # Only the 快速兑付 list shows the institution and the service category.
    related = ("voucher", "institution", "category") if quick else ("voucher",)
    return (
        RedemptionApplication.objects.filter(enterprise=enterprise, kind__in=kinds)
        .select_related(*related)
        .order_by("-created_at", "-id")
    )


def claims_for_institution(institution):
    return (
        RedemptionApplication.objects.filter(institution=institution, kind=Kind.CLAIM)
        .select_related("enterprise", "voucher")
        .prefetch_related(Prefetch("lines", queryset=ApplicationOrder.objects.select_related("order")))
        .order_by("-created_at", "-id")
    )


def own_application_for_user(user, pk) -> RedemptionApplication:
    """An application of the user's enterprise (通用 / 快速兑付), else 404."""
    enterprise = enterprise_for_user(user)
    if enterprise is None:
        raise Http404("兑付申请不存在")
    application = (
        _detail_queryset().filter(pk=_pk(pk), enterprise=enterprise, kind__in=[Kind.GENERAL, Kind.QUICK]).first()
    )
    if application is None:
        raise Http404("兑付申请不存在")
    return application


def own_claim_for_user(user, pk) -> RedemptionApplication:
    """A 通兑 claim of the user's institution (机构兑付), else 404."""
    institution = institution_for_user(user)
    if institution is None:
        raise Http404("兑付申请不存在")
    application = _detail_queryset().filter(pk=_pk(pk), institution=institution, kind=Kind.CLAIM).first()
    if application is None:
        raise Http404("兑付申请不存在")
    return application


def role_for(user, application: RedemptionApplication) -> str | None:
    """ "applicant", "expert", "admin" or None (may not see it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if application.kind == Kind.CLAIM:
        institution = institution_for_user(user)
        if institution is not None and institution.pk == application.institution_id:
            return "applicant"
    else:
        enterprise = enterprise_for_user(user)
        if enterprise is not None and enterprise.pk == application.enterprise_id:
            return "applicant"
    if ExpertAssignment.objects.filter(application=application, expert=user).exists():
        return "expert"
    region_id = application.enterprise.region_id
    if user.is_staff and (user.is_superuser or (region_id and region_id in administered_region_ids(user))):
        return "admin"
    return None


def attachment_for_user(user, pk) -> Attachment:
    attachment = Attachment.objects.select_related("application__enterprise").filter(pk=_pk(pk)).first()
    if attachment is None or role_for(user, attachment.application) is None:
        raise Http404("文件不存在")
    return attachment


def invoice_for_user(user, pk) -> Invoice:
    invoice = Invoice.objects.select_related("application__enterprise").filter(pk=_pk(pk)).first()
    if invoice is None or role_for(user, invoice.application) is None:
        raise Http404("文件不存在")
    return invoice


def claim_order_file_for_user(user, pk, which: str):
    """The 服务结果证明 or 发票图片 the institution attached to the order of a 通兑 claim,
    for the claim's applicant, assigned experts and the region's administrators."""
    application = RedemptionApplication.objects.select_related("enterprise").filter(pk=_pk(pk), kind=Kind.CLAIM).first()
    if application is None or which not in ("proof", "invoice") or role_for(user, application) is None:
        raise Http404("文件不存在")
    line = application.lines.select_related("order").first()
    order = line.order if line else None
    fieldfile = getattr(order, "redemption_proof" if which == "proof" else "redemption_invoice", None)
    if not fieldfile:
        raise Http404("文件不存在")
    name = (order.redemption_proof_name or "服务结果证明") if which == "proof" else "发票图片"
    ext = fieldfile.name.rsplit(".", 1)[-1]
    if not name.lower().endswith("." + ext):
        name = f"{name}.{ext}"
    return fieldfile, name


# --- the form's choices ----------------------------------------------------------------------


def redeemable_vouchers(enterprise, today=None):
    """通用券 of the enterprise usable for a redemption application."""
    today = today or timezone.localdate()
    return Voucher.objects.filter(
        enterprise=enterprise,
        kind="tongyong",
        status__in=[Voucher.Status.ACTIVE, Voucher.Status.USED_UP],
        valid_until__gte=today,
    ).order_by("-year", "id")


def selectable_orders(application: RedemptionApplication, *, number: str = "", buyer_name: str = ""):
    """选择订单: the enterprise's 通用 orders of the application's voucher that are in no
    open application, filtered by 订单编号 and 买家单位名称."""
    taken = ApplicationOrder.objects.filter(is_open=True).values("order_id")
    qs = (
        Order.objects.filter(
            enterprise_id=application.enterprise_id,
            voucher_id=application.voucher_id,
            mode=OrderMode.TONGYONG,
            status__in=SELECTABLE_ORDER_STATUSES,
        )
        .exclude(pk__in=taken)
        .select_related("enterprise", "parent")
        .order_by("-created_at", "-id")
    )
    number = (number or "").strip()[:30]
    buyer_name = (buyer_name or "").strip()[:100]
    if number:
        qs = qs.filter(number__icontains=number)
    if buyer_name:
        qs = qs.filter(enterprise__name__icontains=buyer_name)
    return qs


# --- experts -----------------------------------------------------------------------------------


def assignments_for_expert(user):
    return (
        ExpertAssignment.objects.filter(expert=user)
        .select_related("application", "application__enterprise", "application__institution")
        .order_by("submitted_at", "-assigned_at")
    )


def expert_application_for_user(user, pk) -> tuple[RedemptionApplication, ExpertAssignment]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404("兑付申请不存在")
    assignment = ExpertAssignment.objects.filter(application_id=_pk(pk), expert=user).first()
    if assignment is None:
        raise Http404("兑付申请不存在")
    return _detail_queryset().get(pk=assignment.application_id), assignment


# --- 公示 ------------------------------------------------------------------------------------------


def public_notices(region_id=None):
    """The public 公示 list: approved applications in their 公示期 (no personal data)."""
    qs = (
        RedemptionApplication.objects.filter(status=Status.NOTICE)
        .select_related("enterprise__region", "institution")
        .prefetch_related(Prefetch("lines", queryset=ApplicationOrder.objects.select_related("order")))
        .order_by("-notice_start", "-id")
    )
    if region_id:
        qs = qs.filter(enterprise__region_id=region_id)
    return qs


def institution_names(application: RedemptionApplication) -> str:
    if application.institution_id:
        return application.institution.name
    names = sorted({line.order.institution_name for line in application.lines.all()})
    return "、".join(names)


def redeem_preview(application: RedemptionApplication):
    """兑现金额 the draft would hold if submitted now: 服务总金额 × ratio, capped by what
    remains on the voucher plus what its orders hold (one query for all the holds)."""
    from django.db.models import Sum

    from vouchers.models import VoucherHold
    from vouchers.money import voucher_share

    if application.status != Status.DRAFT:
        return application.redeem_amount
    order_ids = [line.order_id for line in application.lines.all()]
    held = (
        VoucherHold.objects.filter(
            voucher_id=application.voucher_id, cause_type="order", cause_id__in=order_ids
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    return voucher_share(
        application.service_total, application.policy.subsidy_ratio, application.voucher.remaining_amount + held
    )
