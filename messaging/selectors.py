from django.core.cache import cache
from django.shortcuts import get_object_or_404

from messaging.backends import dev_sent_key
from messaging.models import Message, OutboxMessage


def inbox_for_user(user, *, is_read: str = ""):
    qs = Message.objects.filter(recipient=user, deleted_at__isnull=True).order_by("-created_at", "-id")
    if is_read == "1":
        qs = qs.filter(read_at__isnull=False)
    elif is_read == "0":
        qs = qs.filter(read_at__isnull=True)
    return qs


def message_for_user(user, pk: int) -> Message:
    """Another user's message is a 404, never a 403."""
    return get_object_or_404(Message, pk=pk, recipient=user, deleted_at__isnull=True)


def unread_count(user) -> int:
    return Message.objects.filter(recipient=user, deleted_at__isnull=True, read_at__isnull=True).count()


# The header's 站内信 badge is on every logged-in page: its count is cached per user and
# dropped by messaging.services on every write to the user's messages (notify, mark_read,
# delete_message); the timeout only bounds a write that bypassed the services.
UNREAD_CACHE_SECONDS = 300


def unread_cache_key(user_id: int) -> str:
    return f"messaging:unread:{user_id}"


def cached_unread_count(user) -> int:
    key = unread_cache_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = unread_count(user)
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def dev_sms_rows(limit: int = 20) -> list[dict]:
    """The latest SMS for the DEBUG-only 开发短信 page. A sent code is masked in its outbox
    row; the development gateway's own copy (kept 10 minutes) is shown instead."""
    rows = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.SMS).order_by("-created_at", "-id")[:limit]
    sent = cache.get_many([dev_sent_key(str(row.pk)) for row in rows])
    return [
        {
            "to": row.to,
            "body": sent.get(dev_sent_key(str(row.pk)), row.body),
            "created_at": row.created_at,
            "status": row.get_status_display(),
        }
        for row in rows
    ]
