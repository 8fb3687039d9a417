"""Catalogue admin (platform administrators): categories are edited here; items are
saved through catalog.services so their search index stays current."""

from django.contrib import admin

from catalog import services
from catalog.models import (
    Institution,
    InstitutionStaff,
    Instrument,
    InstrumentImage,
    ServiceCategory,
    ServiceItem,
    ServiceItemImage,
    SubUnit,
)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "parent", "sort_order", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name",)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)


class SubUnitInline(admin.TabularInline):
    model = SubUnit
    extra = 0


class StaffInline(admin.TabularInline):
    model = InstitutionStaff
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "region", "contact_person", "contact_phone", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "uscc")
    list_select_related = ("region",)
    raw_id_fields = ("region",)
    inlines = [SubUnitInline, StaffInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.record_admin_change("catalog.institution.admin_change", obj, obj, form, change=change)
        if change and "name" in form.changed_data:
            services.reindex_items(institution_id=obj.pk)

    # Staff rows added, moved or deleted here change their users' 卖家中心 link (cached).
    def save_formset(self, request, form, formset, change):
        users = set()
        if formset.model is InstitutionStaff:
            for staff_form in formset.forms:
                users.update({staff_form.initial.get("user"), staff_form.instance.user_id})
        super().save_formset(request, form, formset, change)
        for user_id in users - {None}:
            services.forget_staff(int(getattr(user_id, "pk", user_id)))

    def delete_model(self, request, obj):
        users = list(obj.staff.values_list("user_id", flat=True))
        super().delete_model(request, obj)
        for user_id in users:
            services.forget_staff(user_id)

    def delete_queryset(self, request, queryset):
        users = list(InstitutionStaff.objects.filter(institution__in=queryset).values_list("user_id", flat=True))
        super().delete_queryset(request, queryset)
        for user_id in users:
            services.forget_staff(user_id)


class ItemImageInline(admin.TabularInline):
    model = ServiceItemImage
    extra = 0
    fields = ("thumb", "sort_order")
    readonly_fields = ("thumb",)


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ("name", "institution", "category", "price_type", "price", "is_on_shelf", "created_at")
    list_filter = ("is_on_shelf", "price_type", "region_tags")
    search_fields = ("name", "institution__name")
    list_select_related = ("institution", "category")
    raw_id_fields = ("institution", "sub_unit")
    filter_horizontal = ("region_tags",)
    inlines = [ItemImageInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.record_admin_change("catalog.item.admin_change", obj, obj.institution, form, change=change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.index_item(form.instance)


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ("name", "model_number", "institution", "status", "booking_price", "is_on_shelf")
    list_filter = ("status", "is_on_shelf")
    search_fields = ("name", "model_number", "institution__name")
    list_select_related = ("institution",)
    raw_id_fields = ("institution", "sub_unit")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.record_admin_change("catalog.instrument.admin_change", obj, obj.institution, form, change=change)


admin.site.register(InstrumentImage)
