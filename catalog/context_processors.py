from django.utils.functional import SimpleLazyObject


def seller_center(request):
    """``seller_center_url`` for institution staff (the header's 卖家中心 link); lazy, so
    pages that do not show the header pay nothing, and without a query on most pages
    (catalog.selectors.shows_seller_center)."""

    def url():
        from catalog.selectors import shows_seller_center
        from config.menus import url_or_none

        user = getattr(request, "user", None)
        if user is None or not shows_seller_center(user):
            return ""
        return url_or_none("catalog:seller_home")

    return {"seller_center_url": SimpleLazyObject(url)}
