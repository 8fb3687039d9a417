"""Template filters for list pages (``{% load pk_urls %}``, registered in TEMPLATES):
``{{ o.pk|pk_url:"orders:buyer_detail" }}`` is ``{% url "orders:buyer_detail" o.pk %}``
without reversing the URL again for every row (config.menus.pk_url)."""

from django import template

from config.menus import pk_url as _pk_url

register = template.Library()


@register.filter
def pk_url(pk, name: str) -> str:
    return _pk_url(name, pk)
