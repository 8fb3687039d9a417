from django.http import Http404

from enterprises.models import Division, Enterprise, EnterpriseMember, PilotRegion, RegionAdministrator


def region_for_division(division: Division) -> PilotRegion | None:
    """The active pilot region a division belongs to (itself, its city or its province)."""
    return (
        PilotRegion.objects.filter(division_id__in=division.ancestor_codes(), is_active=True)
        .order_by("-division__level")
        .first()
    )


def membership_for_user(user) -> EnterpriseMember | None:
    if not user.is_authenticated:
        return None
    try:
        return EnterpriseMember.objects.select_related("enterprise", "enterprise__region").get(user=user)
    except EnterpriseMember.DoesNotExist:
        return None


def enterprise_for_user(user) -> Enterprise | None:
    membership = membership_for_user(user)
    return membership.enterprise if membership else None


def require_enterprise(user) -> Enterprise:
    """The enterprise the user acts for; a user who acts for none gets a 404."""
    enterprise = enterprise_for_user(user)
    if enterprise is None:
        raise Http404("没有关联的企业")
    return enterprise


def administered_region_ids(user) -> set[int]:
    """The pilot regions a user administers; platform administrators (superusers) get all."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(PilotRegion.objects.values_list("pk", flat=True))
    return set(RegionAdministrator.objects.filter(user=user).values_list("region_id", flat=True))


def children_of(code: str | None):
    qs = Division.objects.filter(parent_id=code) if code else Division.objects.filter(level=Division.Level.PROVINCE)
    return qs.order_by("code")
