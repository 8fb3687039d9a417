"""The regional change lists of orders and redemption applications load their rows in a
fixed number of queries (issue 9): ``list_only`` names every column they show, so no row
loads a deferred field on its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin.data import build

pytestmark = pytest.mark.django_db


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _more_orders(data, n):

    template = data["orders"]["q1"]
    for i in range(n):
        template.pk = None
        template._state.adding = True
        template.number = f"CSJ-MORE-{i:04d}"
        template.save()


def _more_applications(data, n):
    from redemption.models import RedemptionApplication

    template = RedemptionApplication.objects.get(pk=data["redemption"]["r2"].pk)
    for _ in range(n):
        template.pk = None
        template._state.adding = True
        template.save()


@pytest.mark.parametrize(
    "url_name, query, grow",
    [
        ("admin:orders_order_changelist", "", _more_orders),
        ("admin:orders_order_changelist", "?status=all", _more_orders),
        ("admin:redemption_redemptionapplication_changelist", "", _more_applications),
    ],
)
def test_change_list_queries_do_not_grow_with_rows(client, wujiang_admin, url_name, query, grow):
    data = build()
    client.force_login(wujiang_admin)
    url = reverse(url_name) + query
    client.get(url)  # warm the per-process caches (content types, app list)
    before, _ = _queries(client, url)
    grow(data, 15)
    after, html = _queries(client, url)
    assert html.count('class="action-select"') >= 16
    assert after == before, f"{before} queries with few rows, {after} with 15 more"


def test_change_list_count_stops_at_the_cap(client, wujiang_admin, monkeypatch):
    from config.pagination import CappedPaginator

    data = build()
    _more_orders(data, 8)
    monkeypatch.setattr(CappedPaginator, "cap", 5)
    client.force_login(wujiang_admin)
    _, html = _queries(client, reverse("admin:orders_order_changelist") + "?status=all")
    assert "5+ 订单" in html
    _, html = _queries(client, reverse("admin:orders_order_changelist") + "?status=in_service")
    assert "1 订单" in html and "+ 订单" not in html
