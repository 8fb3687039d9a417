from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts import audit
from accounts.admin import UserAdmin
from enterprises import services
from enterprises.admin_scoping import RegionScopedAdmin, RegionScopedMixin
from enterprises.exceptions import EnterpriseError
from enterprises.forms import RegistrationChangeForm, RejectForm
from enterprises.models import (
    Division,
    Enterprise,
    EnterpriseMember,
    JoinApplication,
    JoinApplicationStatusChange,
    PilotRegion,
    RegionAdministrator,
    RegionPolicy,
    RegistrationChange,
)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    # A new division (民政部 announcements) is added by its code; the parent is picked by
    # code too, never from a select of 3,000 rows.
    raw_id_fields = ("parent",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegionPolicyInline(admin.StackedInline):
    model = RegionPolicy
    extra = 0
    ordering = ("-effective_from",)


@admin.register(PilotRegion)
class PilotRegionAdmin(RegionScopedAdmin):
    region_path = "pk"
    list_display = ("name", "code", "division", "is_active", "sort_order")
    inlines = [RegionPolicyInline]
    raw_id_fields = ("division",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record_form_change("pilot_region.save", obj, form, change=change, region_id=obj.pk)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for f in formset.forms:  # the inline policies: each new or changed version is audited
            if f.instance.pk and f.has_changed() and f not in formset.deleted_forms:
                audit.record_form_change(
                    "region_policy.save", f.instance, f, change=bool(f.initial), region_id=f.instance.region_id
                )


@admin.register(RegionPolicy)
class RegionPolicyAdmin(RegionScopedAdmin):
    region_path = "region"
    related_region_paths = {"region": "pk"}
    list_display = ("region", "effective_from", "mode", "quick_redemption", "subsidy_ratio", "notice_days")
    list_filter = ("region", "mode")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record_form_change("region_policy.save", obj, form, change=change, region_id=obj.region_id)


@admin.register(RegionAdministrator)
class RegionAdministratorAdmin(admin.ModelAdmin):
    list_display = ("user", "region")
    list_filter = ("region",)
    raw_id_fields = ("user",)


class EnterpriseMemberInline(admin.TabularInline):
    model = EnterpriseMember
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "is_admin", "created_at")
    readonly_fields = ("created_at",)


class RegistrationChangeInline(admin.TabularInline):
    model = RegistrationChange
    extra = 0
    can_delete = False
    fields = ("field", "old_value", "new_value", "reason", "actor", "created_at")
    readonly_fields = fields
    verbose_name_plural = "注册信息变更记录"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(RegionScopedAdmin):
    """Scoped to the regions the administrator administers. 注册所在地 and 统一社会信用代码
    change only through 修改注册信息 (with a reason and a change row)."""

    region_path = "region"
    list_display = ("name", "uscc", "region", "division", "basic_info_percent_display", "created_at")
    list_filter = ("region",)
    search_fields = ("name", "uscc")
    list_select_related = ("region", "division")
    readonly_fields = ("uscc", "division", "region", "licence_link", "created_at", "updated_at")
    inlines = [EnterpriseMemberInline, RegistrationChangeInline]
    change_form_template = "enterprises/admin/enterprise_change_form.html"
    fieldsets = (
        ("注册信息", {"fields": ("name", "uscc", "division", "region", "licence_link", "created_at", "updated_at")}),
        (
            "基本信息",
            {
                "fields": (
                    "legal_representative",
                    "established_on",
                    "registered_capital",
                    "industry",
                    "employees",
                    "rd_staff",
                    "last_year_revenue",
                    "last_year_rd_spend",
                    "is_high_tech",
                    "high_tech_cert_no",
                    "is_tech_sme",
                    "tech_sme_no",
                    "contact_person",
                    "contact_phone",
                    "address",
                    "introduction",
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record_form_change("enterprise.admin_change", obj, form, change=change, region_id=obj.region_id)

    def has_add_permission(self, request):
        return False  # enterprises register themselves (法人单位注册)

    def get_inlines(self, request, obj):
        # Memberships are managed by the enterprise (用户管理); platform admins may fix them.
        return self.inlines if request.user.is_superuser else [RegistrationChangeInline]

    @admin.display(description="基本信息完整度")
    def basic_info_percent_display(self, obj):
        return f"{obj.basic_info_percent}%"

    @admin.display(description="营业执照")
    def licence_link(self, obj):
        if not obj.pk or not obj.licence:
            return "未上传"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">查看营业执照</a>',
            reverse("enterprises:licence", args=[obj.pk]),
        )

    def get_urls(self):
        custom = [
            path(
                "<int:object_id>/registration/",
                self.admin_site.admin_view(self.registration_view),
                name="enterprises_enterprise_registration",
            )
        ]
        return custom + super().get_urls()

    def registration_view(self, request, object_id):
        enterprise = self.get_queryset(request).select_related("division").filter(pk=object_id).first()
        if enterprise is None:
            raise Http404("对象不存在")
        if not self.has_change_permission(request, enterprise):
            raise PermissionDenied
        form = RegistrationChangeForm(request.POST or None, enterprise=enterprise)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            division = data["division"]
            ids = self.scoped_region_ids(request)
            if ids is not None:
                from enterprises.selectors import region_for_division

                new_region = region_for_division(division) if division else None
                if new_region is None or new_region.pk not in ids:
                    form.add_error("district", "只能变更到您管理的试点区域内。")
            if form.is_valid():
                try:
                    services.change_registration_data(
                        enterprise.pk, request.user, reason=data["reason"], division=division, uscc=data["uscc"]
                    )
                except EnterpriseError as error:
                    form.add_error(error.field if error.field in form.fields else None, error.message)
                else:
                    self.message_user(request, "注册信息已变更，并已记录变更原因。", messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:enterprises_enterprise_change", args=[enterprise.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": enterprise,
            "form": form,
            "title": f"修改注册信息：{enterprise.name}",
        }
        return TemplateResponse(request, "enterprises/admin/registration_change.html", context)


@admin.register(RegistrationChange)
class RegistrationChangeAdmin(RegionScopedAdmin):
    region_path = "enterprise__region"
    list_display = ("enterprise", "field", "old_value", "new_value", "reason", "actor", "created_at")
    list_filter = ("field",)
    list_select_related = ("enterprise", "actor")
    search_fields = ("enterprise__name", "enterprise__uscc")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JoinHistoryInline(admin.TabularInline):
    model = JoinApplicationStatusChange
    extra = 0
    can_delete = False
    fields = ("from_status", "to_status", "note", "actor", "created_at")
    readonly_fields = fields
    verbose_name_plural = "状态记录"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(JoinApplication)
class JoinApplicationAdmin(RegionScopedAdmin):
    """申请加盟 review: 通过 / 驳回 (with reason) call enterprises.services."""

    region_path = "enterprise__region"
    list_display = ("institution_name", "enterprise", "institution_type", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("institution_name", "enterprise__name")
    list_select_related = ("enterprise",)
    actions = ["approve_selected", "reject_selected"]
    inlines = [JoinHistoryInline]
    readonly_fields = (
        "enterprise",
        "applicant",
        "institution_name",
        "institution_type",
        "service_fields",
        "contact_person",
        "contact_phone",
        "address",
        "introduction",
        "files_links",
        "status",
        "reason",
        "decided_by",
        "decided_at",
        "created_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="资质文件")
    def files_links(self, obj):
        links = [
            format_html('<a href="{}">{}</a>', reverse("enterprises:join_file", args=[f.pk]), f.original_name)
            for f in obj.files.all()
        ]
        return format_html("<br>".join(["{}"] * len(links)), *links) if links else "无"

    def _decide(self, request, queryset, *, approve: bool, reason: str = ""):
        done = 0
        for application in queryset:
            try:
                services.decide_join_application(application.pk, request.user, approve=approve, reason=reason)
                done += 1
            except EnterpriseError as error:
                self.message_user(request, f"{application.institution_name}：{error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"已{'通过' if approve else '驳回'} {done} 个申请。", messages.SUCCESS)

    @admin.action(description="通过所选申请", permissions=["change"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="驳回所选申请（填写原因）", permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._decide(request, queryset, approve=False, reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action": "reject_selected",
            "title": "驳回申请加盟",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "enterprises/admin/join_reject.html", context)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ScopedUserAdmin(RegionScopedMixin, UserAdmin):
    """Users, scoped: a regional administrator sees the users of the enterprises registered
    in their regions (view only, by the role's permissions); platform admins see all."""

    region_path = "enterprise_membership__enterprise__region"
    list_select_related = ("enterprise_membership__enterprise",)
    list_display = ("username", "real_name", "masked_phone", "role", "enterprise_name", "is_active", "date_joined")

    @admin.display(description="所属企业")
    def enterprise_name(self, obj):
        membership = getattr(obj, "enterprise_membership", None)
        return membership.enterprise.name if membership else "—"

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404("对象不存在")
