"""Reads of 收藏. The targets a user may favourite are what the public catalogue shows."""

from django.http import Http404

from catalog import selectors as catalog_selectors
from favorites.models import Favorite

KINDS = {k.value for k in Favorite.Kind}


def favorable_target(kind: str, target_id: int):
    """The public object a 收藏 button refers to, or 404 (off-shelf items cannot be added)."""
    if kind == Favorite.Kind.ITEM:
        return catalog_selectors.public_item(target_id)
    if kind == Favorite.Kind.INSTRUMENT:
        return catalog_selectors.public_instrument(target_id)
    if kind == Favorite.Kind.INSTITUTION:
        return catalog_selectors.public_institution(target_id)
    raise Http404("收藏类型不存在")


def is_favorite(user, kind: str, target_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return Favorite.objects.filter(user=user, kind=kind, **{f"{kind}_id": target_id}).exists()


def favorites_for_user(user, kind: str):
    qs = Favorite.objects.filter(user=user, kind=kind)
    if kind == Favorite.Kind.INSTITUTION:
        return qs.select_related("institution__region")
    if kind == Favorite.Kind.ITEM:
        return qs.select_related("item__institution", "item__category").defer(
            "item__search_text", "item__search_vector", "item__description"
        )
    return qs.select_related("instrument__institution")
