import io

import pytest

from enterprises import demo as enterprises_demo
from orders import demo as orders_demo
from redemption import demo
from redemption.models import Kind, RedemptionApplication, Status
from vouchers import demo as vouchers_demo
from vouchers.selectors import ledger_differences

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_fills_the_notice_page(client):
    out = io.StringIO()
    enterprises_demo.load(out)
    vouchers_demo.load(out)
    orders_demo.load(out)  # its 同意兑付 creates an institution claim through the hook
    logins = demo.load(out)
    demo.load(out)
    quick = RedemptionApplication.objects.filter(kind=Kind.QUICK)
    assert quick.count() == 1 and quick.get().status == Status.NOTICE
    assert RedemptionApplication.objects.filter(kind=Kind.CLAIM).count() == 1
    assert ledger_differences() == []
    assert quick.get().enterprise.name in client.get("/redemption/notices/").content.decode()
    assert ("专家评审", "expert1", "/redemption/expert/") in logins
