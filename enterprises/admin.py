from django.contrib import admin

from enterprises.models import Division, Enterprise, EnterpriseMember, PilotRegion, RegionAdministrator, RegionPolicy


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegionPolicyInline(admin.StackedInline):
    model = RegionPolicy
    extra = 0
    ordering = ("-effective_from",)


@admin.register(PilotRegion)
class PilotRegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "division", "is_active", "sort_order")
    inlines = [RegionPolicyInline]
    raw_id_fields = ("division",)


@admin.register(RegionPolicy)
class RegionPolicyAdmin(admin.ModelAdmin):
    list_display = ("region", "effective_from", "mode", "quick_redemption", "subsidy_ratio", "notice_days")
    list_filter = ("region", "mode")


@admin.register(RegionAdministrator)
class RegionAdministratorAdmin(admin.ModelAdmin):
    list_display = ("user", "region")
    list_filter = ("region",)
    raw_id_fields = ("user",)


class EnterpriseMemberInline(admin.TabularInline):
    model = EnterpriseMember
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "region", "division", "created_at")
    list_filter = ("region",)
    search_fields = ("name", "uscc")
    list_select_related = ("region", "division")
    raw_id_fields = ("division",)
    inlines = [EnterpriseMemberInline]
