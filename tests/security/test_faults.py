"""Money under failure (DESIGN §6, §9; issue 10): the nightly ledger check reports to the
platform administrators; a database error in the middle of each money-moving service leaves
nothing half-done; a broker that is down never undoes (or breaks) a committed business
change, and the outbox sweeper sends what the broker missed."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.db import DatabaseError

from messaging.models import Message, OutboxMessage
from tests.factories import UserFactory, make_voucher
from vouchers.models import LedgerEntry, Voucher, VoucherHold, VoucherProgramme
from vouchers.selectors import ledger_differences
from vouchers.services import held_for, transfer_hold, voucher_consume, voucher_hold, voucher_release

pytestmark = pytest.mark.django_db
D = Decimal


class Boom(DatabaseError):
    pass


def money_state():
    """Everything a money move may touch."""
    return (
        list(
            Voucher.objects.order_by("pk").values_list(
                "pk", "status", "issued_amount", "held_amount", "consumed_amount", "remaining_amount"
            )
        ),
        list(VoucherHold.objects.order_by("pk").values_list("pk", "cause_type", "cause_id", "amount")),
        list(LedgerEntry.objects.order_by("pk").values_list("pk", "kind", "amount")),
        list(VoucherProgramme.objects.order_by("pk").values_list("pk", "budget_used")),
    )


# --- nightly ledger check ------------------------------------------------------------------


def test_nightly_ledger_check_is_scheduled(settings):
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["vouchers-check-ledger"]
    assert entry["task"] == "vouchers.tasks.check_ledger"
    assert isinstance(entry["schedule"], crontab)


def test_nightly_ledger_check_reports_differences_once_a_day(django_capture_on_commit_callbacks):
    from vouchers.tasks import check_ledger

    platform = UserFactory(username="platform", is_superuser=True, is_staff=True, email="ops@example.gov.cn")
    UserFactory(username="plain", email="plain@example.com")
    voucher = make_voucher(amount="1000.00")
    voucher_hold(voucher.pk, D("100.00"), cause_type="order", cause_id=7, key="k7")
    assert check_ledger() == 0
    assert not Message.objects.filter(kind=Message.Kind.SYSTEM).exists()

    # tampered: still balanced (the table's check constraint holds) but not what the ledger says
    Voucher.objects.filter(pk=voucher.pk).update(held_amount=D("150.00"), remaining_amount=D("850.00"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert check_ledger() >= 1
    message = Message.objects.get(kind=Message.Kind.SYSTEM)
    assert message.recipient == platform and "差异" in message.text and voucher.number in message.text
    assert OutboxMessage.objects.filter(channel="email", to="ops@example.gov.cn", status="sent").count() == 1
    assert len(mail.outbox) == 1 and voucher.number in mail.outbox[0].body
    # a second run the same night tells nobody twice
    with django_capture_on_commit_callbacks(execute=True):
        check_ledger()
    assert Message.objects.filter(kind=Message.Kind.SYSTEM).count() == 1
    assert len(mail.outbox) == 1


# --- database failure in the middle of the ledger services ---------------------------------


@pytest.fixture
def voucher():
    return make_voucher(amount="1000.00")


def _fail_on_call(n):
    """A side effect that lets the first n-1 calls through and raises on call n."""
    calls = {"n": 0}

    def side_effect(original):
        def wrapper(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] >= n:
                raise Boom("database went away")
            return original(*args, **kwargs)

        return wrapper

    return side_effect


LEDGER_CASES = {
    # name: (prepare, call, target to break, fail on which call)
    "hold/entry": (None, lambda v: voucher_hold(v.pk, D("100"), cause_type="order", cause_id=1, key="h"), "_entry", 1),
    "hold/status": (
        None,
        lambda v: voucher_hold(v.pk, D("1000"), cause_type="order", cause_id=1, key="h"),
        "_sync_used_up",
        1,
    ),
    "release/entry": (
        "hold",
        lambda v: voucher_release(v.pk, D("50"), cause_type="order", cause_id=1, key="r"),
        "_entry",
        1,
    ),
    "consume/entry": (
        "hold",
        lambda v: voucher_consume(v.pk, D("50"), cause_type="order", cause_id=1, key="c"),
        "_entry",
        1,
    ),
    "transfer/second-entry": (
        "hold",
        lambda v: transfer_hold(v.pk, D("60"), ("order", 1), ("redemption", 9), key="t"),
        "_entry",
        2,
    ),
    "transfer/hold-row": (
        "hold",
        lambda v: transfer_hold(v.pk, D("60"), ("order", 1), ("redemption", 9), key="t"),
        "_save_hold_row",
        1,
    ),
}


@pytest.mark.parametrize("case", list(LEDGER_CASES))
def test_a_database_error_mid_ledger_move_leaves_nothing_half_done(voucher, case):
    from vouchers.services import ledger

    prepare, call, target, nth = LEDGER_CASES[case]
    if prepare == "hold":
        voucher_hold(voucher.pk, D("100"), cause_type="order", cause_id=1, key="prep")
    before = money_state()
    original = getattr(ledger, target)
    with mock.patch.object(ledger, target, side_effect=_fail_on_call(nth)(original)):
        with pytest.raises(Boom):
            call(voucher)
    assert money_state() == before
    assert ledger_differences() == []
    # and the same call works once the database is back (the key was not used up)
    call(voucher)
    assert ledger_differences() == []


# --- orders: 确认额度 and 申请兑付 -----------------------------------------------------------


@pytest.fixture
def pending_quota(buyer_a, seller, institution):
    from enterprises.selectors import enterprise_for_user
    from orders import services
    from tests.factories import service_item
    from tests.orders.conftest import place

    item = service_item(institution, price="1000.00", regions=("WJI",))
    order = place(buyer_a, item, make_voucher(enterprise_for_user(buyer_a), amount="10000.00"))
    services.accept_order(order.pk, actor=seller, amount="1000.00")
    return order


def order_state(order):
    from orders.models import Order

    o = Order.objects.get(pk=order.pk)
    return (
        o.status,
        o.voucher_share,
        o.quota_confirmed_at,
        o.redemption_amount,
        o.redemption_proof.name,
        o.history.count(),
        Message.objects.count(),
        money_state(),
    )


@pytest.mark.parametrize("where", ["notify", "history"])
def test_confirm_quota_fails_whole(pending_quota, wujiang_admin, where):
    from orders import services
    from orders.models import OrderStatus, OrderStatusChange

    before = order_state(pending_quota)
    if where == "notify":  # the last write of the service
        patcher = mock.patch("orders.services.common.notify", side_effect=Boom("down"))
    else:  # the history row, after the voucher hold
        patcher = mock.patch.object(OrderStatusChange.objects, "create", side_effect=Boom("down"))
    with patcher, pytest.raises(Boom):
        services.confirm_quota(pending_quota.pk, actor=wujiang_admin)
    assert order_state(pending_quota) == before
    assert held_for(pending_quota.voucher_id, "order", pending_quota.pk) == D("0")
    services.confirm_quota(pending_quota.pk, actor=wujiang_admin)
    pending_quota.refresh_from_db()
    assert pending_quota.status == OrderStatus.IN_SERVICE and held_for(
        pending_quota.voucher_id, "order", pending_quota.pk
    ) == D("500.00")
    assert ledger_differences() == []


def test_request_redemption_failing_late_keeps_the_previous_files(pending_quota, wujiang_admin, seller, buyer_a):
    """申请兑付 again after 拒绝兑付: a failure at the end must not delete the proof that the
    database still points at."""
    from django.core.files.base import ContentFile

    from orders import services

    services.confirm_quota(pending_quota.pk, actor=wujiang_admin)
    services.request_redemption(
        pending_quota.pk, actor=seller, amount="100.00", proof=ContentFile(b"%PDF-1.4\nfirst", name="a.pdf")
    )
    services.refuse_redemption(pending_quota.pk, actor=buyer_a, reason="报告不完整")
    before = order_state(pending_quota)
    with mock.patch("orders.services.moves._tell_buyer", side_effect=Boom("down")), pytest.raises(Boom):
        services.request_redemption(
            pending_quota.pk, actor=seller, amount="200.00", proof=ContentFile(b"%PDF-1.4\nsecond", name="b.pdf")
        )
    assert order_state(pending_quota) == before
    pending_quota.refresh_from_db()
    with pending_quota.redemption_proof.open("rb") as f:
        assert f.read() == b"%PDF-1.4\nfirst"


# --- the broker is down -------------------------------------------------------------------


def test_broker_down_keeps_the_business_change_and_the_sweeper_sends_later(
    buyer_a, django_capture_on_commit_callbacks, settings
):
    """delay() raising (Redis down) after the commit: the 站内信 and the outbox row stay, the
    caller is not broken, and the next sweep sends the SMS exactly once."""
    from kombu.exceptions import OperationalError

    from messaging import services
    from messaging.tasks import send_outbox_message

    buyer_a.phone = "13900001234"
    buyer_a.save(update_fields=["phone"])
    with mock.patch.object(send_outbox_message, "delay", side_effect=OperationalError("Redis down")) as delay:
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(buyer_a, Message.Kind.ORDER, "订单已确认", sms=True)
    assert delay.called
    assert Message.objects.filter(recipient=buyer_a, text="订单已确认").count() == 1
    row = OutboxMessage.objects.get(to="13900001234")
    assert row.status == OutboxMessage.Status.PENDING
    assert services.sweep_outbox(older_than_seconds=0) == 1
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT and row.attempts == 1
    assert services.sweep_outbox(older_than_seconds=0) == 0


def test_broker_down_during_a_request_is_not_a_500(client, django_capture_on_commit_callbacks):
    """Through a real request (获取验证码 queues an outbox SMS): the page answers, the row waits."""
    from django.core.cache import cache
    from django.urls import reverse
    from kombu.exceptions import OperationalError

    from messaging.tasks import send_outbox_message

    cache.clear()
    with mock.patch.object(send_outbox_message, "delay", side_effect=OperationalError("Redis down")) as delay:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:sms_send"), {"phone": "13900005678", "purpose": "register"})
    assert delay.called
    assert response.status_code == 200
    assert OutboxMessage.objects.filter(to="13900005678", status="pending").count() == 1
    cache.clear()


# --- redemption: 提交 and 核定 ---------------------------------------------------------------


@pytest.fixture
def redemption_world(seller, institution):
    from enterprises.selectors import enterprise_for_user
    from redemption import services as red
    from tests.factories import region_admin, service_item
    from tests.redemption.conftest import add_invoice, completed_order, draft, enterprise_in, make_expert

    buyer = enterprise_in("QPU", "310118", "qpu_buyer")
    admin = region_admin("admin_qingpu", "QPU")
    voucher = make_voucher(enterprise_for_user(buyer), amount="10000.00")
    item = service_item(institution, name="电子检测", price="3000.00", regions=("QPU",))
    order = completed_order(buyer, item, voucher, seller=seller, admin=admin, quantity=2)
    application = draft(buyer, voucher)
    (line,) = red.add_orders(application.pk, actor=buyer, selections=[(order.pk, None)])
    add_invoice(application, buyer, "6000.00", line=line)
    return {"buyer": buyer, "admin": admin, "application": application, "order": order, "expert": make_expert("ex1")}


def redemption_state(application, order):
    from orders.models import Order
    from redemption.models import RedemptionApplication

    a = RedemptionApplication.objects.get(pk=application.pk)
    o = Order.objects.get(pk=order.pk)
    return (
        a.status,
        a.redeem_amount,
        a.approved_amount,
        a.consumed_amount,
        a.history.count() if hasattr(a, "history") else None,
        o.status,
        Message.objects.count(),
        money_state(),
    )


@pytest.mark.parametrize("where", ["tell_applicant", "tell_admins", "move"])
def test_submit_fails_whole(redemption_world, where):
    from redemption import services as red
    from redemption.services import pipeline

    w = redemption_world
    before = redemption_state(w["application"], w["order"])
    with mock.patch.object(pipeline, where, side_effect=Boom("down")), pytest.raises(Boom):
        red.submit_application(w["application"].pk, actor=w["buyer"])
    assert redemption_state(w["application"], w["order"]) == before
    assert ledger_differences() == []
    red.submit_application(w["application"].pk, actor=w["buyer"])
    assert ledger_differences() == []


@pytest.mark.parametrize("where", ["tell_applicant", "move"])
def test_approve_fails_whole(redemption_world, where):
    from redemption import services as red
    from redemption.services import pipeline

    w = redemption_world
    application = red.submit_application(w["application"].pk, actor=w["buyer"])
    red.assign_experts(application.pk, [w["expert"].pk], actor=w["admin"])
    application.refresh_from_db()
    red.submit_review(
        application.pk,
        expert=w["expert"],
        score=85,
        opinion="成效明显",
        recommended_amount=application.redeem_amount,
        no_conflict=True,
    )
    before = redemption_state(application, w["order"])
    with mock.patch.object(pipeline, where, side_effect=Boom("down")), pytest.raises(Boom):
        red.approve_application(application.pk, actor=w["admin"], amount="2500.00")
    assert redemption_state(application, w["order"]) == before
    assert ledger_differences() == []
    red.approve_application(application.pk, actor=w["admin"], amount="2500.00")
    assert ledger_differences() == []


def test_deleting_an_invoice_or_attachment_that_fails_keeps_the_files(
    redemption_world, django_capture_on_commit_callbacks
):
    from redemption import services as red
    from redemption.services import drafts

    w = redemption_world
    application = w["application"]
    invoice = application.invoices.get()
    attachment = application.attachments.first()
    with mock.patch.object(drafts, "recompute_total", side_effect=Boom("down")), pytest.raises(Boom):
        red.delete_invoice(application.pk, invoice.pk, actor=w["buyer"])
    with mock.patch.object(type(attachment), "delete", side_effect=Boom("down")), pytest.raises(Boom):
        red.delete_attachment(application.pk, attachment.pk, actor=w["buyer"])
    invoice.refresh_from_db()
    attachment.refresh_from_db()
    assert invoice.image.storage.exists(invoice.image.name)
    assert attachment.file.storage.exists(attachment.file.name)
    # a deletion that commits removes the file
    with django_capture_on_commit_callbacks(execute=True):
        red.delete_attachment(application.pk, attachment.pk, actor=w["buyer"])
    assert not attachment.file.storage.exists(attachment.file.name)
