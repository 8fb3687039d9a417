"""django-allauth socialaccount adapter: external login through a regional platform
(青浦区 → 上海科技券平台, 嘉善县 → 浙江科技大脑; DESIGN §2).

A first external login links to the existing account with the same mobile number when
the platform says the number is verified; otherwise it creates an enterprise account.
Either way, a user without an enterprise is then asked for the missing details
(enterprises:complete, via accounts.adapters.AccountAdapter)."""

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from accounts.models import User
from accounts.validators import MOBILE_RE


def _claims(sociallogin) -> dict:
    data = sociallogin.account.extra_data or {}
    if isinstance(data.get("userinfo"), dict):
        return data["userinfo"]
    if isinstance(data.get("id_token"), dict):
        return data["id_token"]
    return data


def _truthy(value) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def verified_phone(sociallogin) -> str | None:
    claims = _claims(sociallogin)
    phone = str(claims.get("phone_number") or "").replace(" ", "").replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if MOBILE_RE.match(phone) and _truthy(claims.get("phone_number_verified")):
        return phone
    return None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return True  # accounts of the regional platforms are created here on first login

    def pre_social_login(self, request, sociallogin):
        if sociallogin.is_existing or request.user.is_authenticated:
            return
        phone = verified_phone(sociallogin)
        if not phone:
            return
        user = User.objects.filter(phone=phone, is_active=True, is_staff=False).first()
        if user is not None:
            sociallogin.connect(request, user)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        claims = _claims(sociallogin)
        user.role = User.Role.ENTERPRISE
        user.real_name = (claims.get("name") or "")[:50]
        phone = verified_phone(sociallogin)
        if phone and not User.objects.filter(phone=phone).exists():
            user.phone = phone
            user.phone_verified = True
        return user
