"""Every transition of the redemption table (DESIGN §4) with its actor, the money of §6,
通兑 claims, 快速兑付, 公示 task and 拨付."""

import datetime
from decimal import Decimal

import pytest

from enterprises.selectors import enterprise_for_user
from messaging.models import Message
from orders import services as order_services
from orders.models import OrderStatus
from redemption import services
from redemption.exceptions import InsufficientVoucher, InvalidInput, InvalidTransition, NotAllowed
from redemption.models import ApplicationStatusChange, Kind, RedemptionApplication, Status
from redemption.tasks import end_notice_periods
from tests.redemption.conftest import add_invoice, completed_order, draft
from vouchers.models import LedgerEntry
from vouchers.selectors import ledger_differences
from vouchers.services import held_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(qpu_buyer, qpu_item, qpu_voucher, seller, qpu_admin):
    """A submitted 通用 application: one order of 6000, 兑现金额 3000."""
    order = completed_order(qpu_buyer, qpu_item, qpu_voucher, seller=seller, admin=qpu_admin, quantity=2)
    application = draft(qpu_buyer, qpu_voucher)
    (line,) = services.add_orders(application.pk, actor=qpu_buyer, selections=[(order.pk, None)])
    add_invoice(application, qpu_buyer, "6000.00", line=line)
    return services.submit_application(application.pk, actor=qpu_buyer)


def _score(application, *experts):
    application.refresh_from_db()
    amount = min(Decimal("2500.00"), application.redeem_amount)
    for expert in experts:
        services.submit_review(
            application.pk, expert=expert, score=85, opinion="成效明显", recommended_amount=amount, no_conflict=True
        )


def test_full_run_with_lower_approved_amount(submitted, qpu_buyer, qpu_admin, expert, expert_b, qpu_voucher):
    application = submitted
    services.assign_experts(application.pk, [expert.pk, expert_b.pk], actor=qpu_admin)
    _score(application, expert)
    application.refresh_from_db()
    assert application.status == Status.EXPERT_REVIEW  # one expert still to score
    _score(application, expert_b)
    application.refresh_from_db()
    assert application.status == Status.REGION_REVIEW

    services.approve_application(application.pk, actor=qpu_admin, amount="2500.00")
    application.refresh_from_db()
    qpu_voucher.refresh_from_db()
    assert application.status == Status.NOTICE
    assert application.approved_amount == Decimal("2500.00")
    assert qpu_voucher.consumed_amount == Decimal("2500.00")
    assert qpu_voucher.held_amount == 0
    assert qpu_voucher.remaining_amount == Decimal("7500.00")  # the 500 not approved came back

    today = datetime.date.today()
    assert application.notice_start == today
    assert end_notice_periods() == 0  # period not over
    later = application.notice_end + datetime.timedelta(days=1)
    assert services.end_notice_periods(today=later) == 1
    assert services.end_notice_periods(today=later) == 0  # safe to run twice
    application.refresh_from_db()
    assert application.status == Status.PENDING_PAYMENT

    services.disburse(application.pk, actor=qpu_admin, paid_on=today, bank_reference="BANK-001", amount="2500.00")
    application.refresh_from_db()
    assert application.status == Status.PAID
    assert application.disbursement.amount == Decimal("2500.00")
    line = application.lines.select_related("order").get()
    assert line.order.status == OrderStatus.REDEEMED
    assert ledger_differences() == []
    actions = list(ApplicationStatusChange.objects.filter(application=application).values_list("action", flat=True))
    for action in ("新增", "提交", "指派专家", "专家评审", "专家评审完成", "审核通过", "公示期满", "拨付"):
        assert action in actions
    texts = Message.objects.filter(recipient=qpu_buyer, kind=Message.Kind.REDEMPTION).values_list("text", flat=True)
    assert any("审核通过" in t for t in texts) and any("已拨付" in t for t in texts)


def test_actors_are_checked(submitted, qpu_buyer_b, other_region_admin, qpu_admin, expert, expert_b):
    application = submitted
    with pytest.raises(NotAllowed):
        services.assign_experts(application.pk, [expert.pk], actor=other_region_admin)
    with pytest.raises(InvalidInput):
        services.assign_experts(application.pk, [qpu_buyer_b.pk], actor=qpu_admin)  # not an expert
    services.assign_experts(application.pk, [expert.pk], actor=qpu_admin)
    with pytest.raises(NotAllowed):  # not assigned
        _score(application, expert_b)
    with pytest.raises(InvalidInput, match="利益冲突"):
        services.submit_review(
            application.pk, expert=expert, score=80, opinion="好", recommended_amount="1.00", no_conflict=False
        )
    with pytest.raises(InvalidTransition):  # not yet scored
        services.approve_application(application.pk, actor=qpu_admin, amount="100.00")
    _score(application, expert)
    with pytest.raises(NotAllowed):
        services.approve_application(application.pk, actor=other_region_admin, amount="100.00")
    with pytest.raises(NotAllowed):
        services.approve_application(application.pk, actor=qpu_buyer_b, amount="100.00")
    with pytest.raises(InvalidInput, match="不能超过兑现金额"):
        services.approve_application(application.pk, actor=qpu_admin, amount="3000.01")
    with pytest.raises(InvalidInput):
        services.reject_application(application.pk, actor=qpu_admin, reason="")
    application.refresh_from_db()
    assert application.status == Status.REGION_REVIEW


def test_other_enterprise_cannot_edit_or_submit(qpu_buyer, qpu_buyer_b, qpu_voucher):
    application = draft(qpu_buyer, qpu_voucher)
    with pytest.raises(NotAllowed):
        services.submit_application(application.pk, actor=qpu_buyer_b)
    with pytest.raises(NotAllowed):
        services.save_texts(application.pk, actor=qpu_buyer_b, effect="x", innovation="y")


def test_return_releases_and_allows_resubmission(submitted, qpu_buyer, qpu_admin, expert, qpu_voucher):
    application = submitted
    services.assign_experts(application.pk, [expert.pk], actor=qpu_admin)
    _score(application, expert)
    services.return_application(application.pk, actor=qpu_admin, reason="请补充检测报告")
    application.refresh_from_db()
    qpu_voucher.refresh_from_db()
    assert application.status == Status.DRAFT
    assert held_for(qpu_voucher.pk, "redemption", application.pk) == 0
    assert qpu_voucher.remaining_amount == Decimal("10000.00")
    order = application.lines.get().order
    assert order.status == OrderStatus.COMPLETED
    with pytest.raises(InvalidTransition):  # a draft cannot be approved
        services.approve_application(application.pk, actor=qpu_admin, amount="1.00")
    services.submit_application(application.pk, actor=qpu_buyer)  # resubmitted: new ledger keys
    application.refresh_from_db()
    assert application.status == Status.EXPERT_REVIEW
    assert held_for(qpu_voucher.pk, "redemption", application.pk) == Decimal("3000.00")
    _score(application, expert)  # the assigned expert scores again
    application.refresh_from_db()
    assert application.status == Status.REGION_REVIEW
    assert ledger_differences() == []


def test_reject_releases_and_frees_orders(submitted, qpu_buyer, qpu_admin, expert, qpu_voucher):
    application = submitted
    services.assign_experts(application.pk, [expert.pk], actor=qpu_admin)
    _score(application, expert)
    services.reject_application(application.pk, actor=qpu_admin, reason="不符合兑付条件")
    application.refresh_from_db()
    qpu_voucher.refresh_from_db()
    assert application.status == Status.REJECTED
    assert qpu_voucher.remaining_amount == Decimal("10000.00")
    line = application.lines.get()
    assert line.is_open is False and line.order.status == OrderStatus.COMPLETED
    assert not application.invoices.filter(is_claimed=True).exists()
    with pytest.raises(InvalidTransition):
        services.return_application(application.pk, actor=qpu_admin, reason="x")
    assert ledger_differences() == []


def test_objection_returns_to_region_review(submitted, qpu_admin, expert, qpu_voucher):
    """异议成立 gives the consumed 核定金额 back to the application's hold; the new review
    may approve less (the rest is released) and the voucher is consumed once."""
    application = submitted
    services.assign_experts(application.pk, [expert.pk], actor=qpu_admin)
    _score(application, expert)
    services.approve_application(application.pk, actor=qpu_admin, amount="2000.00")
    qpu_voucher.refresh_from_db()
    remaining = qpu_voucher.remaining_amount
    assert qpu_voucher.consumed_amount == Decimal("2000.00")
    services.record_objection(application.pk, actor=qpu_admin, reason="公示期间收到实名举报，经核实成立")
    application.refresh_from_db()
    qpu_voucher.refresh_from_db()
    assert application.status == Status.REGION_REVIEW and application.notice_end is None
    assert application.consumed_amount == 0 and application.approved_amount is None
    assert qpu_voucher.consumed_amount == 0 and qpu_voucher.held_amount >= Decimal("2000.00")
    assert qpu_voucher.remaining_amount == remaining  # nothing came back to spend yet
    assert held_for(qpu_voucher.pk, "redemption", application.pk) == Decimal("2000.00")
    assert ledger_differences() == []
    with pytest.raises(InsufficientVoucher):  # no more than was held after the first review
        services.approve_application(application.pk, actor=qpu_admin, amount="2500.00")
    services.approve_application(application.pk, actor=qpu_admin, amount="1500.00")
    application.refresh_from_db()
    qpu_voucher.refresh_from_db()
    assert application.status == Status.NOTICE and application.approved_amount == Decimal("1500.00")
    assert qpu_voucher.consumed_amount == Decimal("1500.00")
    assert qpu_voucher.remaining_amount == remaining + Decimal("500.00")
    assert held_for(qpu_voucher.pk, "redemption", application.pk) == 0
    assert ledger_differences() == []


def test_an_objection_recorded_before_reversals_keeps_its_consumed_amount(submitted, qpu_admin, expert):
    """Applications whose 异议成立 was recorded before consumption could be reversed are
    back in 待区域审核 with their amount consumed: 审核通过 takes exactly that amount, and
    approvable_amount (the admin form's 最多) says so."""
    application = submitted
    services.assign_experts(application.pk, [expert.pk], actor=qpu_admin)
    _score(application, expert)
    services.approve_application(application.pk, actor=qpu_admin, amount="2000.00")
    type(application).objects.filter(pk=application.pk).update(status=Status.REGION_REVIEW)  # the old objection
    application.refresh_from_db()
    assert services.approvable_amount(application) == Decimal("2000.00")
    with pytest.raises(InvalidInput, match="须保持不变"):
        services.approve_application(application.pk, actor=qpu_admin, amount="1500.00")
    services.approve_application(application.pk, actor=qpu_admin, amount="2000.00")
    application.refresh_from_db()
    assert application.status == Status.NOTICE and application.approved_amount == Decimal("2000.00")
    assert ledger_differences() == []


def test_objection_then_rejection_gives_the_money_back(submitted, qpu_admin, expert, qpu_voucher):
    application = submitted
    services.assign_experts(application.pk, [expert.pk], actor=qpu_admin)
    _score(application, expert)
    qpu_voucher.refresh_from_db()
    before = qpu_voucher.remaining_amount + qpu_voucher.held_amount
    services.approve_application(application.pk, actor=qpu_admin, amount="3000.00")
    services.record_objection(application.pk, actor=qpu_admin, reason="发票与服务内容不符")
    services.approve_application(application.pk, actor=qpu_admin, amount="3000.00")
    services.record_objection(application.pk, actor=qpu_admin, reason="再次收到举报")  # a second round
    services.reject_application(application.pk, actor=qpu_admin, reason="经核实，服务未实际发生")
    application.refresh_from_db()
    qpu_voucher.refresh_from_db()
    assert application.status == Status.REJECTED
    assert qpu_voucher.consumed_amount == 0 and qpu_voucher.held_amount == 0
    assert qpu_voucher.remaining_amount == before
    kinds = list(
        LedgerEntry.objects.filter(cause_type="redemption", cause_id=application.pk)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds.count("consume") == 2 and kinds.count("reverse") == 2 and kinds[-1] == "release"
    assert ledger_differences() == []


def test_a_reversal_never_exceeds_what_was_consumed(qpu_voucher, qpu_admin):
    from vouchers.exceptions import HoldExceeded
    from vouchers.services import voucher_consume, voucher_hold, voucher_reverse_consume

    voucher_hold(qpu_voucher.pk, "100.00", cause_type="redemption", cause_id=999, key="t:hold")
    voucher_consume(qpu_voucher.pk, "60.00", cause_type="redemption", cause_id=999, key="t:consume")
    with pytest.raises(HoldExceeded, match="已使用金额60.00元"):
        voucher_reverse_consume(qpu_voucher.pk, "60.01", cause_type="redemption", cause_id=999, key="t:rev")
    voucher_reverse_consume(qpu_voucher.pk, "60.00", cause_type="redemption", cause_id=999, key="t:rev")
    voucher_reverse_consume(qpu_voucher.pk, "60.00", cause_type="redemption", cause_id=999, key="t:rev")  # replay
    qpu_voucher.refresh_from_db()
    assert qpu_voucher.consumed_amount == 0
    assert held_for(qpu_voucher.pk, "redemption", 999) == Decimal("100.00")
    assert ledger_differences() == []


def test_disburse_only_when_pending_payment_and_batch(submitted, qpu_admin, other_region_admin, expert):
    application = submitted
    with pytest.raises(InvalidTransition):
        services.disburse(application.pk, actor=qpu_admin, paid_on=datetime.date.today(), bank_reference="B1")
    services.assign_experts(application.pk, [expert.pk], actor=qpu_admin)
    _score(application, expert)
    services.approve_application(application.pk, actor=qpu_admin, amount="3000.00")
    services.end_notice_periods(today=datetime.date.today() + datetime.timedelta(days=30))
    with pytest.raises(NotAllowed):
        services.disburse_batch(
            [application.pk], actor=other_region_admin, paid_on=datetime.date.today(), bank_reference="B1"
        )
    with pytest.raises(InvalidInput, match="银行流水号"):
        services.disburse_batch([application.pk], actor=qpu_admin, paid_on=datetime.date.today(), bank_reference="")
    services.disburse_batch(
        [application.pk], actor=qpu_admin, paid_on=datetime.date.today(), bank_reference="B1", batch="2026-11"
    )
    application.refresh_from_db()
    assert application.status == Status.PAID and application.disbursement.batch == "2026-11"


def test_tongdui_claim_enters_the_pipeline(buyer_a, seller, wujiang_admin, institution, expert):
    from tests.factories import make_voucher, service_item
    from tests.orders.conftest import TONGDUI_DETAILS, pdf_upload

    voucher = make_voucher(enterprise_for_user(buyer_a), amount="10000.00")
    item = service_item(institution, price="4000.00", regions=("WJI",))
    order = order_services.place_order(user=buyer_a, item_id=item.pk, voucher_id=voucher.pk, details=TONGDUI_DETAILS)
    order_services.accept_order(order.pk, actor=seller)
    order_services.confirm_quota(order.pk, actor=wujiang_admin)  # holds 2000
    from config.uploads import clean_attachment

    order_services.request_redemption(order.pk, actor=seller, amount="1500.00", proof=clean_attachment(pdf_upload()))
    order_services.agree_redemption(order.pk, actor=buyer_a)
    claim = RedemptionApplication.objects.get(kind=Kind.CLAIM)
    assert claim.status == Status.EXPERT_REVIEW
    assert claim.institution_id == institution.pk
    assert claim.redeem_amount == Decimal("1500.00")
    assert held_for(voucher.pk, "redemption", claim.pk) == Decimal("1500.00")
    assert held_for(voucher.pk, "order", order.pk) == 0
    voucher.refresh_from_db()
    assert voucher.remaining_amount == Decimal("8500.00")
    services.assign_experts(claim.pk, [expert.pk], actor=wujiang_admin)
    _score(claim, expert)
    services.approve_application(claim.pk, actor=wujiang_admin, amount="1200.00")
    voucher.refresh_from_db()
    assert voucher.consumed_amount == Decimal("1200.00")
    assert Message.objects.filter(recipient=seller, kind=Message.Kind.INSTITUTION_REDEMPTION).exists()
    assert ledger_differences() == []


def test_quick_redemption_in_maanshan(mas_buyer, mas_admin, quick_parts, expert):
    from tests.factories import make_voucher

    voucher = make_voucher(enterprise_for_user(mas_buyer), amount="5000.00")
    application = draft(mas_buyer, voucher, kind=Kind.QUICK, **quick_parts)
    add_invoice(application, mas_buyer, "2000.00")
    add_invoice(application, mas_buyer, "1000.50")
    application = services.submit_application(application.pk, actor=mas_buyer)
    assert application.service_total == Decimal("3000.50")
    assert application.redeem_amount == Decimal("1500.25")
    services.assign_experts(application.pk, [expert.pk], actor=mas_admin)
    _score(application, expert)
    services.approve_application(application.pk, actor=mas_admin, amount="1500.25")
    assert ledger_differences() == []


def test_quick_needs_policy_and_third_level(qpu_buyer, qpu_voucher, mas_buyer, quick_parts):
    from catalog.models import ServiceCategory
    from tests.factories import make_voucher

    with pytest.raises(NotAllowed, match="未开通快速兑付"):
        services.create_application(user=qpu_buyer, kind=Kind.QUICK, voucher_id=qpu_voucher.pk, **quick_parts)
    voucher = make_voucher(enterprise_for_user(mas_buyer), amount="5000.00")
    second_level = ServiceCategory.objects.filter(level=2).first()
    with pytest.raises(InvalidInput, match="第三级"):
        services.create_application(
            user=mas_buyer,
            kind=Kind.QUICK,
            voucher_id=voucher.pk,
            institution_id=quick_parts["institution_id"],
            category_id=second_level.pk,
        )
