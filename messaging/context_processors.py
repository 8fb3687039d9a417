from django.utils.functional import SimpleLazyObject

from messaging.selectors import cached_unread_count


def unread_messages(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that do not show the header pay nothing; the count comes from the cache
    # (messaging.selectors.cached_unread_count), which every write to Message clears.
    return {"unread_message_count": SimpleLazyObject(lambda: cached_unread_count(user))}
