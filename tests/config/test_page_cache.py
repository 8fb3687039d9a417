"""The public page cache (config/page_cache.py, issue 9)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import services
from tests.factories import service_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    from django.core.cache import cache

    cache.clear()
    settings.PAGE_CACHE_SECONDS = 60


def test_anonymous_item_page_is_served_from_the_cache_until_the_item_changes(cached, client):
    item = service_item(name="缓存测试检测服务")
    url = reverse("catalog:item_detail", args=[item.pk])
    first = client.get(url)
    assert first.status_code == 200 and "缓存测试检测服务" in first.content.decode()
    with CaptureQueriesContext(connection) as ctx:
        second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert len(ctx.captured_queries) == 0
    assert second.content == first.content
    assert "Content-Security-Policy" in second  # the headers are still those of every page

    services.update_item(item, name="改名后的检测服务")
    third = client.get(url)
    assert not third.has_header("X-Page-Cache")
    assert "改名后的检测服务" in third.content.decode()


def test_logged_in_users_and_other_pages_are_never_cached(cached, client, buyer_a):
    item = service_item()
    url = reverse("catalog:item_detail", args=[item.pk])
    client.get(url)
    client.force_login(buyer_a)
    page = client.get(url)
    assert not page.has_header("X-Page-Cache")
    assert "退出" in page.content.decode()  # the logged-in header, not the cached anonymous one
    client.logout()
    client.get("/accounts/login/")
    assert not client.get("/accounts/login/").has_header("X-Page-Cache")
