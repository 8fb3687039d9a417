"""Reads of the catalogue and the access helpers every view uses (DESIGN §3)."""

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from catalog.models import (
    Institution,
    InstitutionStaff,
    Instrument,
    ServiceCategory,
    ServiceItem,
    ServiceItemImage,
    SubUnit,
)

# staff_for_user keeps its answer on the user object it was given, so the view's access
# check, the seller menu and the header's 卖家中心 link share one query. The request's user
# arrives with it already (accounts.identity loads it with the user and remembers both).
# catalog.services forgets it when it changes that user's staff row.
STAFF_MEMO = "_catalog_institution_staff"
_UNKNOWN = object()


def staff_for_user(user) -> InstitutionStaff | None:
    if not getattr(user, "is_authenticated", False):
        return None
    staff = getattr(user, STAFF_MEMO, _UNKNOWN)
    if staff is _UNKNOWN:
        staff = load_staff(user)
        setattr(user, STAFF_MEMO, staff)
    return staff


def load_staff(user) -> InstitutionStaff | None:
    return InstitutionStaff.objects.select_related("institution").filter(user=user).first()


def institution_for_user(user) -> Institution | None:
    """The institution the user works for (卖家中心), or None."""
    staff = staff_for_user(user)
    return staff.institution if staff else None


def require_institution(user) -> Institution:
    """The institution the user works for; a user who works for none gets a 404."""
    institution = institution_for_user(user)
    if institution is None:
        raise Http404("没有关联的服务机构")
    return institution


def is_institution_admin(user) -> bool:
    staff = staff_for_user(user)
    return bool(staff and staff.is_admin)


# The header's 卖家中心 link is on every logged-in page, for buyers too: any role can be
# institution staff (an enterprise's applicant becomes its administrator when 申请加盟 is
# approved and keeps the enterprise role; the admin's staff inline takes any user), so the
# answer comes from the view's own lookup when it made one, else from a per-user flag in
# the cache that catalog.services and the admin drop on every write to InstitutionStaff.
# The timeout only bounds a write that bypassed them. The pages themselves check access
# on every request (catalog.views.seller_view and the *_for_user helpers), never by this.
SELLER_CENTER_CACHE_SECONDS = 300


def seller_center_cache_key(user_id: int) -> str:
    return f"catalog:staff:{user_id}"


def shows_seller_center(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    staff = getattr(user, STAFF_MEMO, _UNKNOWN)
    if staff is not _UNKNOWN:
        return staff is not None
    key = seller_center_cache_key(user.pk)
    flag = cache.get(key)
    if flag is None:
        flag = InstitutionStaff.objects.filter(user=user).exists()
        cache.set(key, flag, SELLER_CENTER_CACHE_SECONDS)
    return flag


# --- Public reads -------------------------------------------------------------------------

LIST_DEFER = ("search_text", "search_vector", "description")


def with_card_data(queryset):
    """What an item card shows besides the item, in the same query (no prefetch round
    trips): ``tag_names`` (its region tags) and ``thumb_name`` (its first thumbnail)."""
    tags = (
        ServiceItem.region_tags.through.objects.filter(serviceitem_id=OuterRef("pk"))
        .order_by()
        .values("serviceitem_id")
        .annotate(names=ArrayAgg("pilotregion__name", order_by=("pilotregion__sort_order", "pilotregion__code")))
        .values("names")
    )
    thumb = ServiceItemImage.objects.filter(item_id=OuterRef("pk")).order_by("sort_order", "id").values("thumb")[:1]
    return queryset.annotate(tag_names=Subquery(tags), thumb_name=Subquery(thumb))


def public_items():
    """On-shelf items of open shops, ready for a list of item cards (one query)."""
    return with_card_data(
        ServiceItem.objects.filter(is_on_shelf=True, institution__is_active=True)
        .select_related("institution", "category")
        .defer(*LIST_DEFER)
    )


def public_item(item_id) -> ServiceItem:
    """A service item page: on shelf in an open shop, else 404."""
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        raise Http404("服务项目不存在")
    return get_object_or_404(
        ServiceItem.objects.filter(is_on_shelf=True, institution__is_active=True)
        .select_related("institution", "institution__region", "category__parent__parent", "sub_unit")
        .prefetch_related("region_tags", "images")
        .defer("search_text", "search_vector"),
        pk=item_id,
    )


def public_instruments():
    return (
        Instrument.objects.filter(is_on_shelf=True, institution__is_active=True)
        .select_related("institution")
        .prefetch_related("images")
    )


def public_instrument(instrument_id) -> Instrument:
    return get_object_or_404(public_instruments().select_related("institution__region", "sub_unit"), pk=instrument_id)


def public_institution(institution_id) -> Institution:
    return get_object_or_404(Institution.objects.filter(is_active=True).select_related("region"), pk=institution_id)


def categories_tree() -> list[ServiceCategory]:
    """Active first-level categories with their children and grandchildren (3 queries)."""
    return list(
        ServiceCategory.objects.filter(level=1, is_active=True).prefetch_related(
            Prefetch(
                "children",
                queryset=ServiceCategory.objects.filter(is_active=True).prefetch_related(
                    Prefetch("children", queryset=ServiceCategory.objects.filter(is_active=True))
                ),
            )
        )
    )


def third_level_ids_under(category: ServiceCategory) -> list[int]:
    if category.level == ServiceCategory.Level.THIRD:
        return [category.pk]
    if category.level == ServiceCategory.Level.SECOND:
        return list(ServiceCategory.objects.filter(parent=category).values_list("pk", flat=True))
    return list(ServiceCategory.objects.filter(parent__parent=category).values_list("pk", flat=True))


def recent_items(limit: int = 8):
    return public_items().order_by("-created_at", "-id")[:limit]


# --- 卖家中心 reads: only the user's own institution's objects ------------------------------


def _own(queryset, institution, pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("不存在")
    return get_object_or_404(queryset.filter(institution=institution), pk=pk)


def seller_item(institution, item_id) -> ServiceItem:
    return _own(
        ServiceItem.objects.select_related("institution", "category", "sub_unit").prefetch_related(
            "region_tags", "images"
        ),
        institution,
        item_id,
    )


def seller_instrument(institution, instrument_id) -> Instrument:
    return _own(
        Instrument.objects.select_related("institution", "sub_unit").prefetch_related("images"),
        institution,
        instrument_id,
    )


def seller_sub_unit(institution, sub_unit_id) -> SubUnit:
    return _own(SubUnit.objects.all(), institution, sub_unit_id)


def seller_items(institution):
    return (
        ServiceItem.objects.filter(institution=institution)
        .select_related("category", "sub_unit")
        .prefetch_related("region_tags", "images")
        .defer(*LIST_DEFER)
        .order_by("-created_at", "-id")
    )


def seller_instruments(institution):
    return (
        Instrument.objects.filter(institution=institution)
        .select_related("sub_unit")
        .prefetch_related("images")
        .order_by("-created_at", "-id")
    )
