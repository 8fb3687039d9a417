from django.core.cache import cache
from django.shortcuts import get_object_or_404

from messaging.models import Message


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
