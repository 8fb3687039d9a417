"""bench/seed.py at a tiny scale, in the test database: every table gets rows, the
constraints hold (the inserts would fail otherwise), every foreign key points at a row,
the named accounts exist and the search columns are those the catalogue computes."""

import pytest

from bench.seed import Filler, counts_for

pytestmark = pytest.mark.django_db


def test_seed_fills_every_table_consistently():
    from django.apps import apps

    from accounts.models import User
    from catalog.models import ServiceItem
    from catalog.search import search_text_for
    from enterprises.reference_data import load_reference_data
    from messaging.models import Message
    from orders.models import Order
    from redemption.models import ApplicationOrder, Invoice, RedemptionApplication
    from vouchers.models import Voucher

    load_reference_data(apps)  # divisions and pilot regions (a flushed database has none)
    filler = Filler(0.001)
    filler.fill()  # ends with check_foreign_keys()
    n = counts_for(0.001)
    assert ServiceItem.objects.count() == n["items"]
    assert Order.objects.count() == n["orders"]
    assert Voucher.objects.count() == n["vouchers"]
    assert Message.objects.count() == n["messages"]
    assert RedemptionApplication.objects.count() == Invoice.objects.count() == ApplicationOrder.objects.count() > 0
    buyer = User.objects.get(username="bench_buyer")
    assert Order.objects.filter(enterprise__members__user=buyer).count() >= n["buyer_orders"]
    assert Message.objects.filter(recipient=buyer).count() >= n["user_messages"]
    seller = User.objects.get(username="bench_seller")
    assert Order.objects.filter(institution__staff__user=seller).count() >= n["seller_orders"]
    assert User.objects.get(username="bench_admin").administered_regions.exists()
    statuses = set(Order.objects.values_list("status", flat=True))
    assert len(statuses) >= 8
    item = ServiceItem.objects.select_related("institution").first()
    assert item.search_text == search_text_for(item.name, item.description, item.institution.name)
    assert item.search_vector
