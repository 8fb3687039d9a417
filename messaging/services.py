"""Writes of the messaging app. Other apps call ``notify`` inside their own transaction."""

import logging
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from config.cache import forget
from messaging.models import Message, OutboxMessage
from messaging.selectors import unread_cache_key

logger = logging.getLogger(__name__)


def notify(recipient, kind: str, text: str, *, link: str = "", sms: bool = False, email: bool = False) -> Message:
    """Write a 站内信 to ``recipient`` in the caller's transaction; optionally also queue an
    SMS to their verified mobile and an e-mail, both through the outbox."""
    message = Message.objects.create(recipient=recipient, kind=kind, text=text, link=link)
    forget_unread_count(recipient.pk)
    if sms and recipient.phone:
        queue_outbox(OutboxMessage.Channel.SMS, recipient.phone, text)
    if email and recipient.email:
        queue_outbox(OutboxMessage.Channel.EMAIL, recipient.email, text, subject=Message.Kind(kind).label)
    return message


def queue_outbox(channel: str, to: str, body: str, *, subject: str = "", secret: bool = False) -> OutboxMessage:
    """Record a message to send; it is sent after the surrounding transaction commits.
    ``secret`` marks a body holding a verification code: it is masked once sent."""
    from messaging.tasks import send_outbox_message

    row = OutboxMessage.objects.create(channel=channel, to=to, subject=subject, body=body, secret=secret)
    transaction.on_commit(lambda: _enqueue(send_outbox_message, row.pk))
    return row


def _enqueue(task, outbox_id: int) -> None:
    """Hand the row to the broker after the commit. If the broker is down the business
    change is already committed and must not turn into an error page: the row stays
    pending and ``sweep_outbox`` (beat, every minute) sends it."""
    try:
        task.delay(outbox_id)
    except Exception as exc:  # kombu OperationalError, connection refused, timeouts ...
        logger.warning("outbox %s not queued (%s); the sweeper will send it", outbox_id, exc)


def _backend(channel: str):
    if channel == OutboxMessage.Channel.SMS:
        return import_string(settings.SMS_BACKEND)()
    return import_string("messaging.backends.DjangoEmailBackend")()


def send_outbox(outbox_id: int) -> bool:
    """Send one outbox row if it is still pending. The row lock is held while sending, so
    two workers (or a worker and the sweeper) never send the same row; a crash before the
    commit leaves it pending for the sweeper. Returns True when this call sent it."""
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=outbox_id).first()
        if row is None or row.status != OutboxMessage.Status.PENDING:
            return False
        row.attempts += 1
        try:
            _backend(row.channel).send(row.to, row.subject, row.body, key=str(row.pk))
        except Exception as exc:  # a gateway error of any kind: keep it for the next sweep
            logger.warning("outbox %s failed: %s", row.pk, exc)
            row.last_error = str(exc)[:500]
            if row.attempts >= OutboxMessage.MAX_ATTEMPTS:
                row.status = OutboxMessage.Status.FAILED
                row.body = shown_body(row)
            row.save(update_fields=["attempts", "last_error", "status", "body"])
            return False
        row.status = OutboxMessage.Status.SENT
        row.sent_at = timezone.now()
        row.body = shown_body(row)
        row.save(update_fields=["attempts", "status", "sent_at", "body"])
        return True


# Runs of four or more digits: the code in a verification SMS (its other numbers, like
# "10分钟", are shorter).
_CODE_RE = re.compile(r"\d{4,}")


def shown_body(row: OutboxMessage) -> str:
    """The body as it may be kept and shown: a secret row's code masked with asterisks."""
    if not row.secret:
        return row.body
    return _CODE_RE.sub(lambda match: "*" * len(match.group()), row.body)


def sweep_outbox(older_than_seconds: int = 30, limit: int = 500) -> int:
    """Send rows still pending after ``older_than_seconds`` (a worker died, the broker
    was down). Safe to run concurrently with senders. Returns how many were sent."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    ids = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if send_outbox(pk))


def mark_read(message: Message) -> None:
    if message.read_at is None:
        if Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now()):
            forget_unread_count(message.recipient_id)


def delete_message(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(deleted_at=timezone.now())
    forget_unread_count(message.recipient_id)


def forget_unread_count(user_id: int) -> None:
    """Drop the cached 站内信 count of a user whose messages changed: at once, so the rest
    of this transaction (and the next page) counts afresh, and again after the commit, so
    a page that counted the old rows while the transaction was open does not keep its
    stale number. Every write to Message calls this (the admin too)."""
    forget(unread_cache_key(user_id))
