import io

import pytest

from enterprises import demo as enterprises_demo
from orders import demo
from orders.models import Order
from vouchers import demo as vouchers_demo
from vouchers.selectors import ledger_differences

pytestmark = pytest.mark.django_db


def test_demo_orders_are_idempotent():
    out = io.StringIO()
    enterprises_demo.load(out)
    vouchers_demo.load(out)
    logins = demo.load(out)
    count = Order.objects.count()
    demo.load(out)
    assert Order.objects.count() == count == 11
    statuses = set(
        Order.objects.filter(enterprise__members__user__username="demo_wujiang").values_list("status", flat=True)
    )
    assert {"pending_accept", "pending_quota", "in_service", "pending_buyer", "completed", "cancelled"} <= statuses
    modes = set(Order.objects.filter(enterprise__members__user__username="demo_qingpu").values_list("mode", flat=True))
    assert modes == {"tongyong", "wuquan"}
    assert Order.objects.filter(parent__isnull=False).count() == 1
    assert ledger_differences() == []
    assert ("订单管理（卖家）", "demo_seller", "/orders/seller/") in logins
