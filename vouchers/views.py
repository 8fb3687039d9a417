"""The enterprise's voucher pages (manual §3): 创新券申请, 我要申领, 额度查询, 券详情."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from config.menus import url_or_none
from config.pagination import paginate
from enterprises.models import RegionPolicy
from enterprises.selectors import require_enterprise
from vouchers import selectors, services
from vouchers.exceptions import InvalidAmount, VoucherError
from vouchers.forms import ApplicationForm


def _blocker_context(enterprise) -> dict:
    """What the page shows when the enterprise cannot apply here, and where to go."""
    blocker = services.apply_blocker(enterprise)
    policy = enterprise.region.current_policy if enterprise.region_id else None
    imported = bool(policy and policy.voucher_source == RegionPolicy.VoucherSource.IMPORTED)
    return {
        "blocker": blocker,
        "imported": imported,
        "external_apply_url": policy.external_apply_url if imported else "",
        "basic_info_url": url_or_none("enterprises:basic_info"),
        "missing_fields": enterprise.missing_basic_fields() if not enterprise.basic_info_complete else [],
    }


def _form_error(form, error: VoucherError) -> None:
    field = "requested_amount" if isinstance(error, InvalidAmount) else None
    form.add_error(field, str(error))


@login_required
def application_list(request):
    enterprise = require_enterprise(request.user)
    page = paginate(request, selectors.applications_for_enterprise(enterprise))
    context = {"page": page, "enterprise": enterprise, "menu": "创新券申请", **_blocker_context(enterprise)}
    return render(request, "vouchers/application_list.html", context)


@login_required
def apply(request):
    """我要申领: choose one of the region's open programmes and fill in the form."""
    enterprise = require_enterprise(request.user)
    context = {"enterprise": enterprise, "menu": "创新券申请", **_blocker_context(enterprise)}
    if context["blocker"]:
        return render(request, "vouchers/apply.html", context)
    applied = selectors.applied_programme_ids(enterprise)
    programmes = selectors.open_programmes(enterprise).exclude(pk__in=applied)
    initial = {}
    chosen = request.GET.get("programme", "")
    if chosen.isdigit():
        initial["programme"] = int(chosen)
    form = ApplicationForm(request.POST or None, programmes=programmes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.submit_application(
                enterprise=enterprise,
                programme_id=data["programme"].pk,
                requested_amount=data["requested_amount"],
                intended_services=data["intended_services"],
                expected_results=data["expected_results"],
                declaration=data["declaration"],
                actor=request.user,
            )
        except VoucherError as error:
            _form_error(form, error)
        else:
            messages.success(request, "申请已提交，请等待区域管理员审核。")
            return redirect("vouchers:application_detail", application.pk)
    context.update({"form": form, "programmes": programmes, "has_programmes": programmes.exists()})
    return render(request, "vouchers/apply.html", context)


@login_required
def application_detail(request, pk: int):
    application = selectors.application_for_user(request.user, pk)
    history = application.history.select_related("actor")
    context = {"application": application, "history": history, "menu": "创新券申请"}
    return render(request, "vouchers/application_detail.html", context)


@login_required
def application_edit(request, pk: int):
    """修改 a 退回修改 application and submit it again."""
    application = selectors.application_for_user(request.user, pk)
    enterprise = application.enterprise
    if application.status != application.Status.RETURNED:
        messages.error(request, "只有退回修改的申请可以修改后重新提交。")
        return redirect("vouchers:application_detail", application.pk)
    initial = {
        "requested_amount": application.requested_amount,
        "intended_services": application.intended_services,
        "expected_results": application.expected_results,
    }
    form = ApplicationForm(request.POST or None, initial=initial, fixed_programme=application.programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.resubmit_application(
                application.pk,
                enterprise=enterprise,
                requested_amount=data["requested_amount"],
                intended_services=data["intended_services"],
                expected_results=data["expected_results"],
                declaration=data["declaration"],
                actor=request.user,
            )
        except VoucherError as error:
            _form_error(form, error)
        else:
            messages.success(request, "申请已重新提交，请等待区域管理员审核。")
            return redirect("vouchers:application_detail", application.pk)
    context = {"application": application, "form": form, "menu": "创新券申请"}
    return render(request, "vouchers/application_edit.html", context)


@login_required
def quota(request):
    """额度查询: every voucher of the enterprise with its amounts."""
    enterprise = require_enterprise(request.user)
    page = paginate(request, selectors.vouchers_for_enterprise(enterprise))
    summary = selectors.buyer_summary(enterprise)
    return render(
        request, "vouchers/quota.html", {"page": page, "summary": summary, "enterprise": enterprise, "menu": "额度查询"}
    )


@login_required
def voucher_detail(request, pk: int):
    voucher = selectors.voucher_for_user(request.user, pk)
    page = paginate(request, selectors.entries_for_voucher(voucher))
    return render(request, "vouchers/voucher_detail.html", {"voucher": voucher, "page": page, "menu": "额度查询"})
