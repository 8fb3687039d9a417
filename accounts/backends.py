"""Login with 手机号码 + password beside 用户名 + password (manual §2.4).

allauth's login form passes what was typed as ``username``; when it is an 11-digit
mainland mobile number this backend finds the user by their verified number. Usernames
may not look like mobile numbers (the registration form refuses them)."""

from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from accounts.validators import MOBILE_RE


class MobilePasswordBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None or not MOBILE_RE.match(username):
            return None
        user = User.objects.filter(phone=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check (timing)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
