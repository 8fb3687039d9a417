"""The admin's navigation sidebar, rendered once per user, permissions and page (issue 9).

Django renders admin/nav_sidebar.html on every admin page: every app and model the user
may see, with links; ~1.2 ms of a 13 ms change list here. Its HTML depends only on the app
list (remembered per process by config.admin_site.get_app_list under app_list_key) and
on which of its URLs the current path contains (the "current" app and model). Both make
the key here, so a page gets exactly the HTML Django's template gives it
(tests/admin/test_sidebar_cache.py compares them).

Used through ``{% cached_nav_sidebar %}`` in templates/admin/base_site.html.
"""

from django import template
from django.template.defaultfilters import urlencode
from django.utils.translation import get_language

from config.admin_site import app_list_key
from config.memo import BoundedMemo, render_in_context

register = template.Library()

# 10–19 KB a sidebar here: at most ~10 MB a worker; an administrator browsing touches
# about twenty models, and a sidebar that dropped out costs ~1 ms to render again.
_SIDEBARS = BoundedMemo(512)


def _current_urls(app_list, path: str) -> tuple[str, ...]:
    """The app and model URLs the template's ``in request.path|urlencode`` tests accept."""
    quoted = urlencode(path)
    urls = []
    for app in app_list:
        urls.append(app["app_url"])
        urls.extend(model["admin_url"] for model in app["models"] if model.get("admin_url"))
    return tuple(url for url in urls if url in quoted)


@register.simple_tag(takes_context=True)
def cached_nav_sidebar(context):
    request = context["request"]
    app_list = context.get("available_apps") or []
    key = (app_list_key(request), _current_urls(app_list, request.path), get_language())
    html = _SIDEBARS.get(key)
    if html is None:
        html = _SIDEBARS.put(key, render_in_context(context, "admin/nav_sidebar.html"))
    return html
