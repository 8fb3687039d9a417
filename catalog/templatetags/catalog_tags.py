from django import template

from catalog import selectors

register = template.Library()


@register.inclusion_tag("catalog/partials/home_panel.html")
def home_catalog():
    """The home page's categories and recent items (a fixed number of queries)."""
    return {"categories": selectors.categories_tree(), "recent_items": list(selectors.recent_items(8))}
