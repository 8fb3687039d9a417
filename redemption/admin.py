"""兑付管理 for regional administrators (RegionScopedAdmin): 指派专家, 审核通过 (核定金额),
退回修改 / 审核不通过 / 异议成立 (reasons), 拨付 (single or batch), CSV and ZIP exports.
Every action calls the same services as the pages; forms only collect the input."""

import csv
import io
import zipfile

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.models import User
from enterprises.admin_scoping import RegionScopedAdmin
from redemption import services
from redemption.exceptions import RedemptionError
from redemption.models import Disbursement, ExpertAssignment, RedemptionApplication, Status


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    amount = forms.DecimalField(label="核定金额(元)", max_digits=14, decimal_places=2, min_value=0)
    note = forms.CharField(label="审核意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExpertForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label="专家",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请选择专家"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = User.objects.filter(role=User.Role.EXPERT, is_active=True).order_by("id")
        self.fields["experts"].label_from_instance = lambda u: f"{u.display_name}（{u.username}）"


class DisburseForm(forms.Form):
    paid_on = forms.DateField(label="拨付日期", widget=forms.DateInput(attrs={"type": "date"}))
    bank_reference = forms.CharField(label="银行流水号", max_length=64)
    batch = forms.CharField(label="拨付批次", max_length=64, required=False)


@admin.register(RedemptionApplication)
class RedemptionApplicationAdmin(RegionScopedAdmin):
    region_path = "region"
    # Status first after the number: on a 1366 px screen the last columns are off screen.
    list_display = (
        "id",
        "number_label",
        "status",
        "kind",
        "enterprise",
        "institution",
        "service_total",
        "redeem_amount",
        "approved_amount",
        "experts_label",
        "submitted_at",
        "notice_end",
    )
    list_filter = ("status", "kind", "region")
    search_fields = ("enterprise__name", "institution__name", "voucher__number")
    list_select_related = ("enterprise", "institution")
    list_only = (
        *("id", "kind", "enterprise", "institution", "region", "service_total", "redeem_amount"),
        *("approved_amount", "status", "submitted_at", "notice_end", "created_at"),
        *("enterprise__name", "institution__name"),
    )
    actions = [
        "assign_experts_action",
        "approve_action",
        "return_action",
        "reject_action",
        "objection_action",
        "disburse_action",
        "export_csv",
        "export_zip",
    ]
    fields = (
        "kind",
        "enterprise",
        "voucher",
        "policy",
        "institution",
        "category",
        "service_total",
        "redeem_amount",
        "approved_amount",
        "effect",
        "innovation",
        "note",
        "status",
        "reason",
        "notice_start",
        "notice_end",
        "submitted_at",
        "decided_at",
        "orders_table",
        "invoices_table",
        "attachments_table",
        "reviews_table",
        "history_table",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("assignments__expert")

    @admin.display(description="申请编号")
    def number_label(self, obj):
        return obj.number

    @admin.display(description="专家")
    def experts_label(self, obj):
        rows = obj.assignments.all()
        return "、".join(f"{a.expert.display_name}{'✓' if a.submitted_at else ''}" for a in rows) or "-"

    @admin.display(description="订单")
    def orders_table(self, obj):
        rows = [
            (
                line.order.number,
                line.order.item_name,
                line.amount,
                line.invoice.number if line.invoice else "未上传",
                line.order.get_status_display(),
            )
            for line in obj.lines.select_related("order", "invoice")
        ]
        return format_html_join(mark_safe("<br>"), "{} {} 服务金额{}元 发票{} {}", rows) or "-"

    @admin.display(description="发票")
    def invoices_table(self, obj):
        rows = [
            (i.code, i.number, i.amount, i.issued_on, reverse("redemption:invoice_file", args=[i.pk]))
            for i in obj.invoices.all()
        ]
        return format_html_join(mark_safe("<br>"), '代码{} 号码{} {}元 {} <a href="{}">发票图片</a>', rows) or "-"

    @admin.display(description="其它附件")
    def attachments_table(self, obj):
        rows = [(reverse("redemption:attachment_file", args=[a.pk]), a.display_name) for a in obj.attachments.all()]
        if obj.kind == "claim":
            rows += [
                (reverse("redemption:claim_file", args=[obj.pk, "proof"]), "服务结果证明（订单）"),
                (reverse("redemption:claim_file", args=[obj.pk, "invoice"]), "发票图片（订单）"),
            ]
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>', rows) or "-"

    @admin.display(description="专家评审")
    def reviews_table(self, obj):
        rows = [
            (
                a.expert.display_name,
                a.score if a.score is not None else "-",
                a.recommended_amount if a.recommended_amount is not None else "-",
                "已声明无利益冲突" if a.no_conflict else "",
                a.opinion or "未评审",
            )
            for a in obj.assignments.select_related("expert")
        ]
        return format_html_join(mark_safe("<br>"), "{}：评分{} 建议金额{} {} {}", rows) or "-"

    @admin.display(description="审核记录")
    def history_table(self, obj):
        rows = [
            (
                timezone.localtime(h.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                h.action,
                h.get_from_status_display() or "—",
                h.get_to_status_display(),
                h.actor.display_name if h.actor else "系统",
                h.note,
            )
            for h in obj.history.select_related("actor")
        ]
        return format_html_join(mark_safe("<br>"), "{} {} {} → {} {} {}", rows) or "-"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing is edited in the form: every change goes through an action (a service).
        return super().has_change_permission(request, obj) if obj is None else False

    # --- actions ---------------------------------------------------------------------------

    def _form_page(self, request, queryset, form, label, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "queryset": queryset.select_related("enterprise"),
            "form": form,
            "action": request.POST.get("action"),
            "label": label,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/redemption/action_form.html", context)

    def _each(self, request, queryset, label, call):
        for application in queryset.select_related("enterprise"):
            try:
                call(application)
            except RedemptionError as error:
                self.message_user(request, f"{application.number}（{application.enterprise}）：{error}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{application.number}（{application.enterprise}）：已{label}", messages.SUCCESS
                )

    @admin.action(description="指派专家", permissions=["change"])
    def assign_experts_action(self, request, queryset):
        form = ExpertForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            ids = [u.pk for u in form.cleaned_data["experts"]]
            self._each(request, queryset, "指派专家", lambda a: services.assign_experts(a.pk, ids, actor=request.user))
            return None
        return self._form_page(request, queryset, form, "指派专家", "指派专家：请选择专家")

    @admin.action(description="审核通过（填写核定金额）", permissions=["change"])
    def approve_action(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个兑付申请进行审核通过", messages.WARNING)
            return None
        application = queryset.first()
        most = services.approvable_amount(application)
        initial = {"amount": most}
        form = ApproveForm(request.POST if "apply" in request.POST else None, initial=initial)
        if "apply" in request.POST and form.is_valid():
            try:
                services.approve_application(
                    application.pk,
                    actor=request.user,
                    amount=form.cleaned_data["amount"],
                    note=form.cleaned_data["note"],
                )
            except RedemptionError as error:
                form.add_error("amount" if error.field == "amount" else None, str(error))
            else:
                self.message_user(request, f"{application.number}：已审核通过，进入公示", messages.SUCCESS)
                return None
        return self._form_page(
            request,
            queryset,
            form,
            "审核通过",
            f"审核通过：兑现金额{application.redeem_amount}元，核定金额最多{most}元，请填写核定金额",
        )

    def _reason_action(self, request, queryset, service, label):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(request, queryset, label, lambda a: service(a.pk, actor=request.user, reason=reason))
            return None
        return self._form_page(request, queryset, form, label, f"{label}：请填写原因")

    @admin.action(description="退回修改（填写原因）", permissions=["change"])
    def return_action(self, request, queryset):
        return self._reason_action(request, queryset, services.return_application, "退回修改")

    @admin.action(description="审核不通过（填写原因）", permissions=["change"])
    def reject_action(self, request, queryset):
        return self._reason_action(request, queryset, services.reject_application, "审核不通过")

    @admin.action(description="异议成立（公示中，填写原因）", permissions=["change"])
    def objection_action(self, request, queryset):
        return self._reason_action(request, queryset, services.record_objection, "异议成立")

    @admin.action(description="拨付（批量登记）", permissions=["change"])
    def disburse_action(self, request, queryset):
        form = DisburseForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                done = services.disburse_batch(
                    list(queryset.values_list("pk", flat=True)),
                    actor=request.user,
                    paid_on=data["paid_on"],
                    bank_reference=data["bank_reference"],
                    batch=data["batch"],
                )
            except RedemptionError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
            else:
                self.message_user(request, f"已登记拨付 {len(done)} 个兑付申请", messages.SUCCESS)
                return None
        return self._form_page(request, queryset, form, "拨付", "拨付：登记拨付日期与银行流水号")

    @admin.action(description="导出兑付申请（CSV）", permissions=["view"])
    def export_csv(self, request, queryset):
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel opens UTF-8 with a BOM
        writer = csv.writer(buffer)
        writer.writerow(
            [
                "申请编号",
                "兑付类型",
                "区域",
                "企业",
                "服务机构",
                "券号",
                "服务总金额(元)",
                "兑现金额(元)",
                "核定金额(元)",
            ]
            + ["状态", "提交时间", "公示开始", "公示结束", "拨付日期", "银行流水号"]
        )
        rows = queryset.select_related("enterprise__region", "institution", "voucher").prefetch_related("disbursement")
        for a in rows.order_by("id"):
            paid = getattr(a, "disbursement", None) if a.status == Status.PAID else None
            writer.writerow(
                [
                    a.number,
                    a.get_kind_display(),
                    a.enterprise.region.name if a.enterprise.region_id else "",
                    _csv_safe(a.enterprise.name),
                    _csv_safe(a.institution.name if a.institution_id else ""),
                    a.voucher.number,
                    a.service_total,
                    a.redeem_amount,
                    a.approved_amount if a.approved_amount is not None else "",
                    a.get_status_display(),
                    timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
                    a.notice_start or "",
                    a.notice_end or "",
                    paid.paid_on if paid else "",
                    _csv_safe(paid.bank_reference) if paid else "",
                ]
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''redemption-applications.csv"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @admin.action(description="导出申请材料（ZIP，单个申请）", permissions=["view"])
    def export_zip(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "请只选择一个兑付申请导出材料", messages.WARNING)
            return None
        application = queryset.first()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for n, attachment in enumerate(application.attachments.all(), start=1):
                ext = attachment.file.name.rsplit(".", 1)[-1]
                with attachment.file.open("rb") as handle:
                    archive.writestr(f"附件/{n:02d}.{ext}", handle.read())
            for invoice in application.invoices.all():
                ext = invoice.image.name.rsplit(".", 1)[-1]
                with invoice.image.open("rb") as handle:
                    archive.writestr(f"发票/{invoice.code}-{invoice.number}.{ext}", handle.read())
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{application.number}.zip"
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _csv_safe(value: str) -> str:
    """No spreadsheet formulas from user text."""
    value = str(value or "")
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@admin.register(Disbursement)
class DisbursementAdmin(RegionScopedAdmin):
    region_path = "application__region"
    list_display = ("application", "paid_on", "amount", "bank_reference", "batch", "recorded_by")
    list_select_related = ("application", "recorded_by")
    list_filter = ("paid_on",)
    search_fields = ("bank_reference", "batch")
    readonly_fields = ("application", "paid_on", "amount", "bank_reference", "batch", "recorded_by", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(admin.ModelAdmin):
    """专家评审 in admin: an expert sees only what is assigned to them and reviews it on the
    expert page (the same service as everywhere)."""

    list_display = ("application", "enterprise_label", "status_label", "score", "submitted_at", "review_link")
    list_select_related = ("application", "application__enterprise")
    readonly_fields = ("application", "expert", "score", "opinion", "recommended_amount", "no_conflict", "submitted_at")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(expert=request.user)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Someone else's assignment is a 404, never "does not exist" with a redirect.
        raise Http404("对象不存在")

    @admin.display(description="申请单位")
    def enterprise_label(self, obj):
        return obj.application.enterprise.name

    @admin.display(description="申请状态")
    def status_label(self, obj):
        return obj.application.get_status_display()

    @admin.display(description="评审")
    def review_link(self, obj):
        url = reverse("redemption:expert_review", args=[obj.application_id])
        return format_html('<a class="button" href="{}">{}</a>', url, "评审" if obj.submitted_at is None else "查看")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
