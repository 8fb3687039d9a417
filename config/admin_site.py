"""Project-wide additions to django.contrib.admin.site (kept as the one admin site):
the audit trail's admin, the work-queue home page for administrators and the
统计分析 page. Imported once by config/urls.py before ``admin.site.urls`` is built.

The site instance is extended, not replaced: its ``index`` gets the work queue in its
context and its ``get_urls`` gains /admin/statistics/ (both wrapped in admin_view, so
staff only)."""

from django.contrib import admin
from django.urls import get_script_prefix, path

from config import admin_audit, admin_messaging  # noqa: F401  (register AuditEntry, scoped 站内信)
from config.admin_home import work_queue

_site = admin.site
_original_index = _site.index
_original_get_urls = _site.get_urls
_original_get_app_list = _site.get_app_list


def index(request, extra_context=None):
    context = {"work_queue": work_queue(request.user), **(extra_context or {})}
    return _original_index(request, context)


def get_app_list(request, app_label=None):
    """Every admin page lists the apps and models the user may see (the sidebar): ~5 ms of
    permission checks a request (issue 9). The list depends only on who the user is and the
    permissions they hold (no model admin here looks at anything else), so it is
    remembered per process under exactly that."""
    key = app_list_key(request, app_label)
    app_list = _APP_LISTS.get(key)
    if app_list is None:
        if len(_APP_LISTS) >= _APP_LISTS_MAX:
            _APP_LISTS.pop(next(iter(_APP_LISTS)))  # the oldest entry
        app_list = _APP_LISTS[key] = tuple(_original_get_app_list(request, app_label))
    return list(app_list)


def app_list_key(request, app_label=None) -> tuple:
    """Everything the app list depends on."""
    user = request.user
    return (
        user.pk,
        user.is_active,
        user.is_staff,
        user.is_superuser,
        frozenset(user.get_all_permissions()),
        app_label,
        get_script_prefix(),
    )


_APP_LISTS: dict[tuple, tuple] = {}
_APP_LISTS_MAX = 1024


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
    _site.get_app_list = get_app_list
    _site._platform_extended = True
