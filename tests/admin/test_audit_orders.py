"""Audit rows of the order decisions (接单, 确认额度, 终止订单 …) written by the orders app's
one status-move function, with the quota hold audited by the voucher ledger."""

import pytest

from accounts.models import AuditEntry
from orders import services
from tests.factories import region
from tests.orders.conftest import place

pytestmark = pytest.mark.django_db


def test_order_moves_are_audited(buyer_a, seller, wujiang_admin, item, voucher_a, settings):
    settings.ORDER_TONGDUI_AGREED_HOOKS = []
    order = place(buyer_a, item, voucher_a)
    services.accept_order(order.pk, actor=seller)
    services.confirm_quota(order.pk, actor=wujiang_admin)
    services.terminate_order(order.pk, actor=wujiang_admin, reason="双方协商不再服务")
    rows = {r.action: r for r in AuditEntry.objects.filter(object_type="orders.order", object_id=str(order.pk))}
    assert {"order.accept", "order.confirm_quota", "order.terminate"} <= set(rows)
    assert rows["order.accept"].actor == seller
    confirm = rows["order.confirm_quota"]
    assert confirm.actor == wujiang_admin and confirm.region_id == region("WJI").pk
    assert confirm.before == {"status": "pending_quota"} and confirm.after["status"] == "in_service"
    assert rows["order.terminate"].note == "双方协商不再服务"
    held = AuditEntry.objects.filter(action="voucher_ledger.hold", object_id=str(voucher_a.pk))
    released = AuditEntry.objects.filter(action="voucher_ledger.release", object_id=str(voucher_a.pk))
    assert held.exists() and released.exists()
