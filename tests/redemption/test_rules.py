"""The four order–invoice rules (DESIGN §7), platform-wide invoice uniqueness, one open
application per order, 兑现金额 (6000 → 3000 at 50 %), the 兑付周期."""

import datetime
from decimal import Decimal

import pytest

from enterprises.selectors import enterprise_for_user
from orders import services as order_services
from orders.models import OrderStatus
from redemption import services
from redemption.exceptions import InvalidInput, InvoiceRuleViolation, OutsideWindow
from redemption.models import Status
from tests.redemption.conftest import add_invoice, completed_order, draft, new_code
from vouchers.selectors import ledger_differences

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(qpu_buyer, qpu_item, qpu_voucher, seller, qpu_admin):
    """Two completed 3000 orders (一口价) of one voucher."""
    return [completed_order(qpu_buyer, qpu_item, qpu_voucher, seller=seller, admin=qpu_admin) for _ in range(2)]


def test_manual_example_6000_gives_3000(qpu_buyer, qpu_item, qpu_voucher, seller, qpu_admin):
    order = completed_order(qpu_buyer, qpu_item, qpu_voucher, seller=seller, admin=qpu_admin, quantity=2)
    assert order.amount == Decimal("6000.00")
    application = draft(qpu_buyer, qpu_voucher)
    (line,) = services.add_orders(application.pk, actor=qpu_buyer, selections=[(order.pk, None)])
    add_invoice(application, qpu_buyer, "6000.00", line=line)
    application = services.submit_application(application.pk, actor=qpu_buyer)
    assert application.status == Status.EXPERT_REVIEW
    assert application.service_total == Decimal("6000.00")
    assert application.redeem_amount == Decimal("3000.00")
    qpu_voucher.refresh_from_db()
    assert qpu_voucher.held_amount == Decimal("3000.00")
    assert qpu_voucher.remaining_amount == Decimal("7000.00")
    order.refresh_from_db()
    assert order.status == OrderStatus.REDEEMING
    assert ledger_differences() == []


def test_redeem_amount_capped_by_remaining(qpu_buyer, qpu_item, seller, qpu_admin):
    from tests.factories import make_voucher

    voucher = make_voucher(enterprise_for_user(qpu_buyer), amount="1000.00")
    order = completed_order(qpu_buyer, qpu_item, voucher, seller=seller, admin=qpu_admin)  # holds 1000
    application = draft(qpu_buyer, voucher)
    (line,) = services.add_orders(application.pk, actor=qpu_buyer, selections=[(order.pk, None)])
    add_invoice(application, qpu_buyer, "3000.00", line=line)
    application = services.submit_application(application.pk, actor=qpu_buyer)
    assert application.redeem_amount == Decimal("1000.00")  # 1500 capped by what is left
    voucher.refresh_from_db()
    assert voucher.remaining_amount == 0
    assert ledger_differences() == []


def test_rule_1_one_order_at_most_one_invoice(qpu_buyer, qpu_voucher, orders):
    application = draft(qpu_buyer, qpu_voucher)
    line, _ = services.add_orders(application.pk, actor=qpu_buyer, selections=[(o.pk, None) for o in orders])
    add_invoice(application, qpu_buyer, "3000.00", line=line)
    second = add_invoice(application, qpu_buyer, "3000.00")
    with pytest.raises(InvoiceRuleViolation) as error:
        services.link_invoice(application.pk, line.pk, second.pk, actor=qpu_buyer)
    assert "规则①" in str(error.value) and orders[0].number in str(error.value)


def test_rule_2_order_amount_not_above_its_invoice(qpu_buyer, qpu_voucher, orders):
    application = draft(qpu_buyer, qpu_voucher)
    (line,) = services.add_orders(application.pk, actor=qpu_buyer, selections=[(orders[0].pk, None)])
    small = add_invoice(application, qpu_buyer, "2999.99")
    with pytest.raises(InvoiceRuleViolation) as error:
        services.link_invoice(application.pk, line.pk, small.pk, actor=qpu_buyer)
    assert "规则②" in str(error.value) and orders[0].number in str(error.value)
    line.refresh_from_db()
    assert line.invoice_id is None  # nothing changed
    exact = add_invoice(application, qpu_buyer, "3000.00")
    services.link_invoice(application.pk, line.pk, exact.pk, actor=qpu_buyer)


def test_rule_3_shared_invoice_covers_the_sum(qpu_buyer, qpu_voucher, orders):
    application = draft(qpu_buyer, qpu_voucher)
    first, second = services.add_orders(application.pk, actor=qpu_buyer, selections=[(o.pk, None) for o in orders])
    invoice = add_invoice(application, qpu_buyer, "5000.00", line=first)
    with pytest.raises(InvoiceRuleViolation) as error:
        services.link_invoice(application.pk, second.pk, invoice.pk, actor=qpu_buyer)
    assert "规则③" in str(error.value) and orders[1].number in str(error.value)
    big = add_invoice(application, qpu_buyer, "6000.00")
    services.unlink_invoice(application.pk, first.pk, actor=qpu_buyer)
    services.link_invoice(application.pk, first.pk, big.pk, actor=qpu_buyer)
    services.link_invoice(application.pk, second.pk, big.pk, actor=qpu_buyer)  # two orders, one invoice: allowed
    application = services.submit_application(application.pk, actor=qpu_buyer)
    assert application.redeem_amount == Decimal("3000.00")


def test_rule_4_difference_order_needs_its_own_invoice(qpu_buyer, qpu_voucher, orders):
    parent = orders[0]
    child = order_services.create_difference_order(parent.pk, actor=qpu_buyer, amount="800.00")
    application = draft(qpu_buyer, qpu_voucher)
    parent_line, child_line = services.add_orders(
        application.pk, actor=qpu_buyer, selections=[(parent.pk, None), (child.pk, None)]
    )
    invoice = add_invoice(application, qpu_buyer, "5000.00", line=parent_line)
    with pytest.raises(InvoiceRuleViolation) as error:
        services.link_invoice(application.pk, child_line.pk, invoice.pk, actor=qpu_buyer)
    assert "规则④" in str(error.value) and child.number in str(error.value)
    add_invoice(application, qpu_buyer, "800.00", line=child_line)  # a second invoice: allowed
    application = services.submit_application(application.pk, actor=qpu_buyer)
    assert application.service_total == Decimal("3800.00")
    assert application.redeem_amount == Decimal("1900.00")


def test_rule_4_difference_order_goes_with_its_original(qpu_buyer, qpu_voucher, orders):
    child = order_services.create_difference_order(orders[0].pk, actor=qpu_buyer, amount="800.00")
    application = draft(qpu_buyer, qpu_voucher)
    (line,) = services.add_orders(application.pk, actor=qpu_buyer, selections=[(child.pk, None)])
    add_invoice(application, qpu_buyer, "800.00", line=line)
    with pytest.raises(InvoiceRuleViolation) as error:
        services.submit_application(application.pk, actor=qpu_buyer)
    assert "规则④" in str(error.value) and orders[0].number in str(error.value)


def test_submit_needs_an_invoice_for_every_order(qpu_buyer, qpu_voucher, orders):
    application = draft(qpu_buyer, qpu_voucher)
    services.add_orders(application.pk, actor=qpu_buyer, selections=[(orders[0].pk, None)])
    with pytest.raises(InvoiceRuleViolation, match=orders[0].number):
        services.submit_application(application.pk, actor=qpu_buyer)
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_amount_editable_only_when_not_confirmed(qpu_buyer, qpu_voucher, qpu_negotiable_item, orders):
    # An order of a 面议 item placed but never accepted online (served offline).
    offline = order_services.place_order(user=qpu_buyer, item_id=qpu_negotiable_item.pk, voucher_id=qpu_voucher.pk)
    application = draft(qpu_buyer, qpu_voucher)
    fixed_line, offline_line = services.add_orders(
        application.pk, actor=qpu_buyer, selections=[(orders[0].pk, "1.00"), (offline.pk, "2500.00")]
    )
    assert fixed_line.amount == Decimal("3000.00")  # confirmed: the typed amount is ignored
    assert offline_line.amount == Decimal("2500.00")
    with pytest.raises(InvalidInput):
        services.update_line_amount(application.pk, fixed_line.pk, actor=qpu_buyer, amount="10.00")
    with pytest.raises(InvalidInput):
        services.update_line_amount(application.pk, offline_line.pk, actor=qpu_buyer, amount="abc")
    services.update_line_amount(application.pk, offline_line.pk, actor=qpu_buyer, amount="2000.00")
    add_invoice(application, qpu_buyer, "3000.00", line=fixed_line)
    add_invoice(application, qpu_buyer, "2000.00", line=offline_line)
    application = services.submit_application(application.pk, actor=qpu_buyer)
    assert application.service_total == Decimal("5000.00")
    offline.refresh_from_db()
    assert offline.status == OrderStatus.REDEEMING


def test_invoice_claimed_once_on_the_platform(qpu_buyer, qpu_buyer_b, qpu_voucher, qpu_admin, orders):
    from tests.factories import make_voucher

    code, number = new_code(), "12345678"
    application = draft(qpu_buyer, qpu_voucher)
    (line,) = services.add_orders(application.pk, actor=qpu_buyer, selections=[(orders[0].pk, None)])
    add_invoice(application, qpu_buyer, "3000.00", code=code, number=number, line=line)
    with pytest.raises(InvalidInput, match="只能兑付一次"):
        add_invoice(application, qpu_buyer, "3000.00", code=code, number=number)
    other_voucher = make_voucher(enterprise_for_user(qpu_buyer_b), amount="5000.00")
    other = draft(qpu_buyer_b, other_voucher)
    with pytest.raises(InvalidInput, match="只能兑付一次"):
        add_invoice(other, qpu_buyer_b, "3000.00", code=code, number=number)
    # Once the first application is rejected the invoice is free again.
    services.submit_application(application.pk, actor=qpu_buyer)
    _to_region_review(application, qpu_admin)
    services.reject_application(application.pk, actor=qpu_admin, reason="发票与合同不符")
    add_invoice(other, qpu_buyer_b, "3000.00", code=code, number=number)


def test_order_in_one_open_application_only(qpu_buyer, qpu_voucher, orders):
    first = draft(qpu_buyer, qpu_voucher)
    services.add_orders(first.pk, actor=qpu_buyer, selections=[(orders[0].pk, None)])
    second = draft(qpu_buyer, qpu_voucher)
    with pytest.raises(InvalidInput, match="已在其他兑付申请中"):
        services.add_orders(second.pk, actor=qpu_buyer, selections=[(orders[0].pk, None)])


def test_window_outside_refused_with_dates(qpu_buyer, qpu_voucher, orders):
    application = draft(qpu_buyer, qpu_voucher)
    policy = application.policy
    policy.redemption_window_start = datetime.date(2020, 1, 1)
    policy.redemption_window_end = datetime.date(2020, 3, 31)
    policy.save()
    with pytest.raises(OutsideWindow) as error:
        services.create_application(user=qpu_buyer, voucher_id=qpu_voucher.pk)
    assert "2020-01-01" in str(error.value) and "2020-03-31" in str(error.value)
    (line,) = services.add_orders(application.pk, actor=qpu_buyer, selections=[(orders[0].pk, None)])
    add_invoice(application, qpu_buyer, "3000.00", line=line)
    with pytest.raises(OutsideWindow):
        services.submit_application(application.pk, actor=qpu_buyer)
    policy.redemption_window_end = datetime.date.today()
    policy.save()
    services.submit_application(application.pk, actor=qpu_buyer)


def test_texts_limited_to_200(qpu_buyer, qpu_voucher):
    application = draft(qpu_buyer, qpu_voucher)
    with pytest.raises(InvalidInput) as error:
        services.save_texts(application.pk, actor=qpu_buyer, effect="效" * 201, innovation="新")
    assert error.value.field == "effect"
    services.save_texts(application.pk, actor=qpu_buyer, effect="效" * 200, innovation="")
    with pytest.raises(InvalidInput, match="创新性体现"):
        services.submit_application(application.pk, actor=qpu_buyer)


def test_tongdui_region_cannot_create(buyer_a):
    from redemption.exceptions import NotAllowed
    from tests.factories import make_voucher

    voucher = make_voucher(enterprise_for_user(buyer_a), amount="1000.00")
    with pytest.raises(NotAllowed, match="通兑模式"):
        services.create_application(user=buyer_a, voucher_id=voucher.pk)


def _to_region_review(application, admin):
    from tests.redemption.conftest import make_expert

    expert = make_expert(f"expert_for_{application.pk}")
    services.assign_experts(application.pk, [expert.pk], actor=admin)
    services.submit_review(
        application.pk, expert=expert, score=80, opinion="材料齐全", recommended_amount="1000.00", no_conflict=True
    )
