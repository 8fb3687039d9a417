"""额度确认 in admin (DESIGN §2, §4): administrators of the BUYER's region see that region's
orders; the change list opens on the 待额度确认 queue with the voucher, its remaining
amount and the share 确认额度 would hold. Every action calls orders.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from config.menus import pk_url
from enterprises.admin_scoping import RegionScopedAdmin
from orders import services
from orders.exceptions import OrderError
from orders.models import Order, OrderReview, OrderStatus


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class QueueStatusFilter(admin.SimpleListFilter):
    """订单状态, opening on 待额度确认 (the queue)."""

    title = "订单状态"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [(self.ALL, "全部"), *OrderStatus.choices]

    def choices(self, changelist):
        value = self.value() or OrderStatus.PENDING_QUOTA
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or OrderStatus.PENDING_QUOTA
        if value == self.ALL:
            return queryset
        if value not in OrderStatus.values:
            return queryset.none()
        return queryset.filter(status=value)


@admin.register(Order)
class OrderAdmin(RegionScopedAdmin):
    region_path = "region"
    # The decision columns (status, the 额度确认 / 终止订单 button) come first: on a
    # 1366 px screen with both sidebars open the last columns are off screen.
    list_display = (
        "number",
        "status",
        "quota_link",
        "enterprise",
        "item_name",
        "mode",
        "amount",
        "voucher_number",
        "voucher_remaining",
        "share_to_hold",
    )
    list_filter = (QueueStatusFilter, "mode", "region")
    search_fields = ("number", "enterprise__name", "item_name", "institution_name")
    list_select_related = ("enterprise", "voucher", "policy")
    list_only = (
        *("id", "number", "enterprise", "region", "item_name", "mode", "amount", "voucher", "policy"),
        *("voucher_share", "status", "created_at", "enterprise__name", "voucher__number"),
        *("voucher__remaining_amount", "policy__subsidy_ratio"),
    )
    actions = ["confirm_selected", "reject_quota_selected", "terminate_selected"]
    fields = (
        "number",
        "enterprise",
        "item_name",
        "institution_name",
        "sub_unit_name",
        "mode",
        "voucher",
        "policy",
        "price_type",
        "unit_price",
        "quantity",
        "amount",
        "amount_confirmed",
        "voucher_share",
        "share_to_hold",
        "status",
        "reason",
        "project_info",
        "contact_info",
        "basic_situation",
        "demand",
        "expected_results",
        "parent",
        "redemption_amount",
        "redemption_requested_at",
        "redemption_files",
        "created_at",
        "quota_link",
        "history_table",
    )
    readonly_fields = fields

    @admin.display(description="券号")
    def voucher_number(self, obj):
        return obj.voucher.number if obj.voucher_id else "-"

    @admin.display(description="券剩余金额(元)")
    def voucher_remaining(self, obj):
        return obj.voucher.remaining_amount if obj.voucher_id else "-"

    @admin.display(description="应冻结额度(元)")
    def share_to_hold(self, obj):
        if not obj.voucher_id:
            return "-"
        if obj.status != OrderStatus.PENDING_QUOTA:
            return obj.voucher_share
        return services.quota_share(obj)

    @admin.display(description="操作")
    def quota_link(self, obj):
        if obj.pk is None:
            return "-"
        # pk_url: the queue's twenty rows reversed these URLs for ~0.3 ms a page (issue 9).
        if obj.status == OrderStatus.PENDING_QUOTA:
            return format_html('<a class="button" href="{}">额度确认</a>', pk_url("admin:orders_order_quota", obj.pk))
        if obj.status == OrderStatus.IN_SERVICE and obj.voucher_id:
            url = pk_url("admin:orders_order_terminate", obj.pk)
            return format_html('<a class="button" href="{}">终止订单</a>', url)
        return "-"

    @admin.display(description="兑付材料")
    def redemption_files(self, obj):
        links = []
        if obj.redemption_proof:
            links.append((reverse("orders:file", args=[obj.pk, "proof"]), obj.redemption_proof_name or "服务结果证明"))
        if obj.redemption_invoice:
            links.append((reverse("orders:file", args=[obj.pk, "invoice"]), "发票图片"))
        return format_html_join(mark_safe("　"), '<a href="{}">{}</a>', links) or "-"

    @admin.display(description="订单记录")
    def history_table(self, obj):
        rows = [
            (
                h.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                h.action,
                h.get_from_status_display() or "—",
                h.get_to_status_display(),
                h.actor.display_name if h.actor else "系统",
                h.note,
            )
            for h in obj.history.select_related("actor")
        ]
        return format_html_join(mark_safe("<br>"), "{} {}：{} → {}（{}）{}", rows) or "-"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        status = request.GET.get(QueueStatusFilter.parameter_name)
        title = "额度确认：待额度确认的订单" if status in (None, OrderStatus.PENDING_QUOTA) else "订单"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def get_urls(self):
        return [
            path("<int:pk>/quota/", self.admin_site.admin_view(self.quota_view), name="orders_order_quota"),
            path("<int:pk>/terminate/", self.admin_site.admin_view(self.terminate_view), name="orders_order_terminate"),
            *super().get_urls(),
        ]

    def _get_scoped(self, request, pk) -> Order:
        order = (
            self.get_queryset(request)
            .select_related("enterprise", "enterprise__region", "voucher", "policy")
            .filter(pk=pk)
            .first()
        )
        if order is None:
            raise Http404("订单不存在")
        return order

    def quota_view(self, request, pk):
        """确认额度 / 额度不通过 (reason) for one order of the admin's region."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        order = self._get_scoped(request, pk)
        form = ReasonForm(request.POST if request.POST.get("decision") == "reject" else None)
        error = ""
        if request.method == "POST":
            try:
                if request.POST.get("decision") == "confirm":
                    services.confirm_quota(order.pk, actor=request.user)
                    self.message_user(request, f"订单 {order.number} 已确认额度。", messages.SUCCESS)
                    return redirect("admin:orders_order_change", order.pk)
                if request.POST.get("decision") == "reject" and form.is_valid():
                    services.reject_quota(order.pk, actor=request.user, reason=form.cleaned_data["reason"])
                    self.message_user(request, f"订单 {order.number} 额度不通过，已关闭。", messages.SUCCESS)
                    return redirect("admin:orders_order_change", order.pk)
            except OrderError as exc:
                error = str(exc)
            order = self._get_scoped(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"额度确认：{order.number}",
            "opts": self.model._meta,
            "order": order,
            "share": services.quota_share(order) if order.voucher_id else None,
            "form": form,
            "error": error,
        }
        return TemplateResponse(request, "admin/orders/quota.html", context)

    def terminate_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        order = self._get_scoped(request, pk)
        form = ReasonForm(request.POST or None)
        error = ""
        if request.method == "POST" and form.is_valid():
            try:
                services.terminate_order(order.pk, actor=request.user, reason=form.cleaned_data["reason"])
            except OrderError as exc:
                error = str(exc)
            else:
                self.message_user(request, f"订单 {order.number} 已终止。", messages.SUCCESS)
                return redirect("admin:orders_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"终止订单：{order.number}",
            "opts": self.model._meta,
            "order": order,
            "form": form,
            "error": error,
        }
        return TemplateResponse(request, "admin/orders/terminate.html", context)

    @admin.action(description="确认额度", permissions=["change"])
    def confirm_selected(self, request, queryset):
        for order in queryset:
            try:
                services.confirm_quota(order.pk, actor=request.user)
            except OrderError as error:
                self.message_user(request, f"{order.number}：{error}", messages.ERROR)
            else:
                self.message_user(request, f"{order.number}：已确认额度", messages.SUCCESS)

    def _reason_action(self, request, queryset, service, label):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for order in queryset:
                try:
                    service(order.pk, reason=form.cleaned_data["reason"], actor=request.user)
                except OrderError as error:
                    self.message_user(request, f"{order.number}：{error}", messages.ERROR)
                else:
                    self.message_user(request, f"{order.number}：已{label}", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": f"{label}：请填写原因",
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action": request.POST.get("action"),
            "label": label,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/orders/reason_action.html", context)

    @admin.action(description="额度不通过（填写原因）", permissions=["change"])
    def reject_quota_selected(self, request, queryset):
        return self._reason_action(request, queryset, services.reject_quota, "额度不通过")

    @admin.action(description="终止订单（填写原因）", permissions=["change"])
    def terminate_selected(self, request, queryset):
        return self._reason_action(request, queryset, services.terminate_order, "终止订单")


@admin.register(OrderReview)
class OrderReviewAdmin(RegionScopedAdmin):
    region_path = "enterprise__region"
    list_display = ("order", "institution", "enterprise", "rating", "created_at")
    list_select_related = ("order", "institution", "enterprise")
    readonly_fields = ("order", "item", "institution", "enterprise", "author", "rating", "comment", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
