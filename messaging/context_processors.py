from django.utils.functional import SimpleLazyObject

from messaging.selectors import unread_count


def unread_messages(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that do not show the header pay no query.
    return {"unread_message_count": SimpleLazyObject(lambda: unread_count(user))}
