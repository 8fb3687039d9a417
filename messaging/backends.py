"""Gateways for messages that leave the platform. A backend has one method,
``send(to, subject, body, key)``, and raises on failure; ``key`` is the outbox row id,
which real gateways accept as an idempotency / out-id so a retry is not a second SMS."""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

logger = logging.getLogger("messaging.sms")

# The outbox masks a verification code once it is sent; without a real gateway the
# development backends keep the text they "sent" for as long as a code lives, for the
# DEBUG-only 开发短信 page (messaging.selectors.dev_sms_rows).
DEV_SENT_SECONDS = 10 * 60


def dev_sent_key(key: str) -> str:
    return f"messaging:dev-sms:{key}"


class DevelopmentSmsBackend(ABC):
    """A gateway without a phone network behind it: it keeps a copy of what it sent for
    the 开发短信 page, then ``deliver``s it somewhere a developer can read it."""

    def send(self, to: str, subject: str, body: str, key: str) -> None:
        cache.set(dev_sent_key(key), body, timeout=DEV_SENT_SECONDS)
        self.deliver(to, body, key)

    @abstractmethod
    def deliver(self, to: str, body: str, key: str) -> None: ...


class LogSmsBackend(DevelopmentSmsBackend):
    """Development: the SMS is written to the log (and so to the console of `make run`)."""

    def deliver(self, to: str, body: str, key: str) -> None:
        logger.warning("短信 → %s: %s (key=%s)", to, body, key)


class MemorySmsBackend(DevelopmentSmsBackend):
    """Tests: keeps what was sent in a list."""

    sent: list[tuple[str, str, str]] = []

    def deliver(self, to: str, body: str, key: str) -> None:
        MemorySmsBackend.sent.append((to, body, key))


class SmsGatewayError(Exception):
    """The gateway did not take the SMS; the outbox keeps the row and tries again."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would be replayed as a GET elsewhere: treat it as a failure.
    def redirect_request(self, *args, **kwargs):
        return None


class HttpSmsBackend:
    """Production: one HTTPS POST a message to the SMS gateway (a provincial 政务短信平台
    or a vendor's relay inside the closed network), as JSON::

        {"mobile": "139…", "content": "【长三角科技创新券】…", "out_id": "<outbox row id>"}

    signed with ``X-Timestamp`` (Unix seconds) and ``X-Signature``: the hex HMAC-SHA256 of
    ``"<timestamp>\n<body bytes>"`` with SMS_GATEWAY_KEY. ``out_id`` lets the gateway drop
    a retried duplicate. Anything but a 2xx answer within SMS_GATEWAY_TIMEOUT seconds
    raises SmsGatewayError, whose text never contains the message (it may hold a code)."""

    def send(self, to: str, subject: str, body: str, key: str) -> None:
        url = settings.SMS_GATEWAY_URL
        if not url.startswith(("https://", "http://")):  # `check --deploy` insists on https
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http(s) address")
        payload = json.dumps({"mobile": to, "content": body, "out_id": key}, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        signature = hmac.new(
            settings.SMS_GATEWAY_KEY.encode(), timestamp.encode() + b"\n" + payload, hashlib.sha256
        ).hexdigest()
        request = urllib.request.Request(  # noqa: S310 — the scheme is checked above
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Timestamp": timestamp,
                "X-Signature": signature,
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:
                response.read(4096)
        except urllib.error.HTTPError as error:
            raise SmsGatewayError(f"短信网关拒绝（HTTP {error.code}）") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SmsGatewayError(f"短信网关无应答或无法连接（{type(reason).__name__}）") from None


class DjangoEmailBackend:
    """E-mail through Django's configured EMAIL_BACKEND."""

    def send(self, to: str, subject: str, body: str, key: str) -> None:
        from django.conf import settings

        send_mail(subject or "长三角科技创新券通用通兑平台", body, settings.DEFAULT_FROM_EMAIL, [to])
