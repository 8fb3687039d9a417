"""django-allauth adapter of the platform.

* allauth's own signup is closed: enterprises register through 法人单位注册 (the
  platform's form and service around the account, LIBRARY_NOTES), people from a
  regional platform arrive through the external login (socialaccount adapter).
* After login, an enterprise user who has no enterprise yet (first external login) is
  sent to the page that asks for the missing enterprise details."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ObjectDoesNotExist
from django.urls import NoReverseMatch, reverse

from accounts.models import User


def needs_enterprise_details(user) -> bool:
    if not user.is_authenticated or user.is_staff or user.role != User.Role.ENTERPRISE:
        return False
    # The reverse one-to-one of enterprises.EnterpriseMember (no import of a later app).
    try:
        user.enterprise_membership  # noqa: B018
    except ObjectDoesNotExist:
        return True
    return False


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def get_login_redirect_url(self, request):
        if needs_enterprise_details(request.user):
            try:
                return reverse("enterprises:complete")
            except NoReverseMatch:
                pass
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        # A new account from an external login: it still lacks its enterprise.
        return self.get_login_redirect_url(request)
