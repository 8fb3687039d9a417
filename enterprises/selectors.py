from django.http import Http404

from enterprises.models import (
    Division,
    Enterprise,
    EnterpriseMember,
    JoinApplication,
    JoinApplicationFile,
    PilotRegion,
    RegionAdministrator,
)


def region_for_division(division: Division) -> PilotRegion | None:
    """The active pilot region a division belongs to (itself, its city or its province)."""
    return (
        PilotRegion.objects.filter(division_id__in=division.ancestor_codes(), is_active=True)
        .order_by("-division__level")
        .first()
    )


def division_with_parents(code: str) -> Division:
    """A division with its city and province in the same query (``full_name`` walks them:
    otherwise one query per level)."""
    return Division.objects.select_related("parent__parent").get(pk=code)


# Set on a user by accounts.identity, which loads them with the user: the EnterpriseMember
# (or None) that membership_for_user returns, the regions administered_region_ids returns.
MEMBERSHIP_MEMO = "_csj_membership"
REGIONS_MEMO = "_csj_region_ids"
_UNKNOWN = object()


def membership_for_user(user) -> EnterpriseMember | None:
    """The user's EnterpriseMember with its Enterprise; the request's user usually carries
    it already (accounts.identity)."""
    if not user.is_authenticated:
        return None
    membership = getattr(user, MEMBERSHIP_MEMO, _UNKNOWN)
    return load_membership(user) if membership is _UNKNOWN else membership


def load_membership(user) -> EnterpriseMember | None:
    try:
        # Not enterprise__region: joining it cost ~1 ms on every buyer page (issue 9); the
        # few pages that read the region load it in a query of ~0.6 ms.
        return EnterpriseMember.objects.select_related("enterprise").get(user=user)
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
    remembered = getattr(user, REGIONS_MEMO, None)
    return set(remembered if remembered is not None else load_administered_region_ids(user))


def load_administered_region_ids(user) -> frozenset[int]:
    return frozenset(RegionAdministrator.objects.filter(user=user).values_list("region_id", flat=True))


def children_of(code: str | None):
    qs = Division.objects.filter(parent_id=code) if code else Division.objects.filter(level=Division.Level.PROVINCE)
    return qs.order_by("code")


def require_enterprise_admin(user) -> EnterpriseMember:
    """The membership of an enterprise's administrator (单位管理员); anyone else — an
    operator, a user of no enterprise — gets a 404."""
    membership = membership_for_user(user)
    if membership is None or not membership.is_admin:
        raise Http404("仅单位管理员可以操作")
    return membership


def require_membership(user) -> EnterpriseMember:
    membership = membership_for_user(user)
    if membership is None:
        raise Http404("没有关联的企业")
    return membership


def members_of(enterprise: Enterprise):
    return (
        EnterpriseMember.objects.filter(enterprise=enterprise)
        .select_related("user")
        .order_by("-is_admin", "created_at", "id")
    )


def can_see_enterprise_files(user, enterprise: Enterprise) -> bool:
    """The enterprise's own users and administrators of its region (and platform admins)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if EnterpriseMember.objects.filter(user=user, enterprise=enterprise).exists():
        return True
    return bool(user.is_staff and enterprise.region_id and enterprise.region_id in administered_region_ids(user))


def enterprise_licence_for_user(user, enterprise_id) -> Enterprise:
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None or not enterprise.licence or not can_see_enterprise_files(user, enterprise):
        raise Http404("文件不存在")
    return enterprise


def join_applications_of(enterprise: Enterprise):
    return (
        JoinApplication.objects.filter(enterprise=enterprise).prefetch_related("files").order_by("-created_at", "-id")
    )


def join_file_for_user(user, file_id):
    row = JoinApplicationFile.objects.select_related("application__enterprise").filter(pk=file_id).first()
    if row is None or not can_see_enterprise_files(user, row.application.enterprise):
        raise Http404("文件不存在")
    return row


def external_login_buttons(request) -> list[dict]:
    """The 外部登录 buttons: one per active pilot region whose current policy names an
    OpenID Connect provider that is configured (settings or a SocialApp row)."""
    from allauth.socialaccount.adapter import get_adapter

    configured = {app.provider_id for app in get_adapter(request).list_apps(request, provider="openid_connect")}
    buttons, seen = [], set()
    for region in PilotRegion.objects.filter(is_active=True).order_by("sort_order", "code"):
        policy = region.current_policy
        if not policy or not policy.external_login_provider or policy.external_login_provider in seen:
            continue
        if policy.external_login_provider in configured:
            seen.add(policy.external_login_provider)
            buttons.append(
                {
                    "provider_id": policy.external_login_provider,
                    "label": policy.external_login_label or f"{region.name}用户登录",
                    "region": region.name,
                }
            )
    return buttons


def region_for_external_provider(provider_id: str) -> PilotRegion | None:
    for region in PilotRegion.objects.filter(is_active=True).select_related("division"):
        policy = region.current_policy
        if policy and policy.external_login_provider == provider_id:
            return region
    return None


def pilot_region_names() -> str:
    return "、".join(PilotRegion.objects.filter(is_active=True).order_by("sort_order").values_list("name", flat=True))
