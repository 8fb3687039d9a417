from django.urls import reverse
from django.utils.functional import SimpleLazyObject


def seller_center(request):
    """``seller_center_url`` for institution staff (the header's 卖家中心 link); lazy, so
    pages that do not show the header pay nothing."""

    def url():
        from catalog.selectors import staff_for_user

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return ""
        return reverse("catalog:seller_home") if staff_for_user(user) else ""

    return {"seller_center_url": SimpleLazyObject(url)}
