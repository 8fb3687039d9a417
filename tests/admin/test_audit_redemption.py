"""Audit rows of the redemption decisions (提交, 专家评审完成, 审核通过 with 核定金额, 公示期满,
拨付, 审核不通过) written by redemption.services' one status-move function."""

import datetime

import pytest

from accounts.models import AuditEntry
from redemption import services
from tests.factories import region
from tests.redemption.conftest import add_invoice, completed_order, draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(qpu_buyer, qpu_item, qpu_voucher, seller, qpu_admin):
    order = completed_order(qpu_buyer, qpu_item, qpu_voucher, seller=seller, admin=qpu_admin, quantity=2)
    application = draft(qpu_buyer, qpu_voucher)
    (line,) = services.add_orders(application.pk, actor=qpu_buyer, selections=[(order.pk, None)])
    add_invoice(application, qpu_buyer, "6000.00", line=line)
    return services.submit_application(application.pk, actor=qpu_buyer)


def test_each_redemption_decision_is_audited(submitted, qpu_buyer, qpu_admin, expert):
    application = submitted
    services.assign_experts(application.pk, [expert.pk], actor=qpu_admin)
    services.submit_review(
        application.pk, expert=expert, score=80, opinion="可以", recommended_amount="2500.00", no_conflict=True
    )
    services.approve_application(application.pk, actor=qpu_admin, amount="2500.00")
    services.end_notice_periods(today=datetime.date.today() + datetime.timedelta(days=30))
    services.disburse_batch(
        [application.pk], actor=qpu_admin, paid_on=datetime.date.today(), bank_reference="B-1", batch=""
    )
    rows = AuditEntry.objects.filter(object_type="redemption.redemptionapplication", object_id=str(application.pk))
    by_action = {row.action: row for row in rows}
    assert set(by_action) >= {
        "redemption.submit",
        "redemption.scored",
        "redemption.approve",
        "redemption.notice_end",
        "redemption.disburse",
    }
    approve = by_action["redemption.approve"]
    assert approve.actor == qpu_admin
    assert approve.before == {"status": "region_review"}
    assert approve.after["status"] == "notice" and approve.after["approved_amount"] == "2500.00"
    assert approve.region_id == region("QPU").pk
    assert by_action["redemption.submit"].actor == qpu_buyer
    assert by_action["redemption.notice_end"].actor is None  # the scheduled task
    assert by_action["redemption.disburse"].after["status"] == "paid"
    assign = by_action["redemption.assign_experts"]
    assert assign.actor == qpu_admin and assign.after["experts"] == [expert.pk]
    # the money moved through the voucher ledger, which is audited too
    assert AuditEntry.objects.filter(action="voucher_ledger.consume", region_id=region("QPU").pk).exists()


def test_rejection_is_audited_with_reason(submitted, qpu_admin, expert):
    services.assign_experts(submitted.pk, [expert.pk], actor=qpu_admin)
    services.submit_review(
        submitted.pk, expert=expert, score=40, opinion="不足", recommended_amount="0.00", no_conflict=True
    )
    services.reject_application(submitted.pk, actor=qpu_admin, reason="材料不实")
    row = AuditEntry.objects.get(action="redemption.reject")
    assert row.note == "材料不实" and row.after["status"] == "rejected"
