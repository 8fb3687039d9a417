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
