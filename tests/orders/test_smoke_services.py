from decimal import Decimal

from config.uploads import clean_attachment
from orders import services
from orders.models import Order
from tests.orders.conftest import pdf_upload, place
from vouchers.services import held_for


def test_tongdui_walk(buyer_a, seller, wujiang_admin, item, voucher_a):
    order = place(buyer_a, item, voucher_a, quantity=2)
    assert order.number.startswith("CSJ-") and order.amount == Decimal("2000.00")
    services.accept_order(order.pk, actor=seller)
    services.confirm_quota(order.pk, actor=wujiang_admin)
    order.refresh_from_db()
    assert order.status == Order.Status.IN_SERVICE
    assert held_for(voucher_a.pk, "order", order.pk) == Decimal("1000.00")
    services.request_redemption(order.pk, actor=seller, amount="1000.00", proof=clean_attachment(pdf_upload()))
    services.agree_redemption(order.pk, actor=buyer_a)
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert order.history.count() == 5
