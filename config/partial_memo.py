"""Partials whose HTML depends only on a few values, rendered once per process (issue 9).

The 买家中心 and 卖家中心 menus are the same on every page but for the entry marked
active: rendering the buyer's nine groups took ~0.6 ms of every buyer page here, about a
tenth of 订单管理. ``{% memo_partial "buyer/_menu.html" menu %}`` renders the partial
with the page's context the first time a key is seen and returns the same HTML after.

The key is the template, the values passed to the tag, and what every URL in the partial
depends on (script prefix, URLconf) and the language. A memoised partial must read
nothing else that varies: no user, no request, no per-request token. Each use is
checked against a plain {% include %} in tests/config/test_partial_memo.py.

Used in templates/buyer/base.html and templates/seller/base.html.
"""

from django import template
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

from config.memo import BoundedMemo, render_in_context

register = template.Library()

# A menu is ~3 KB: one entry per template and active entry, a few dozen in all.
_PARTIALS = BoundedMemo(256)


@register.simple_tag(takes_context=True)
def memo_partial(context, template_name: str, *key):
    memo_key = (template_name, key, get_script_prefix(), get_urlconf(), get_language())
    html = _PARTIALS.get(memo_key)
    if html is None:
        html = _PARTIALS.put(memo_key, render_in_context(context, template_name))
    return html


def clear() -> None:
    """Forget every partial (tests that change the URLconf's names)."""
    _PARTIALS.clear()
