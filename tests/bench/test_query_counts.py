"""Issue 9: every page of the benchmark runs at most 12 SQL queries, on the seeded data
(bench/seed.py at a tiny scale), for the same accounts bench/pages.py uses."""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.seed import Filler

pytestmark = pytest.mark.django_db
MAX_QUERIES = 12


@pytest.fixture
def seeded():
    from django.apps import apps

    from enterprises.reference_data import load_reference_data

    load_reference_data(apps)
    return Filler(0.001).fill()


def _pages():
    from accounts.models import User
    from catalog.models import InstitutionStaff, ServiceItem
    from enterprises.models import RegionAdministrator
    from orders.models import Order

    seller = User.objects.get(username="bench_seller")
    institution_id = InstitutionStaff.objects.get(user=seller).institution_id
    item = ServiceItem.objects.filter(institution_id=institution_id, is_on_shelf=True).first()
    region_id = RegionAdministrator.objects.filter(user__username="bench_admin").values_list("region_id", flat=True)[0]
    buyer_orders = Order.objects.filter(enterprise__members__user__username="bench_buyer").count()
    last = max(1, math.ceil(buyer_orders / 10))
    seller_last = max(1, math.ceil(Order.objects.filter(institution_id=institution_id).count() / 10))
    return [
        ("/", None),
        ("/catalog/search/?q=检测", None),
        (f"/catalog/search/?q=检测服务&price_type=fixed&region={region_id}", None),
        (f"/catalog/items/{item.pk}/", None),
        (f"/catalog/shops/{institution_id}/", None),
        ("/orders/", "bench_buyer"),
        (f"/orders/?page={last}", "bench_buyer"),
        ("/orders/seller/", "bench_seller"),
        (f"/orders/seller/?page={seller_last}", "bench_seller"),
        ("/messages/", "bench_buyer"),
        ("/vouchers/quota/", "bench_buyer"),
        ("/redemption/", "bench_buyer"),
        ("/admin/orders/order/", "bench_admin"),
        ("/admin/orders/order/?status=all", "bench_admin"),
        ("/admin/redemption/redemptionapplication/", "bench_admin"),
        ("/redemption/notices/", None),
        ("/admin/statistics/", "bench_admin"),
    ]


def test_every_benchmarked_page_runs_at_most_12_queries(seeded, client, settings):
    from accounts.models import User
    from config.statistics import refresh_all

    settings.STATISTICS_CACHE_SECONDS = 900
    refresh_all()  # 统计分析 reads the tables the beat task computed

    over = []
    for path, username in _pages():
        client.logout()
        if username:
            client.force_login(User.objects.get(username=username))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, path
        if len(ctx.captured_queries) > MAX_QUERIES:
            over.append((path, len(ctx.captured_queries)))
    assert over == []


def test_statistics_reads_its_tables_from_the_cache(seeded, client, settings):
    from accounts.models import User
    from config.statistics import refresh_all

    settings.STATISTICS_CACHE_SECONDS = 900
    refresh_all()  # what the beat task does
    client.force_login(User.objects.get(username="bench_admin"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/admin/statistics/")
    assert response.status_code == 200
    assert not any("orders_order" in q["sql"] for q in ctx.captured_queries)
