"""config.pagination: deep pages fetch their ids first and show exactly what a plain
offset would; any ``page`` value is tolerated."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from config.pagination import IdFirstPaginator, paginate
from messaging.models import Message
from messaging.services import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(buyer_a):
    for i in range(125):
        notify(buyer_a, "system", f"第{i}条通知")
    return Message.objects.filter(recipient=buyer_a).order_by("-created_at", "-id")


@pytest.mark.parametrize("number", [1, 9, 10, 11, 13])
def test_every_page_matches_a_plain_offset(inbox, number):
    expected = list(Paginator(inbox, 10).page(number))
    page = IdFirstPaginator(inbox, 10).page(number)
    assert [m.pk for m in page] == [m.pk for m in expected]
    assert page.has_next() == (number < 13)


def test_deep_page_selects_ids_then_rows(inbox):
    paginator = IdFirstPaginator(inbox, 10)
    paginator.count  # noqa: B018  (counted once, as the list page does)
    with CaptureQueriesContext(connection) as deep:
        list(paginator.page(12))
    assert len(deep) == 2
    assert 'SELECT "messaging_message"."id" AS "pk"' in deep.captured_queries[0]["sql"]
    assert "OFFSET 110" in deep.captured_queries[0]["sql"]
    assert "OFFSET" not in deep.captured_queries[1]["sql"]
    with CaptureQueriesContext(connection) as early:
        list(paginator.page(2))
    assert len(early) == 1


@pytest.mark.parametrize("value", ["", "0", "-3", "abc", "99999", "1e9", "１"])
def test_any_page_value_gives_a_page(inbox, value):
    page = paginate(RequestFactory().get("/", {"page": value}), inbox)
    assert 1 <= page.number <= 13
    assert len(page.object_list) > 0
