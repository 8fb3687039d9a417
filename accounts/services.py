"""Writes of the accounts app: SMS verification codes, 个人信息, 密码修改.

SMS codes (manual §2.3, DESIGN §11): 6 digits, valid 10 minutes, single use, bound to the
number and the purpose; a few wrong tries end the code. Only a keyed hash of the code is
kept, in the shared cache (Redis in production and CI) together with the send counters
per number and per IP. The text leaves through the messaging outbox, so a code is sent
after the surrounding transaction commits and a crashed worker loses nothing."""

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.core.cache import cache
from django.db import transaction

from accounts import audit
from accounts.exceptions import PasswordChangeError, SmsCodeInvalid, SmsRateLimited
from accounts.models import User
from messaging.models import OutboxMessage
from messaging.services import notify, queue_outbox

PURPOSES = {
    "register": "法人单位注册",
    "change_phone": "更换手机号码",
    "bind": "绑定手机号码",
    "reset": "找回密码",
}
CODE_LENGTH = 6
CODE_TTL = 10 * 60
MAX_ATTEMPTS = 5
# (window seconds, max sends, message)
PHONE_LIMITS = [
    (60, 1, "验证码发送过于频繁，请1分钟后再试。"),
    (3600, 5, "该手机号码1小时内获取验证码次数已达上限，请稍后再试。"),
    (86400, 10, "该手机号码今日获取验证码次数已达上限，请明天再试。"),
]
IP_LIMITS = [
    (3600, 20, "您的网络获取验证码过于频繁，请稍后再试。"),
    (86400, 50, "您的网络今日获取验证码次数已达上限，请明天再试。"),
]


def _code_key(phone: str, purpose: str) -> str:
    return f"sms:code:{purpose}:{phone}"


def _hash(phone: str, purpose: str, code: str) -> str:
    message = f"{purpose}:{phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _consume_limits(scope: str, ident: str, limits) -> None:
    """Count one send against each window; on the first window that is full, undo the
    counts made so far and refuse. ``cache.add`` + ``incr`` are atomic on Redis."""
    counted = []
    for window, limit, message in limits:
        key = f"sms:rl:{scope}:{window}:{ident}"
        cache.add(key, 0, timeout=window)
        try:
            value = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)
            value = 1
        if value > limit:
            for done in counted + [key]:
                try:
                    cache.decr(done)
                except ValueError:
                    pass
            raise SmsRateLimited(message)
        counted.append(key)


def send_code(phone: str, purpose: str, ip: str | None) -> None:
    """Send a new code for ``purpose`` to ``phone`` (a validated 11-digit number).
    Raises SmsRateLimited with the reason when a limit is reached."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown SMS purpose {purpose!r}")
    _consume_limits("phone", phone, PHONE_LIMITS)
    if ip:
        try:
            _consume_limits("ip", ip, IP_LIMITS)
        except SmsRateLimited:
            for window, _limit, _msg in PHONE_LIMITS:
                try:
                    cache.decr(f"sms:rl:phone:{window}:{phone}")
                except ValueError:
                    pass
            raise
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))
    record = {"hash": _hash(phone, purpose, code), "attempts": 0, "expires": time.time() + CODE_TTL}
    cache.set(_code_key(phone, purpose), record, timeout=CODE_TTL)
    text = f"【长三角科技创新券】您的验证码为{code}，用于{PURPOSES[purpose]}，10分钟内有效。请勿向任何人泄露。"
    with transaction.atomic():
        queue_outbox(OutboxMessage.Channel.SMS, phone, text, secret=True)


def verify_code(phone: str, purpose: str, code: str) -> None:
    """Check and use up the code. Raises SmsCodeInvalid with the reason otherwise."""
    key = _code_key(phone, purpose)
    record = cache.get(key)
    if not record or record.get("expires", 0) <= time.time():
        raise SmsCodeInvalid("验证码已失效，请重新获取。")
    code = (code or "").strip()
    if hmac.compare_digest(record["hash"], _hash(phone, purpose, code)):
        # Single use: only the request that actually deletes the key succeeds.
        if cache.delete(key):
            return
        raise SmsCodeInvalid("验证码已失效，请重新获取。")
    record["attempts"] += 1
    if record["attempts"] >= MAX_ATTEMPTS:
        cache.delete(key)
        raise SmsCodeInvalid("验证码错误次数过多，已失效，请重新获取。")
    remaining = max(1, int(record["expires"] - time.time()))
    cache.set(key, record, timeout=remaining)
    raise SmsCodeInvalid(f"验证码不正确，还可尝试{MAX_ATTEMPTS - record['attempts']}次。")


# --- 个人信息 and 密码修改 ---------------------------------------------------------------

PROFILE_FIELDS = (
    "real_name",
    "email",
    "id_number",
    "birth_date",
    "gender",
    "birthplace",
    "nationality",
    "ethnicity",
    "party",
    "education",
    "address",
    "province",
    "postcode",
    "district",
    "city",
    "home_region",
)


@transaction.atomic
def update_profile(user: User, data: dict) -> User:
    """Save 个人信息 (already validated). The mobile number is changed only through
    ``change_phone`` with a code sent to the new number."""
    user = User.objects.select_for_update().get(pk=user.pk)
    for name in PROFILE_FIELDS:
        if name in data:
            value = data[name]
            if value is None and name != "birth_date":
                value = ""
            setattr(user, name, value)
    user.save(update_fields=[n for n in PROFILE_FIELDS if n in data])
    return user


def change_phone(user: User, new_phone: str, code: str) -> User:
    """Move the user to ``new_phone`` after checking the code sent to it."""
    verify_code(new_phone, "change_phone", code)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if User.objects.filter(phone=new_phone).exclude(pk=user.pk).exists():
            raise SmsCodeInvalid("该手机号码已被其他账号使用。")
        old_phone = user.phone
        user.phone = new_phone
        user.phone_verified = True
        user.save(update_fields=["phone", "phone_verified"])
        audit.record("user.phone_change", user, before={"phone": old_phone}, after={"phone": new_phone}, actor=user)
        notify(user, "account", f"您的登录手机号码已更换为{user.masked_phone}。如非本人操作，请立即修改密码。")
    return user


def change_password(request, old_password: str, new_password: str) -> None:
    """密码修改: checks the old password, saves the new one, keeps this session (with a
    new session key) and logs out the user's other sessions."""
    user = request.user
    if not user.check_password(old_password):
        raise PasswordChangeError("原密码不正确。")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record("user.password_change", user, actor=user)
        notify(user, "account", "您的登录密码已修改。如非本人操作，请立即联系管理员。")
    update_session_auth_hash(request, user)


def reset_password_by_sms(phone: str, code: str, new_password: str) -> User:
    """找回密码: the code sent to the account's verified-or-registered mobile sets a new
    password; every existing session of the account ends (the session hash changes)."""
    user = User.objects.filter(phone=phone, is_active=True).first()
    if user is None:
        raise SmsCodeInvalid("验证码不正确，请重新获取。")
    verify_code(phone, "reset", code)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record("user.password_reset", user, actor=user)
        notify(user, "account", "您的登录密码已通过短信验证码重置。如非本人操作，请立即联系管理员。")
    return user
