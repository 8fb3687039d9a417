"""The header's 站内信 badge (issue 9): its count comes from the cache, so a page does not
count the user's messages again, and every write to the user's messages (notify, 查看 =
mark read, 删除, the admin) changes the badge on the very next page."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging import services
from messaging.models import Message
from messaging.selectors import unread_cache_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def badge(client) -> str | None:
    """The number on the badge of a page with the header (None: no badge)."""
    html = client.get(reverse("accounts:profile")).content.decode()
    found = re.search(r'data-testid="unread-count">(\d+)<', html)
    return found.group(1) if found else None


def unread_count_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("accounts:profile")).status_code == 200
    return sum(1 for q in ctx.captured_queries if "messaging_message" in q["sql"])


def test_badge_follows_notify_mark_read_and_delete_at_once(client, buyer_a, buyer_b):
    client.force_login(buyer_a)
    assert badge(client) is None
    first = services.notify(buyer_a, Message.Kind.ORDER, "订单已接单")
    assert badge(client) == "1"
    services.notify(buyer_a, Message.Kind.ORDER, "额度已确认")
    services.notify(buyer_b, Message.Kind.ORDER, "别人的消息")
    assert badge(client) == "2"
    # 查看 marks it read.
    assert client.get(reverse("messaging:detail", args=[first.pk])).status_code == 200
    assert badge(client) == "1"
    # 删除 the unread one.
    second = Message.objects.get(recipient=buyer_a, read_at__isnull=True)
    assert client.post(reverse("messaging:delete", args=[second.pk])).status_code == 302
    assert badge(client) is None
    # The other user's badge was never touched by buyer A's reads.
    client.force_login(buyer_b)
    assert badge(client) == "1"


def test_the_count_is_read_from_the_cache_between_writes(client, buyer_a):
    services.notify(buyer_a, Message.Kind.ORDER, "x")
    client.force_login(buyer_a)
    assert unread_count_queries(client) == 1  # counted once ...
    assert unread_count_queries(client) == 0  # ... then from the cache
    services.notify(buyer_a, Message.Kind.ORDER, "y")
    assert unread_count_queries(client) == 1
    assert badge(client) == "2"


def test_a_count_read_before_the_commit_is_dropped_after_it(buyer_a, django_capture_on_commit_callbacks):
    """A page that counted the old rows while the notifying transaction was still open
    (here: writes the stale number back) does not keep it: the key goes again on commit."""
    key = unread_cache_key(buyer_a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(buyer_a, Message.Kind.ORDER, "x")
        cache.set(key, 0)  # a concurrent page, counting before the commit
    assert cache.get(key) is None


def test_mark_read_of_a_read_message_keeps_the_cache(buyer_a):
    message = services.notify(buyer_a, Message.Kind.ORDER, "x")
    services.mark_read(message)
    key = unread_cache_key(buyer_a.pk)
    cache.set(key, 0)
    message.refresh_from_db()
    services.mark_read(message)  # already read: nothing written, nothing dropped
    assert cache.get(key) == 0


def test_admin_deletions_change_the_badge(client, admin_client, buyer_a):
    one = services.notify(buyer_a, Message.Kind.SYSTEM, "一")
    two = services.notify(buyer_a, Message.Kind.SYSTEM, "二")
    services.notify(buyer_a, Message.Kind.SYSTEM, "三")
    client.force_login(buyer_a)
    assert badge(client) == "3"
    response = admin_client.post(reverse("admin:messaging_message_delete", args=[one.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert badge(client) == "2"
    response = admin_client.post(
        reverse("admin:messaging_message_changelist"),
        {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert badge(client) == "1"
