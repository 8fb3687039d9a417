"""Project-wide additions to django.contrib.admin.site (kept as the one admin site):
the audit trail's admin, the work-queue home page for administrators and the
统计分析 page. Imported once by config/urls.py before ``admin.site.urls`` is built.

The site instance is extended, not replaced: its ``index`` gets the work queue in its
context and its ``get_urls`` gains /admin/statistics/ (both wrapped in admin_view, so
staff only)."""

from django.contrib import admin
from django.urls import path

from config import admin_audit, admin_messaging  # noqa: F401  (register AuditEntry, scoped 站内信)
from config.admin_home import work_queue

_site = admin.site
_original_index = _site.index
_original_get_urls = _site.get_urls


def index(request, extra_context=None):
    context = {"work_queue": work_queue(request.user), **(extra_context or {})}
    return _original_index(request, context)


def get_urls():
    from config import statistics_views

    return [
        path("statistics/", _site.admin_view(statistics_views.statistics), name="statistics"),
        path("statistics/export/<slug:table>.csv", _site.admin_view(statistics_views.export), name="statistics_export"),
        *_original_get_urls(),
    ]


if not getattr(_site, "_platform_extended", False):
    _site.index = index
    _site.get_urls = get_urls
    _site._platform_extended = True
