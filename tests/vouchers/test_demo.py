import io

import pytest

from enterprises import demo as enterprises_demo
from vouchers import demo
from vouchers.models import Voucher, VoucherProgramme
from vouchers.selectors import ledger_differences

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent():
    out = io.StringIO()
    enterprises_demo.load(out)
    demo.load(out)
    demo.load(out)
    assert VoucherProgramme.objects.count() == 5
    kinds = dict(
        Voucher.objects.filter(enterprise__members__is_admin=True).values_list(
            "enterprise__members__user__username", "kind"
        )
    )
    assert kinds == {
        "demo_wujiang": "tongdui",
        "demo_maanshan": "tongyong",
        "demo_xiangcheng": "tongyong",
        "demo_qingpu": "tongyong",
    }
    assert Voucher.objects.get(enterprise__members__user__username="demo_qingpu").source == "imported"
    assert ledger_differences() == []
