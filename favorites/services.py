"""Writes of 收藏: add / remove / toggle, one transaction each, idempotent."""

from django.db import IntegrityError, transaction

from favorites.models import Favorite


@transaction.atomic
def add_favorite(user, kind: str, target) -> Favorite:
    lookup = {"user": user, "kind": kind, kind: target}
    existing = Favorite.objects.filter(**lookup).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Favorite.objects.create(**lookup)
    except IntegrityError:  # a concurrent click created it first
        return Favorite.objects.get(**lookup)


@transaction.atomic
def remove_favorite(user, kind: str, target_id: int) -> None:
    Favorite.objects.filter(user=user, kind=kind, **{f"{kind}_id": target_id}).delete()


def toggle_favorite(user, kind: str, target) -> bool:
    """Add the favourite if absent, remove it if present; returns whether it is now a favourite."""
    if Favorite.objects.filter(user=user, kind=kind, **{f"{kind}_id": target.pk}).exists():
        remove_favorite(user, kind, target.pk)
        return False
    add_favorite(user, kind, target)
    return True
