"""Admin of the audit trail (审计日志): read-only, filterable, exportable as CSV.

Platform administrators see every row; a regional administrator only the rows of the
regions they administer (AuditEntry.region_id, a plain integer: accounts cannot hold a
foreign key to enterprises, so the scoping is region_id__in rather than a region path).
Nobody can add, change or delete a row here (and the database refuses it anyway)."""

import csv
import json

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import AuditEntry
from enterprises.admin_scoping import RegionScopedMixin
from enterprises.models import PilotRegion


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """A streamed CSV (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class AuditRegionFilter(admin.SimpleListFilter):
    title = "区域"
    parameter_name = "region"

    def lookups(self, request, model_admin):
        ids = model_admin.scoped_region_ids(request)
        regions = PilotRegion.objects.order_by("sort_order", "code")
        if ids is not None:
            regions = regions.filter(pk__in=ids)
        return [(str(r.pk), r.name) for r in regions]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(region_id=int(value))
        return queryset


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


class AuditEntryAdmin(RegionScopedMixin, admin.ModelAdmin):
    region_path = "region_id"  # a plain integer column: region_id__in=<administered ids>
    list_display = ("created_at", "actor_label", "ip", "action", "object_type", "object_label", "region_name", "note")
    list_filter = ("action", "object_type", AuditRegionFilter, ("created_at", admin.DateFieldListFilter))
    search_fields = ("object_label", "object_id", "actor_label", "note", "action")
    date_hierarchy = None
    list_per_page = 50
    readonly_fields = [f.name for f in AuditEntry._meta.fields] + ["before_pretty", "after_pretty"]
    fields = (
        "created_at",
        "actor_label",
        "ip",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "region_id",
        "before_pretty",
        "after_pretty",
        "note",
    )
    actions = None  # no bulk delete

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        from django.http import Http404

        raise Http404("对象不存在")

    @admin.display(description="区域")
    def region_name(self, obj):
        names = getattr(self, "_region_names", None)
        if names is None:
            names = dict(PilotRegion.objects.values_list("pk", "name"))
            self._region_names = names
        return names.get(obj.region_id, "—") if obj.region_id else "—"

    def changelist_view(self, request, extra_context=None):
        self._region_names = None
        extra_context = {**(extra_context or {}), "audit_export_query": request.GET.urlencode()}
        return super().changelist_view(request, extra_context)

    @admin.display(description="变更前")
    def before_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.before, ensure_ascii=False, indent=2)) if obj.before else "—"

    @admin.display(description="变更后")
    def after_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.after, ensure_ascii=False, indent=2)) if obj.after else "—"

    def get_urls(self):
        return [
            path("export/", self.admin_site.admin_view(self.export_csv), name="accounts_auditentry_export"),
            *super().get_urls(),
        ]

    def export_csv(self, request):
        """导出CSV: the rows of the change list as filtered (and scoped) right now."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).order_by("-created_at", "-id")
        names = dict(PilotRegion.objects.values_list("pk", "name"))
        header = ["时间", "操作人", "IP地址", "操作", "对象类型", "对象编号", "对象", "区域"]
        header += ["变更前", "变更后", "备注"]

        def rows():
            for e in queryset.iterator(chunk_size=500):
                yield [
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                    e.actor_label,
                    e.ip or "",
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.object_label,
                    names.get(e.region_id, ""),
                    _json(e.before),
                    _json(e.after),
                    e.note,
                ]

        return csv_response("audit.csv", header, rows())


def export_url(query: str = "") -> str:
    url = reverse("admin:accounts_auditentry_export")
    return f"{url}?{query}" if query else url


if not admin.site.is_registered(AuditEntry):
    admin.site.register(AuditEntry, AuditEntryAdmin)
