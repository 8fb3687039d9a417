"""Whole-page cache of the public read-only pages for anonymous visitors (issue 9).

Home, search, service item and instrument detail, shop and 兑付公示 are the same for
every anonymous visitor, so their HTML is cached (key: the full URL and a version
number). Any save or delete of a model these pages show — the catalogue, pilot regions and
policies, reviews, redemption applications — bumps the version, so the next request
renders afresh; ``PAGE_CACHE_SECONDS`` bounds what bulk ``UPDATE``s (which send no
signal) can leave stale. A request with a session or a pending message, a non-GET request,
or a response that sets a cookie is never cached. The middleware sits last, so the
security headers (CSP, frame options, ...) are still added to every cached response.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse

CACHED_VIEWS = frozenset(
    {
        "home",
        "catalog:search",
        "catalog:item_detail",
        "catalog:instrument_detail",
        "catalog:shop",
        "redemption:notice_list",
    }
)
VERSION_KEY = "page-cache:version"
# Models whose change can show on a cached page: app label -> model names (None = all).
WATCHED = {
    "catalog": None,
    "enterprises": {"pilotregion", "regionpolicy", "division"},
    "orders": {"orderreview"},
    "redemption": {"redemptionapplication", "applicationorder", "disbursement"},
    "favorites": None,
}


def _seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 0) or 0)


def version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:
        cache.add(VERSION_KEY, 1, None)
        value = cache.get(VERSION_KEY) or 1
    return value


def bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, 2, None)


def _watched(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in WATCHED:
        return False
    names = WATCHED[meta.app_label]
    return names is None or meta.model_name in names


def _on_change(sender, **kwargs):
    if _watched(sender):
        bump()


post_save.connect(_on_change, dispatch_uid="page_cache_post_save")
post_delete.connect(_on_change, dispatch_uid="page_cache_post_delete")
m2m_changed.connect(_on_change, dispatch_uid="page_cache_m2m")


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key and response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False):
            cache.set(key, (response.content, response["Content-Type"]), _seconds())
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        seconds = _seconds()
        match = request.resolver_match
        if (
            seconds <= 0
            or request.method != "GET"
            or match is None
            or match.view_name not in CACHED_VIEWS
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES
            or request.headers.get("HX-Request")
        ):
            return None
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"page-cache:{version()}:{digest}"
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        request._page_cache_key = key
        return None
