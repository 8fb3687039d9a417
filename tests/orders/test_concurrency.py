"""Order numbers and 确认额度 under real concurrency on PostgreSQL (DESIGN §6, §11)."""

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection

from enterprises.selectors import enterprise_for_user
from orders import services
from orders.exceptions import QuotaInsufficient
from orders.models import Order, OrderStatus
from tests.factories import make_voucher
from tests.orders.conftest import place
from vouchers.selectors import ledger_differences
from vouchers.services import held_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_db")]

NUMBER = re.compile(r"^CSJ-\d{12}-\d{6}$")


def run_threads(n, target):
    barrier = threading.Barrier(n)
    results, lock = [], threading.Lock()

    def worker(i):
        try:
            barrier.wait()
            outcome = target(i)
        except Exception as exc:  # collected and asserted on by the test
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_hundred_simultaneous_orders_get_distinct_numbers(buyer_a, item):
    # 25 threads (connections) × 4 orders each, all started together: 100 orders racing
    # for the same day's counter without exhausting the server's connection slots.
    def four(i):
        return [services.place_order(user=buyer_a, item_id=item.pk) for _ in range(4)]

    results = run_threads(25, four)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[:3]
    orders = [o for batch in results for o in batch]
    assert len(orders) == 100
    numbers = {o.number for o in orders}
    assert len(numbers) == 100
    assert all(NUMBER.match(n) for n in numbers)
    sequences = sorted(int(n[-6:]) for n in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + 100))


def test_two_simultaneous_quota_confirmations_beyond_remaining(buyer_a, seller, wujiang_admin, item):
    voucher = make_voucher(enterprise_for_user(buyer_a), amount="1000.00")
    # Each order: 2000 × 50 % = 1000 = the whole voucher.
    first = place(buyer_a, item, voucher, quantity=2)
    second = place(buyer_a, item, voucher, quantity=2)
    for order in (first, second):
        services.accept_order(order.pk, actor=seller)
    pks = [first.pk, second.pk]
    results = run_threads(2, lambda i: services.confirm_quota(pks[i], actor=wujiang_admin))
    ok = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, QuotaInsufficient)]
    assert len(ok) == 1 and len(refused) == 1, results
    voucher.refresh_from_db()
    assert voucher.remaining_amount == Decimal("0.00") and voucher.held_amount == Decimal("1000.00")
    statuses = sorted(Order.objects.filter(pk__in=pks).values_list("status", flat=True))
    assert statuses == sorted([OrderStatus.IN_SERVICE, OrderStatus.PENDING_QUOTA])
    assert sum(held_for(voucher.pk, "order", pk) for pk in pks) == Decimal("1000.00")
    assert ledger_differences() == []
