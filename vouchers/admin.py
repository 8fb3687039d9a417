"""Regional administrators' voucher work in Django admin, scoped to their regions:
programmes, the review of 创新券申请 (通过 / 驳回 / 退回修改), vouchers and their ledger,
and the import of vouchers issued on another platform. Every write calls a service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from enterprises.admin_scoping import RegionScopedAdmin
from enterprises.models import PilotRegion, RegionPolicy
from vouchers import services
from vouchers.exceptions import ImportFileError, VoucherError
from vouchers.forms import DecisionForm, ImportForm
from vouchers.models import LedgerEntry, Voucher, VoucherApplication, VoucherImport, VoucherProgramme


class ProgrammeAdminForm(forms.ModelForm):
    class Meta:
        model = VoucherProgramme
        fields = [
            "region",
            "year",
            "title",
            "max_amount",
            "apply_start",
            "apply_end",
            "total_budget",
            "description",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("apply_start"), data.get("apply_end")
        if start and end and end < start:
            self.add_error("apply_end", "申领截止日期不能早于开始日期")
        region = data.get("region")
        if region is not None and region.current_policy is None:
            self.add_error("region", "该区域尚未发布区域政策")
        if self.instance.pk and region is not None and region.pk != self.instance.region_id:
            if self.instance.vouchers.exists():
                self.add_error("region", "已发放创新券的项目不能更改区域")
        budget = data.get("total_budget")
        if self.instance.pk and budget is not None and budget < self.instance.budget_used:
            self.add_error("total_budget", f"总预算不能低于已使用预算{self.instance.budget_used}元")
        for name in ("max_amount", "total_budget"):
            value = data.get(name)
            if value is not None and value <= 0:
                self.add_error(name, "金额必须大于0")
        return data


@admin.register(VoucherProgramme)
class VoucherProgrammeAdmin(RegionScopedAdmin):
    region_path = "region"
    related_region_paths = {"region": "pk"}
    form = ProgrammeAdminForm
    list_display = (
        "title",
        "region",
        "year",
        "kind",
        "max_amount",
        "total_budget",
        "budget_used",
        "budget_left",
        "apply_start",
        "apply_end",
        "is_active",
    )
    list_filter = ("region", "year", "is_active")
    list_select_related = ("region",)
    readonly_fields = ("kind", "budget_used", "created_at")

    @admin.display(description="剩余预算(元)")
    def budget_left(self, obj):
        return obj.budget_remaining

    def save_model(self, request, obj, form, change):
        services.save_programme(obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(VoucherApplication)
class VoucherApplicationAdmin(RegionScopedAdmin):
    region_path = "programme__region"
    list_display = (
        "id",
        "enterprise",
        "programme",
        "requested_amount",
        "granted_amount",
        "status",
        "submitted_at",
        "review_link",
    )
    list_filter = ("status", "programme__region", "programme__year")
    search_fields = ("enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise", "programme", "programme__region")
    actions = ["approve_requested", "reject_selected", "return_selected"]
    fields = (
        "enterprise",
        "programme",
        "policy",
        "requested_amount",
        "granted_amount",
        "intended_services",
        "expected_results",
        "declaration",
        "status",
        "reason",
        "applicant",
        "submitted_at",
        "decided_by",
        "decided_at",
        "review_link",
        "history_table",
    )
    readonly_fields = fields

    @admin.display(description="审核")
    def review_link(self, obj):
        if obj.pk is None or not obj.is_open or obj.status != VoucherApplication.Status.PENDING:
            return "-"
        url = reverse("admin:vouchers_application_review", args=[obj.pk])
        return format_html('<a class="button" href="{}">审核</a>', url)

    @admin.display(description="审核记录")
    def history_table(self, obj):
        rows = [
            (
                h.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                h.get_from_status_display() or "—",
                h.get_to_status_display(),
                h.actor.display_name if h.actor else "",
                h.note,
            )
            for h in obj.history.select_related("actor")
        ]
        return format_html_join(mark_safe("<br>"), "{} {} → {} {} {}", rows) or "-"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="vouchers_application_review",
            ),
            *super().get_urls(),
        ]

    def _get_scoped(self, request, pk) -> VoucherApplication:
        application = (
            self.get_queryset(request)
            .select_related("enterprise", "programme", "programme__region", "policy")
            .filter(pk=pk)
            .first()
        )
        if application is None:
            raise Http404("创新券申请不存在")
        return application

    def review_view(self, request, pk):
        """通过 (核定金额) / 驳回 / 退回修改 (原因) for one application of the admin's region."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        application = self._get_scoped(request, pk)
        initial = {"decision": "approve", "granted_amount": application.requested_amount}
        form = DecisionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "approve":
                    voucher = services.approve_application(
                        application.pk, granted_amount=data["granted_amount"], actor=request.user, note=data["reason"]
                    )
                    self.message_user(request, f"已审核通过，发放创新券 {voucher.number}。", messages.SUCCESS)
                elif data["decision"] == "reject":
                    services.reject_application(application.pk, reason=data["reason"], actor=request.user)
                    self.message_user(request, "已驳回。", messages.SUCCESS)
                else:
                    services.return_application(application.pk, reason=data["reason"], actor=request.user)
                    self.message_user(request, "已退回修改。", messages.SUCCESS)
            except VoucherError as error:
                field = "granted_amount" if data["decision"] == "approve" else None
                form.add_error(field, str(error))
            else:
                return redirect("admin:vouchers_voucherapplication_change", application.pk)
        granted = services.applications.granted_this_year(application.enterprise_id, application.programme.year)
        context = {
            **self.admin_site.each_context(request),
            "title": f"审核创新券申请：{application.enterprise}",
            "opts": self.model._meta,
            "application": application,
            "form": form,
            "granted_this_year": granted,
            "annual_left": application.policy.annual_cap - granted,
        }
        return TemplateResponse(request, "admin/vouchers/application_review.html", context)

    @admin.action(description="通过（按申请金额核定）", permissions=["change"])
    def approve_requested(self, request, queryset):
        for application in queryset.select_related("enterprise"):
            try:
                voucher = services.approve_application(
                    application.pk, granted_amount=application.requested_amount, actor=request.user
                )
            except VoucherError as error:
                self.message_user(request, f"{application.enterprise}：{error}", messages.ERROR)
            else:
                self.message_user(request, f"{application.enterprise}：已通过，券号 {voucher.number}", messages.SUCCESS)

    def _reason_action(self, request, queryset, service, label):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for application in queryset.select_related("enterprise"):
                try:
                    service(application.pk, reason=form.cleaned_data["reason"], actor=request.user)
                except VoucherError as error:
                    self.message_user(request, f"{application.enterprise}：{error}", messages.ERROR)
                else:
                    self.message_user(request, f"{application.enterprise}：已{label}", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{label}：请填写原因",
            "opts": self.model._meta,
            "queryset": queryset.select_related("enterprise", "programme"),
            "form": form,
            "action": request.POST.get("action"),
            "label": label,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/vouchers/reason_action.html", context)

    @admin.action(description="驳回（填写原因）", permissions=["change"])
    def reject_selected(self, request, queryset):
        return self._reason_action(request, queryset, services.reject_application, "驳回")

    @admin.action(description="退回修改（填写原因）", permissions=["change"])
    def return_selected(self, request, queryset):
        return self._reason_action(request, queryset, services.return_application, "退回修改")


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "amount", "cause_type", "cause_id", "actor", "note")
    readonly_fields = fields
    ordering = ("-created_at", "-id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Voucher)
class VoucherAdmin(RegionScopedAdmin):
    region_path = "region"
    list_display = (
        "number",
        "enterprise",
        "region",
        "kind",
        "year",
        "issued_amount",
        "held_amount",
        "consumed_amount",
        "remaining_amount",
        "valid_until",
        "status",
    )
    list_filter = ("status", "region", "year", "kind", "source")
    search_fields = ("number", "enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise", "region")
    readonly_fields = [f.name for f in Voucher._meta.fields]
    inlines = [LedgerEntryInline]
    actions = ["void_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="作废（无冻结金额的创新券）", permissions=["change"])
    def void_selected(self, request, queryset):
        for voucher in queryset:
            try:
                services.void_voucher(voucher.pk, actor=request.user, note="区域管理员作废")
            except VoucherError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{voucher.number} 已作废", messages.SUCCESS)


@admin.register(VoucherImport)
class VoucherImportAdmin(RegionScopedAdmin):
    region_path = "programme__region"
    list_display = ("created_at", "programme", "file_name", "row_count", "total_amount", "imported_by")
    list_select_related = ("programme", "programme__region", "imported_by")
    readonly_fields = ("programme", "file_name", "row_count", "total_amount", "imported_by", "created_at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="vouchers_voucherimport_upload"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:vouchers_voucherimport_upload")

    def importable_programmes(self, request):
        ids = self.scoped_region_ids(request)
        qs = VoucherProgramme.objects.select_related("region").order_by("-year", "id")
        if ids is not None:
            qs = qs.filter(region_id__in=ids)
        regions = PilotRegion.objects.all() if ids is None else PilotRegion.objects.filter(pk__in=ids)
        imported = [
            r.pk
            for r in regions
            if r.current_policy and r.current_policy.voucher_source == RegionPolicy.VoucherSource.IMPORTED
        ]
        return qs.filter(region_id__in=imported)

    def upload_view(self, request):
        """导入创新券: upload a CSV; bad rows are listed and nothing is imported."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        programmes = self.importable_programmes(request)
        form = ImportForm(request.POST or None, request.FILES or None, programmes=programmes)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                data = form.cleaned_data
                batch = services.import_vouchers(
                    programme_id=data["programme"].pk, uploaded=data["file"], actor=request.user
                )
            except ImportFileError as error:
                errors = error.errors
                form.add_error("file" if not errors else None, str(error))
            else:
                self.message_user(
                    request, f"已导入 {batch.row_count} 张创新券，合计 {batch.total_amount} 元。", messages.SUCCESS
                )
                return redirect("admin:vouchers_voucherimport_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "导入创新券",
            "opts": self.model._meta,
            "form": form,
            "row_errors": errors,
            "has_programmes": programmes.exists(),
        }
        return TemplateResponse(request, "admin/vouchers/import_upload.html", context)
