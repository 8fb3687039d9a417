"""兑付管理 pages (manual §5.6): list, 新增, the application form with its htmx dialogs
(选择订单, 发票管理, 新增发票), 快速兑付, the institution's claims, the expert's review
page, private files and the public 公示 page. Thin: services write, selectors read."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.views import seller_render, seller_view
from config.pagination import paginate
from config.private_files import private_file_response
from enterprises.models import PilotRegion
from enterprises.selectors import require_enterprise
from redemption import selectors, services
from redemption.exceptions import RedemptionError
from redemption.forms import (
    AttachmentForm,
    ExpertReviewForm,
    InvoiceForm,
    QuickCreateForm,
    TextsForm,
    VoucherChoiceForm,
)
from redemption.models import Kind

MENU = {Kind.GENERAL: "兑付管理", Kind.QUICK: "快速兑付"}


def _policy_context(enterprise) -> dict:
    policy = enterprise.region.current_policy if enterprise.region_id else None
    blocker = ""
    if policy is None or policy.mode != "tongyong":
        blocker = "贵单位所在区域为通兑模式（或不在试点区域），兑付由服务机构发起，企业在“订单管理”中同意兑付即可"
    else:
        blocker = services.window_blocker(policy)
    return {"policy": policy, "blocker": blocker}


# --- lists and 新增 -------------------------------------------------------------------------------


@login_required
def application_list(request):
    enterprise = require_enterprise(request.user)
    page = paginate(request, selectors.applications_for_enterprise(enterprise))
    context = {"page": page, "menu": "兑付管理", "kind": Kind.GENERAL, **_policy_context(enterprise)}
    return render(request, "redemption/list.html", context)


@login_required
def quick_list(request):
    enterprise = require_enterprise(request.user)
    page = paginate(request, selectors.applications_for_enterprise(enterprise, quick=True))
    context = {"page": page, "menu": "快速兑付", "kind": Kind.QUICK, **_policy_context(enterprise)}
    if not context["blocker"] and not context["policy"].quick_redemption:
        context["blocker"] = f"{enterprise.region.name}未开通快速兑付，请在“兑付管理”中申请兑付"
    return render(request, "redemption/list.html", context)


def _create(request, kind):
    enterprise = require_enterprise(request.user)
    context = {"menu": MENU[kind], "kind": kind, **_policy_context(enterprise)}
    vouchers = selectors.redeemable_vouchers(enterprise)
    form_class = QuickCreateForm if kind == Kind.QUICK else VoucherChoiceForm
    form = form_class(request.POST or None, vouchers=vouchers)
    if request.method == "POST" and not context["blocker"] and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.create_application(
                user=request.user,
                kind=kind,
                voucher_id=data["voucher"].pk,
                institution_id=data["institution"].pk if kind == Kind.QUICK else None,
                category_id=data["category"].pk if kind == Kind.QUICK else None,
            )
        except RedemptionError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "已新增兑付申请草稿，请继续填写。")
            return redirect("redemption:edit", application.pk)
    context.update({"form": form, "has_vouchers": vouchers.exists()})
    return render(request, "redemption/create.html", context)


@login_required
def create(request):
    return _create(request, Kind.GENERAL)


@login_required
def quick_create(request):
    return _create(request, Kind.QUICK)


# --- the form -----------------------------------------------------------------------------------------


def _form_context(application, **extra) -> dict:
    return {
        "application": application,
        "menu": MENU.get(application.kind, "兑付管理"),
        "redeem_preview": selectors.redeem_preview(application),
        "attachment_form": extra.pop("attachment_form", None) or AttachmentForm(),
        **extra,
    }


def _reload(request, pk):
    return selectors.own_application_for_user(request.user, pk)


@login_required
def detail(request, pk):
    application = selectors.own_application_for_user(request.user, pk)
    if application.is_editable:
        return redirect("redemption:edit", application.pk)
    return render(request, "redemption/detail.html", _form_context(application))


@login_required
def edit(request, pk):
    """The application form: 保存草稿 and 提交 (the dialogs post separately with htmx)."""
    application = selectors.own_application_for_user(request.user, pk)
    if not application.is_editable:
        return redirect(application.get_absolute_url())
    initial = {"effect": application.effect, "innovation": application.innovation, "note": application.note}
    form = TextsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_texts(
                application.pk,
                actor=request.user,
                effect=data["effect"],
                innovation=data["innovation"],
                note=data["note"],
            )
            if "submit" in request.POST:
                services.submit_application(application.pk, actor=request.user)
        except RedemptionError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
            application = _reload(request, pk)
        else:
            if "submit" in request.POST:
                messages.success(request, "兑付申请已提交，等待专家评审。")
                return redirect("redemption:quick_list" if application.kind == Kind.QUICK else "redemption:list")
            messages.success(request, "草稿已保存。")
            return redirect("redemption:edit", application.pk)
    return render(request, "redemption/edit.html", _form_context(application, form=form))


@login_required
@require_POST
def delete(request, pk):
    application = selectors.own_application_for_user(request.user, pk)
    kind = application.kind
    try:
        services.delete_draft(application.pk, actor=request.user)
    except RedemptionError as error:
        messages.error(request, str(error))
        return redirect(application.get_absolute_url())
    messages.success(request, "草稿已删除。")
    return redirect("redemption:quick_list" if kind == Kind.QUICK else "redemption:list")


def _lines_response(request, application, *, close: bool = False, error: str = ""):
    response = render(request, "redemption/partials/lines.html", {**_form_context(application), "lines_error": error})
    if close:
        response["HX-Trigger"] = json.dumps({"redemption:close": True})
    return response


def _dialog_retarget(response):
    response["HX-Retarget"] = "#dialog-body"
    response["HX-Reswap"] = "innerHTML"
    return response


@login_required
def order_dialog(request, pk):
    """选择订单: the enterprise's selectable orders, filters 订单编号 / 买家单位名称, 10 a page."""
    application = selectors.own_application_for_user(request.user, pk)
    if not application.is_editable:
        raise Http404("兑付申请不可修改")
    number = request.GET.get("number", "")[:30]
    buyer_name = request.GET.get("buyer_name", "")[:100]
    orders = selectors.selectable_orders(application, number=number, buyer_name=buyer_name)
    page = paginate(request, orders)
    for order in page:
        order.confirmed = services.amount_is_confirmed(order)
    context = {"application": application, "page": page, "number": number, "buyer_name": buyer_name}
    return render(request, "redemption/partials/order_dialog.html", context)


@login_required
@require_POST
def orders_add(request, pk):
    """申请兑付 in the dialog: take the checked orders with their 服务金额."""
    application = selectors.own_application_for_user(request.user, pk)
    selections = [(oid, request.POST.get(f"amount_{oid}")) for oid in request.POST.getlist("order")[:50]]
    try:
        services.add_orders(application.pk, actor=request.user, selections=selections)
    except RedemptionError as error:
        return _lines_response(request, _reload(request, pk), close=True, error=str(error))
    return _lines_response(request, _reload(request, pk), close=True)


@login_required
@require_POST
def line_remove(request, pk, line_id):
    application = selectors.own_application_for_user(request.user, pk)
    error = ""
    try:
        services.remove_order(application.pk, line_id, actor=request.user)
    except RedemptionError as exc:
        error = str(exc)
    return _lines_response(request, _reload(request, pk), error=error)


@login_required
@require_POST
def line_amount(request, pk, line_id):
    application = selectors.own_application_for_user(request.user, pk)
    error = ""
    try:
        services.update_line_amount(application.pk, line_id, actor=request.user, amount=request.POST.get("amount"))
    except RedemptionError as exc:
        error = str(exc)
    return _lines_response(request, _reload(request, pk), error=error)


def _invoice_dialog(request, application, line, *, error: str = "", oob: bool = False):
    context = {**_form_context(application), "line": line, "invoice_error": error, "oob": oob}
    return render(request, "redemption/partials/invoice_dialog.html", context)


def _line_or_none(application, line_id):
    if line_id in (None, ""):
        return None
    for line in application.lines.all():
        if str(line.pk) == str(line_id):
            return line
    raise Http404("订单不存在")


@login_required
def invoice_dialog(request, pk):
    """发票管理 (for one order with ?line=, or the 快速兑付's invoices)."""
    application = selectors.own_application_for_user(request.user, pk)
    if not application.is_editable:
        raise Http404("兑付申请不可修改")
    return _invoice_dialog(request, application, _line_or_none(application, request.GET.get("line")))


@login_required
def invoice_new(request, pk):
    """新增发票 (上传发票): 发票代码, 发票号码, 发票日期, 发票金额(元), 发票图片, 备注信息."""
    application = selectors.own_application_for_user(request.user, pk)
    if not application.is_editable:
        raise Http404("兑付申请不可修改")
    line_id = request.POST.get("line") or request.GET.get("line") or ""
    line = _line_or_none(application, line_id)
    form = InvoiceForm(request.POST or None, request.FILES or None, auto_id="inv_%s")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_invoice(
                application.pk,
                actor=request.user,
                code=data["code"],
                number=data["number"],
                issued_on=data["issued_on"],
                amount=data["amount"],
                image=data["image"],
                note=data["note"],
                line_id=line.pk if line else None,
            )
        except RedemptionError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            application = _reload(request, pk)
            return _invoice_dialog(request, application, _line_or_none(application, line_id), oob=True)
    context = {"application": application, "line": line, "form": form}
    return render(request, "redemption/partials/invoice_form.html", context)


@login_required
@require_POST
def invoice_delete(request, pk, invoice_id):
    application = selectors.own_application_for_user(request.user, pk)
    line_id = request.POST.get("line", "")
    error = ""
    try:
        services.delete_invoice(application.pk, invoice_id, actor=request.user)
    except RedemptionError as exc:
        error = str(exc)
    application = _reload(request, pk)
    return _invoice_dialog(request, application, _line_or_none(application, line_id), error=error, oob=True)


@login_required
@require_POST
def line_invoice(request, pk, line_id):
    """Choose (or 取消) the invoice of one order in 发票管理; rules ①–④ in the service."""
    application = selectors.own_application_for_user(request.user, pk)
    error = ""
    try:
        if request.POST.get("unlink"):
            services.unlink_invoice(application.pk, line_id, actor=request.user)
        else:
            services.link_invoice(application.pk, line_id, request.POST.get("invoice"), actor=request.user)
    except RedemptionError as exc:
        error = str(exc)
    application = _reload(request, pk)
    return _invoice_dialog(request, application, _line_or_none(application, line_id), error=error, oob=True)


@login_required
@require_POST
def attachment_new(request, pk):
    application = selectors.own_application_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(
                application.pk, actor=request.user, content=form.cleaned_data["file"], original_name=form.original_name
            )
        except RedemptionError as error:
            form.add_error("file", str(error))
        else:
            form = AttachmentForm()
    application = _reload(request, pk)
    return render(request, "redemption/partials/attachments.html", _form_context(application, attachment_form=form))


@login_required
@require_POST
def attachment_delete(request, pk, attachment_id):
    application = selectors.own_application_for_user(request.user, pk)
    form = AttachmentForm()
    try:
        services.delete_attachment(application.pk, attachment_id, actor=request.user)
    except RedemptionError as error:
        form.add_error(None, str(error))
    application = _reload(request, pk)
    return render(request, "redemption/partials/attachments.html", _form_context(application, attachment_form=form))


@login_required
@require_POST
def submit(request, pk):
    application = selectors.own_application_for_user(request.user, pk)
    try:
        services.submit_application(application.pk, actor=request.user)
    except RedemptionError as error:
        messages.error(request, str(error))
        return redirect("redemption:edit", application.pk)
    messages.success(request, "兑付申请已提交，等待专家评审。")
    return redirect(application.get_absolute_url())


# --- the institution's claims (通兑) ---------------------------------------------------------------------

CLAIMS_MENU = "兑付申请"


@seller_view()
def claim_list(request):
    page = paginate(request, selectors.claims_for_institution(request.institution))
    return seller_render(request, "redemption/claim_list.html", CLAIMS_MENU, {"page": page})


@seller_view()
def claim_detail(request, pk):
    """One 机构兑付 claim as the institution sees it: the order, the files, the amounts
    and every review step with its reason."""
    application = selectors.own_claim_for_user(request.user, pk)
    return seller_render(request, "redemption/claim_detail.html", CLAIMS_MENU, {"application": application})


# --- private files ----------------------------------------------------------------------------------------


@login_required
def attachment_file(request, pk):
    attachment = selectors.attachment_for_user(request.user, pk)
    return private_file_response(attachment.file, download_name=attachment.display_name)


@login_required
def invoice_file(request, pk):
    invoice = selectors.invoice_for_user(request.user, pk)
    ext = invoice.image.name.rsplit(".", 1)[-1]
    return private_file_response(invoice.image, download_name=f"发票{invoice.code}-{invoice.number}.{ext}")


@login_required
def claim_file(request, pk, which):
    fieldfile, name = selectors.claim_order_file_for_user(request.user, pk, which)
    return private_file_response(fieldfile, download_name=name)


# --- experts ----------------------------------------------------------------------------------------------


@login_required
def expert_list(request):
    page = paginate(request, selectors.assignments_for_expert(request.user))
    return render(request, "redemption/expert_list.html", {"page": page})


@login_required
def expert_review(request, pk):
    application, assignment = selectors.expert_application_for_user(request.user, pk)
    initial = {
        "score": assignment.score,
        "recommended_amount": assignment.recommended_amount
        if assignment.recommended_amount is not None
        else application.redeem_amount,
        "opinion": assignment.opinion,
    }
    form = ExpertReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_review(
                application.pk,
                expert=request.user,
                score=data["score"],
                opinion=data["opinion"],
                recommended_amount=data["recommended_amount"],
                no_conflict=data["no_conflict"],
            )
        except RedemptionError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "评审意见已提交。")
            return redirect("redemption:expert_list")
    context = {"application": application, "assignment": assignment, "form": form}
    return render(request, "redemption/expert_review.html", context)


# --- 公示 (public) -----------------------------------------------------------------------------------------


def notice_list(request):
    regions = list(PilotRegion.objects.filter(is_active=True).order_by("sort_order", "code"))
    region_id = request.GET.get("region", "")
    region_id = int(region_id) if region_id.isdigit() and any(r.pk == int(region_id) for r in regions) else None
    page = paginate(request, selectors.public_notices(region_id))
    for application in page:
        application.institution_label = selectors.institution_names(application)
    context = {"page": page, "regions": regions, "region_id": region_id}
    return render(request, "redemption/notice_list.html", context)
