"""评价 on the catalogue's pages: ``{% load order_reviews %}`` then ``{% item_reviews item %}``
or ``{% shop_reviews institution %}`` (two queries, whatever the number of reviews)."""

from django import template

from orders import selectors

register = template.Library()


@register.inclusion_tag("orders/partials/reviews.html")
def item_reviews(item):
    reviews, stats = selectors.reviews_for_item(item.pk)
    return {"reviews": reviews, "stats": stats, "title": "服务评价"}


@register.inclusion_tag("orders/partials/reviews.html")
def shop_reviews(institution):
    reviews, stats = selectors.reviews_for_institution(institution.pk)
    return {"reviews": reviews, "stats": stats, "title": "店铺评价", "show_item": True}
