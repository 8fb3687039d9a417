"""Gateways for messages that leave the platform. A backend has one method,
``send(to, subject, body, key)``, and raises on failure; ``key`` is the outbox row id,
which real gateways accept as an idempotency / out-id so a retry is not a second SMS."""

import logging

from django.core.cache import cache
from django.core.mail import send_mail

logger = logging.getLogger("messaging.sms")

# The outbox masks a verification code once it is sent; without a real gateway the
# development backends keep the text they "sent" for as long as a code lives, for the
# DEBUG-only 开发短信 page (messaging.selectors.dev_sms_rows).
DEV_SENT_SECONDS = 10 * 60


def dev_sent_key(key: str) -> str:
    return f"messaging:dev-sms:{key}"


class DevelopmentSmsBackend:
    def send(self, to: str, subject: str, body: str, key: str) -> None:
        cache.set(dev_sent_key(key), body, timeout=DEV_SENT_SECONDS)
        self.deliver(to, body, key)

    def deliver(self, to: str, body: str, key: str) -> None:
        raise NotImplementedError


class LogSmsBackend(DevelopmentSmsBackend):
    """Development: the SMS is written to the log (and so to the console of `make run`)."""

    def deliver(self, to: str, body: str, key: str) -> None:
        logger.warning("短信 → %s: %s (key=%s)", to, body, key)


class MemorySmsBackend(DevelopmentSmsBackend):
    """Tests: keeps what was sent in a list."""

    sent: list[tuple[str, str, str]] = []

    def deliver(self, to: str, body: str, key: str) -> None:
        MemorySmsBackend.sent.append((to, body, key))


class DjangoEmailBackend:
    """E-mail through Django's configured EMAIL_BACKEND."""

    def send(self, to: str, subject: str, body: str, key: str) -> None:
        from django.conf import settings

        send_mail(subject or "长三角科技创新券通用通兑平台", body, settings.DEFAULT_FROM_EMAIL, [to])
