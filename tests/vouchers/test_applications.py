"""创新券申请: submit, every review transition and the forbidden moves."""

from decimal import Decimal

import pytest

from enterprises.models import RegionPolicy
from enterprises.selectors import enterprise_for_user
from messaging.models import Message
from tests.factories import EnterpriseFactory, make_programme, make_voucher
from tests.vouchers.conftest import complete_basic_info
from vouchers import exceptions as ex
from vouchers.models import LedgerEntry, Voucher, VoucherApplication
from vouchers.selectors import ledger_differences
from vouchers.services import (
    apply_blocker,
    approve_application,
    reject_application,
    resubmit_application,
    return_application,
    submit_application,
)

pytestmark = pytest.mark.django_db
D = Decimal
S = VoucherApplication.Status


def submit(user, programme, amount="100000.00", **kw):
    return submit_application(
        enterprise=enterprise_for_user(user),
        programme_id=programme.pk,
        requested_amount=D(amount),
        intended_services=kw.get("services", "检测服务"),
        expected_results="提升产品质量",
        declaration=kw.get("declaration", True),
        actor=user,
    )


def test_submit_and_approve_issues_a_voucher_and_a_message(ready_buyer, wujiang_programme, wujiang_admin):
    app = submit(ready_buyer, wujiang_programme)
    assert app.status == S.PENDING and app.policy.region.code == "WJI"
    voucher = approve_application(app.pk, granted_amount=D("80000.00"), actor=wujiang_admin)
    app.refresh_from_db()
    assert app.status == S.APPROVED and app.granted_amount == D("80000.00") and app.decided_by == wujiang_admin
    assert voucher.application == app and voucher.kind == RegionPolicy.Mode.TONGDUI
    assert len(voucher.number) == 16 and voucher.number.startswith(f"{wujiang_programme.year}DWJI")
    assert voucher.remaining_amount == D("80000.00")
    assert LedgerEntry.objects.get(voucher=voucher).kind == "issue"
    wujiang_programme.refresh_from_db()
    assert wujiang_programme.budget_used == D("80000.00")
    message = Message.objects.get(recipient=ready_buyer, kind=Message.Kind.VOUCHER_APPLICATION)
    assert message.text == f"您申请的科技券(通兑券: {voucher.number})已经审核通过, 请查看结果!!"
    assert message.link == f"/vouchers/{voucher.pk}/"
    assert [h.to_status for h in app.history.all()] == [S.PENDING, S.APPROVED]
    assert ledger_differences() == []


def test_approve_limits(ready_buyer, wujiang_programme, wujiang_admin):
    app = submit(ready_buyer, wujiang_programme, "100000.00")
    with pytest.raises(ex.InvalidAmount, match="不能超过申请金额"):
        approve_application(app.pk, granted_amount=D("100000.01"), actor=wujiang_admin)
    with pytest.raises(ex.InvalidAmount):
        approve_application(app.pk, granted_amount=D("0"), actor=wujiang_admin)
    # Annual cap: the enterprise already got 450,000 this year.
    enterprise = enterprise_for_user(ready_buyer)
    make_voucher(enterprise, "450000.00", programme=make_programme("WJI"))
    with pytest.raises(ex.InvalidAmount, match="年度上限"):
        approve_application(app.pk, granted_amount=D("60000.00"), actor=wujiang_admin)
    app.refresh_from_db()
    assert app.status == S.PENDING and not hasattr(app, "voucher_cache")
    assert not Voucher.objects.filter(application=app).exists()
    approve_application(app.pk, granted_amount=D("50000.00"), actor=wujiang_admin)


def test_budget_is_a_limit(ready_buyer, wujiang_admin):
    programme = make_programme("WJI", budget="1000.00", max_amount="5000.00")
    app = submit(ready_buyer, programme, "2000.00")
    with pytest.raises(ex.BudgetExceeded):
        approve_application(app.pk, granted_amount=D("2000.00"), actor=wujiang_admin)


def test_reject_and_return_need_a_reason_and_notify(ready_buyer, wujiang_programme, wujiang_admin):
    app = submit(ready_buyer, wujiang_programme)
    with pytest.raises(ex.VoucherError, match="原因"):
        reject_application(app.pk, reason="  ", actor=wujiang_admin)
    return_application(app.pk, reason="请补充拟购买服务明细", actor=wujiang_admin)
    app.refresh_from_db()
    assert app.status == S.RETURNED and app.reason == "请补充拟购买服务明细"
    assert Message.objects.filter(recipient=ready_buyer, text__contains="退回修改").exists()
    # 退回修改 → 待审核 by the enterprise, with the corrected form.
    resubmit_application(
        app.pk,
        enterprise=app.enterprise,
        requested_amount=D("90000.00"),
        intended_services="检测服务明细",
        expected_results="提升",
        declaration=True,
        actor=ready_buyer,
    )
    app.refresh_from_db()
    assert app.status == S.PENDING and app.requested_amount == D("90000.00")
    reject_application(app.pk, reason="不符合条件", actor=wujiang_admin)
    app.refresh_from_db()
    assert app.status == S.REJECTED
    assert Message.objects.filter(recipient=ready_buyer, text__contains="未通过审核").exists()
    assert [h.to_status for h in app.history.all()] == [S.PENDING, S.RETURNED, S.PENDING, S.REJECTED]


@pytest.mark.parametrize(
    "first, then",
    [
        ("approve", "approve"),
        ("approve", "reject"),
        ("approve", "return"),
        ("reject", "approve"),
        ("reject", "return"),
        ("return", "approve"),
        ("return", "reject"),
        ("return", "return"),
    ],
)
def test_forbidden_moves(ready_buyer, wujiang_programme, wujiang_admin, first, then):
    app = submit(ready_buyer, wujiang_programme)
    do = {
        "approve": lambda: approve_application(app.pk, granted_amount=D("1000"), actor=wujiang_admin),
        "reject": lambda: reject_application(app.pk, reason="原因", actor=wujiang_admin),
        "return": lambda: return_application(app.pk, reason="原因", actor=wujiang_admin),
    }
    do[first]()
    before = VoucherApplication.objects.get(pk=app.pk).status
    with pytest.raises(ex.InvalidTransition):
        do[then]()
    assert VoucherApplication.objects.get(pk=app.pk).status == before
    assert Voucher.objects.count() == (1 if first == "approve" else 0)


def test_resubmit_only_when_returned_and_only_own(ready_buyer, buyer_b, wujiang_programme):
    app = submit(ready_buyer, wujiang_programme)
    kw = {"requested_amount": D("1"), "intended_services": "x", "expected_results": "y", "declaration": True}
    with pytest.raises(ex.InvalidTransition):
        resubmit_application(app.pk, enterprise=app.enterprise, actor=ready_buyer, **kw)
    with pytest.raises(ex.VoucherError, match="不存在"):
        resubmit_application(app.pk, enterprise=enterprise_for_user(buyer_b), actor=buyer_b, **kw)


def test_one_open_application_per_programme(ready_buyer, wujiang_programme, wujiang_admin):
    app = submit(ready_buyer, wujiang_programme)
    with pytest.raises(ex.ApplicationNotAllowed, match="不能重复申请"):
        submit(ready_buyer, wujiang_programme)
    reject_application(app.pk, reason="材料不全", actor=wujiang_admin)
    again = submit(ready_buyer, wujiang_programme)  # after 驳回 a new one is allowed
    approve_application(again.pk, granted_amount=D("100"), actor=wujiang_admin)
    with pytest.raises(ex.ApplicationNotAllowed):
        submit(ready_buyer, wujiang_programme)


def test_who_may_apply(buyer_a, wujiang_programme):
    enterprise = enterprise_for_user(buyer_a)
    assert "基本信息" in apply_blocker(enterprise)
    with pytest.raises(ex.ApplicationNotAllowed, match="基本信息"):
        submit(buyer_a, wujiang_programme)
    complete_basic_info(enterprise)
    assert apply_blocker(enterprise) is None
    # Other region's programme, closed programme, amount above face value, no declaration.
    with pytest.raises(ex.ApplicationNotAllowed, match="本区域"):
        submit(buyer_a, make_programme("JSN"))
    closed = make_programme("WJI")
    closed.is_active = False
    closed.save()
    with pytest.raises(ex.ApplicationNotAllowed, match="申领时间"):
        submit(buyer_a, closed)
    with pytest.raises(ex.InvalidAmount, match="面额上限"):
        submit(buyer_a, wujiang_programme, "500000.01")
    with pytest.raises(ex.ApplicationNotAllowed, match="承诺"):
        submit(buyer_a, wujiang_programme, declaration=False)
    assert not VoucherApplication.objects.exists()


def test_imported_and_non_pilot_regions_cannot_apply():
    qingpu = complete_basic_info(EnterpriseFactory(region_id=None))
    assert "试点区域" in apply_blocker(qingpu)
    from enterprises.models import PilotRegion

    qingpu.region = PilotRegion.objects.get(code="QPU")
    qingpu.save()
    assert "外部平台" in apply_blocker(qingpu)
    assert "尚未关联企业" in apply_blocker(None)
