"""Reads of the catalogue and the access helpers every view uses (DESIGN §3)."""

from django.http import Http404

from catalog.models import Institution, InstitutionStaff


def staff_for_user(user) -> InstitutionStaff | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return InstitutionStaff.objects.select_related("institution").get(user=user)
    except InstitutionStaff.DoesNotExist:
        return None


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
