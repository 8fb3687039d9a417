"""Every move of the order tables (DESIGN §4) from every status, in each mode, with the
actor who may make it and with those who may not."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from catalog.models import InstitutionStaff
from enterprises.selectors import enterprise_for_user
from orders import services
from orders.exceptions import InvalidTransition, NotAllowed, OrderError
from orders.models import VOUCHER_ACTIONS, WUQUAN_ACTIONS, Order, OrderMode, OrderStatus
from tests.factories import UserFactory, institution_factory, make_voucher, service_item
from tests.orders.conftest import place
from vouchers.selectors import ledger_differences
from vouchers.services import held_for

S = OrderStatus
pytestmark = pytest.mark.django_db


def proof():
    return ContentFile(b"%PDF-1.4\nreport", name="r.pdf")


def do(action, order, actor):
    pk = order.pk
    calls = {
        "cancel": lambda: services.cancel_order(pk, actor=actor),
        "decline": lambda: services.decline_order(pk, actor=actor, reason="排期已满"),
        "accept": lambda: services.accept_order(pk, actor=actor, amount="1000.00"),
        "confirm_quota": lambda: services.confirm_quota(pk, actor=actor),
        "reject_quota": lambda: services.reject_quota(pk, actor=actor, reason="额度不足"),
        "terminate": lambda: services.terminate_order(pk, actor=actor, reason="双方同意不再服务"),
        "request_redemption": lambda: services.request_redemption(pk, actor=actor, amount="100.00", proof=proof()),
        "agree_redemption": lambda: services.agree_redemption(pk, actor=actor),
        "refuse_redemption": lambda: services.refuse_redemption(pk, actor=actor, reason="报告不完整"),
        "complete": lambda: services.complete_service(pk, actor=actor),
    }
    if action in calls:
        return calls[action]()
    return services.move_order(pk, action, actor=None)


# How to reach each status through the real services (mode-specific paths).
PATHS = {
    S.PENDING_ACCEPT: [],
    S.CANCELLED: ["cancel"],
    S.DECLINED: ["decline"],
    S.PENDING_QUOTA: ["accept"],
    S.CLOSED: ["accept", "reject_quota"],
    S.IN_SERVICE: ["accept", "confirm_quota"],
    S.PENDING_BUYER: ["accept", "confirm_quota", "request_redemption"],
    S.REDEEMING: ["accept", "confirm_quota", "complete", "enter_redemption"],
    S.REDEEMED: ["accept", "confirm_quota", "complete", "enter_redemption", "redeemed"],
}
WUQUAN_PATHS = {
    S.PENDING_ACCEPT: [],
    S.CANCELLED: ["cancel"],
    S.DECLINED: ["decline"],
    S.IN_SERVICE: ["accept"],
    S.COMPLETED: ["accept", "complete"],
}


@pytest.fixture
def world(buyer_a, buyer_b, seller, wujiang_admin, other_region_admin, institution):
    other_seller = UserFactory(username="other_seller")
    InstitutionStaff.objects.create(user=other_seller, institution=institution_factory(), is_admin=True)
    item = service_item(institution, price="1000.00", regions=("WJI",))
    return {
        "item": item,
        "actors": {"buyer": buyer_a, "seller": seller, "admin": wujiang_admin},
        "strangers": [buyer_b, other_seller, other_region_admin],
    }


def reach(world, mode, status, vouchers):
    actors = world["actors"]
    voucher = vouchers.get(mode)
    order = place(actors["buyer"], world["item"], voucher)
    if mode == OrderMode.WUQUAN:
        path = WUQUAN_PATHS[status]
    elif status == S.COMPLETED:
        path = (
            ["accept", "confirm_quota", "request_redemption", "agree_redemption"]
            if mode == OrderMode.TONGDUI
            else ["accept", "confirm_quota", "complete"]
        )
    else:
        path = PATHS[status]
    table = WUQUAN_ACTIONS if mode == OrderMode.WUQUAN else VOUCHER_ACTIONS
    for action in path:
        do(action, order, actors.get(table[action].actor))
    order.refresh_from_db()
    assert order.status == status
    return order


def statuses_of(mode):
    if mode == OrderMode.WUQUAN:
        return list(WUQUAN_PATHS)
    out = [*PATHS, S.COMPLETED]
    if mode == OrderMode.TONGDUI:
        out = [s for s in out if s not in (S.REDEEMING, S.REDEEMED)]
    else:
        out = [s for s in out if s != S.PENDING_BUYER]
    return out


@pytest.mark.parametrize("mode", [OrderMode.TONGDUI, OrderMode.TONGYONG, OrderMode.WUQUAN])
def test_every_move_from_every_status(world, mode, buyer_a, settings):
    enterprise = enterprise_for_user(buyer_a)
    if mode == OrderMode.TONGYONG:
        # A 通用 region: 青浦区 (the buyer moves there for this test).
        from tests.factories import region

        enterprise.region = region("QPU")
        enterprise.save()
        world["item"].region_tags.add(region("QPU"))
        from enterprises.models import RegionAdministrator

        RegionAdministrator.objects.create(user=world["actors"]["admin"], region=region("QPU"))
    vouchers = {}
    if mode != OrderMode.WUQUAN:
        vouchers[mode] = make_voucher(enterprise, amount="100000.00")
        assert vouchers[mode].kind == mode
    table = WUQUAN_ACTIONS if mode == OrderMode.WUQUAN else VOUCHER_ACTIONS
    checked = 0
    for status in statuses_of(mode):
        # Forbidden moves: tried on one order in this status, nothing changes.
        order = reach(world, mode, status, vouchers)
        for action, move in table.items():
            if move.source == status and mode in move.modes:
                continue
            right = world["actors"].get(move.actor)
            with pytest.raises(OrderError):
                do(action, order, right)
            order.refresh_from_db()
            assert order.status == status, (mode, status, action)
            checked += 1
        # Allowed moves: refused to everybody else, then made by the right actor.
        for action, move in table.items():
            if not (move.source == status and mode in move.modes):
                continue
            order = reach(world, mode, status, vouchers)
            if move.actor != "system":
                wrong = [u for role, u in world["actors"].items() if role != move.actor] + world["strangers"]
                for actor in wrong:
                    with pytest.raises(NotAllowed):
                        do(action, order, actor)
                    order.refresh_from_db()
                    assert order.status == status, (action, actor)
            right = world["actors"].get(move.actor)
            before = order.history.count()
            do(action, order, right)
            order.refresh_from_db()
            assert order.status == move.target, (mode, status, action)
            last = order.history.last()
            assert (last.from_status, last.to_status, last.actor) == (status, move.target, right)
            assert order.history.count() == before + 1
            if order.voucher_id and order.status in (S.CANCELLED, S.DECLINED, S.CLOSED):
                assert held_for(order.voucher_id, "order", order.pk) == Decimal("0.00")
            checked += 1
    assert checked >= 20
    assert ledger_differences() == []


def test_quota_hold_and_release(buyer_a, seller, wujiang_admin, item, voucher_a):
    order = place(buyer_a, item, voucher_a, quantity=3)  # 3000 → share 1500 at 50 %
    services.accept_order(order.pk, actor=seller)
    services.confirm_quota(order.pk, actor=wujiang_admin)
    voucher_a.refresh_from_db()
    assert held_for(voucher_a.pk, "order", order.pk) == Decimal("1500.00")
    assert voucher_a.remaining_amount == Decimal("8500.00")
    services.terminate_order(order.pk, actor=wujiang_admin, reason="双方协商终止")
    voucher_a.refresh_from_db()
    assert voucher_a.remaining_amount == Decimal("10000.00")
    assert held_for(voucher_a.pk, "order", order.pk) == Decimal("0.00")
    assert ledger_differences() == []


def test_share_capped_by_remaining_and_refused_when_nothing_left(buyer_a, seller, wujiang_admin, item):
    voucher = make_voucher(enterprise_for_user(buyer_a), amount="800.00")
    first = place(buyer_a, item, voucher, quantity=2)  # share 1000, capped at 800
    second = place(buyer_a, item, voucher)
    services.accept_order(first.pk, actor=seller)
    services.accept_order(second.pk, actor=seller)
    services.confirm_quota(first.pk, actor=wujiang_admin)
    first.refresh_from_db()
    assert first.voucher_share == Decimal("800.00")
    with pytest.raises(OrderError, match="已无剩余金额"):
        services.confirm_quota(second.pk, actor=wujiang_admin)
    second.refresh_from_db()
    assert second.status == S.PENDING_QUOTA


def test_negotiable_needs_amount_from_seller(buyer_a, seller, negotiable_item, voucher_a):
    order = place(buyer_a, negotiable_item, voucher_a)
    assert order.amount is None and order.amount_label == "价格待商定"
    for bad in (None, "", "abc", "-1", "0", "1.234"):
        with pytest.raises(OrderError):
            services.accept_order(order.pk, actor=seller, amount=bad)
    services.accept_order(order.pk, actor=seller, amount="2500.50")
    order.refresh_from_db()
    assert order.amount == Decimal("2500.50") and order.amount_confirmed


def test_redemption_amount_limited_to_hold(buyer_a, seller, wujiang_admin, item, voucher_a):
    order = place(buyer_a, item, voucher_a)
    services.accept_order(order.pk, actor=seller)
    services.confirm_quota(order.pk, actor=wujiang_admin)
    with pytest.raises(OrderError, match="不能超过"):
        services.request_redemption(order.pk, actor=seller, amount="500.01", proof=proof())
    services.request_redemption(order.pk, actor=seller, amount="500.00", proof=proof())
    services.refuse_redemption(order.pk, actor=buyer_a, reason="报告缺页")
    order.refresh_from_db()
    assert order.status == S.IN_SERVICE and order.reason == "报告缺页"
    services.request_redemption(order.pk, actor=seller, amount="400.00", proof=proof())
    services.agree_redemption(order.pk, actor=buyer_a)
    order.refresh_from_db()
    assert order.status == S.COMPLETED and order.redemption_amount == Decimal("400.00")


calls = []


def record_hook(order):
    calls.append((order.pk, order.status))


def test_agreed_hooks_called_in_transaction(buyer_a, seller, wujiang_admin, item, voucher_a, settings):
    settings.ORDER_TONGDUI_AGREED_HOOKS = ["tests.orders.test_state_machine.record_hook"]
    order = place(buyer_a, item, voucher_a)
    services.accept_order(order.pk, actor=seller)
    services.confirm_quota(order.pk, actor=wujiang_admin)
    services.request_redemption(order.pk, actor=seller, amount="500.00", proof=proof())
    calls.clear()
    services.agree_redemption(order.pk, actor=buyer_a)
    assert calls == [(order.pk, S.COMPLETED)]


def failing_hook(order):
    raise RuntimeError("claim failed")


def test_failing_hook_rolls_back_agreement(buyer_a, seller, wujiang_admin, item, voucher_a, settings):
    order = place(buyer_a, item, voucher_a)
    services.accept_order(order.pk, actor=seller)
    services.confirm_quota(order.pk, actor=wujiang_admin)
    services.request_redemption(order.pk, actor=seller, amount="500.00", proof=proof())
    settings.ORDER_TONGDUI_AGREED_HOOKS = ["tests.orders.test_state_machine.failing_hook"]
    with pytest.raises(RuntimeError):
        services.agree_redemption(order.pk, actor=buyer_a)
    order.refresh_from_db()
    assert order.status == S.PENDING_BUYER


def test_notifications_at_each_move(buyer_a, seller, wujiang_admin, item, voucher_a):
    from messaging.models import Message

    order = place(buyer_a, item, voucher_a)
    assert Message.objects.filter(recipient=seller, kind="order", text__contains=order.number).exists()
    services.accept_order(order.pk, actor=seller)
    assert Message.objects.filter(
        recipient=buyer_a, text=f"您的订单: {order.number} 机构已经接单, 区域管理员正在确认额度!!"
    ).exists()
    assert Message.objects.filter(recipient=wujiang_admin, text__contains=order.number).exists()
    services.confirm_quota(order.pk, actor=wujiang_admin)
    services.request_redemption(order.pk, actor=seller, amount="500.00", proof=proof())
    assert Message.objects.filter(
        recipient=buyer_a, kind="institution_redemption", text=f"您有待兑付的订单: {order.number}, 请审核!!"
    ).exists()
    services.agree_redemption(order.pk, actor=buyer_a)
    assert Message.objects.filter(recipient=seller, kind="institution_redemption", text__contains="同意兑付").exists()


def test_place_order_rules(buyer_a, seller, item, voucher_a):
    from tests.factories import region

    # Not an enterprise user.
    with pytest.raises(OrderError, match="只有企业用户"):
        services.place_order(user=seller, item_id=item.pk)
    # Region not among the item's tags: voucher refused, 无券 allowed.
    other = service_item(item.institution, name="嘉善专用服务", regions=("JSN",))
    with pytest.raises(OrderError, match="不支持"):
        services.place_order(user=buyer_a, item_id=other.pk, voucher_id=voucher_a.pk, details={})
    assert services.place_order(user=buyer_a, item_id=other.pk).mode == OrderMode.WUQUAN
    # 通兑 needs the service needs.
    with pytest.raises(OrderError, match="请填写项目信息"):
        services.place_order(user=buyer_a, item_id=item.pk, voucher_id=voucher_a.pk, details={})
    # Somebody else's voucher, a bad quantity, a missing item.
    from tests.factories import EnterpriseFactory

    foreign = make_voucher(EnterpriseFactory(region=region("WJI")), amount="100.00")
    with pytest.raises(OrderError, match="请选择可用的创新券"):
        place(buyer_a, item, foreign)
    for qty in (0, -1, "x", 10000):
        with pytest.raises(OrderError):
            services.place_order(user=buyer_a, item_id=item.pk, quantity=qty)
    with pytest.raises(OrderError):
        services.place_order(user=buyer_a, item_id=999999)
    # Snapshot: later catalogue edits do not change the order.
    order = place(buyer_a, item, voucher_a)
    item.name = "改名后的服务"
    item.price = Decimal("1.00")
    item.save()
    order.refresh_from_db()
    assert order.item_name == "汽车电子EMC测试服务" and order.unit_price == Decimal("1000.00")
    assert order.institution_name == item.institution.name
    assert Order.objects.filter(enterprise=enterprise_for_user(buyer_a)).count() == 2


def test_difference_orders(buyer_a, buyer_b, seller, item):
    from enterprises.models import RegionAdministrator
    from tests.factories import region, region_admin

    enterprise = enterprise_for_user(buyer_a)
    enterprise.region = region("QPU")
    enterprise.save()
    item.region_tags.add(region("QPU"))
    admin = region_admin("admin_qpu_t", "QPU")
    assert RegionAdministrator.objects.filter(user=admin).exists()
    voucher = make_voucher(enterprise, amount="5000.00")
    order = place(buyer_a, item, voucher)
    with pytest.raises(InvalidTransition):
        services.create_difference_order(order.pk, actor=buyer_a, amount="100.00")  # 待接单
    services.accept_order(order.pk, actor=seller)
    services.confirm_quota(order.pk, actor=admin)
    with pytest.raises(NotAllowed):
        services.create_difference_order(order.pk, actor=buyer_b, amount="100.00")
    with pytest.raises(OrderError):
        services.create_difference_order(order.pk, actor=buyer_a, amount="-5")
    child = services.create_difference_order(order.pk, actor=buyer_a, amount="300.00", note="第二张发票")
    assert child.parent_id == order.pk and child.status == S.IN_SERVICE and child.voucher_id == voucher.pk
    with pytest.raises(InvalidTransition):
        services.create_difference_order(child.pk, actor=buyer_a, amount="1.00")
    services.complete_service(order.pk, actor=seller)
    child.refresh_from_db()
    assert child.status == S.COMPLETED
    services.move_order(order.pk, "enter_redemption")
    with pytest.raises(InvalidTransition):
        services.create_difference_order(order.pk, actor=buyer_a, amount="1.00")


def test_review_once_after_completion(buyer_a, buyer_b, seller, item):
    order = services.place_order(user=buyer_a, item_id=item.pk)
    with pytest.raises(InvalidTransition):
        services.review_order(order.pk, actor=buyer_a, rating=5)
    services.accept_order(order.pk, actor=seller)
    services.complete_service(order.pk, actor=seller)
    with pytest.raises(NotAllowed):
        services.review_order(order.pk, actor=buyer_b, rating=5)
    with pytest.raises(NotAllowed):
        services.review_order(order.pk, actor=seller, rating=5)
    for bad in (0, 6, "x"):
        with pytest.raises(OrderError):
            services.review_order(order.pk, actor=buyer_a, rating=bad)
    services.review_order(order.pk, actor=buyer_a, rating=4, comment="好")
    with pytest.raises(InvalidTransition, match="已评价"):
        services.review_order(order.pk, actor=buyer_a, rating=5)


def test_reminders_once(buyer_a, seller, wujiang_admin, item, voucher_a):
    from datetime import timedelta

    from django.utils import timezone

    from messaging.models import Message

    waiting = place(buyer_a, item, voucher_a)
    quota = place(buyer_a, item, voucher_a)
    services.accept_order(quota.pk, actor=seller)
    fresh = place(buyer_a, item, voucher_a)
    Order.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(days=4))
    Order.objects.filter(pk=quota.pk).update(accepted_at=timezone.now() - timedelta(days=3))
    assert services.remind_pending_accept() == 1
    assert services.remind_pending_quota() == 1
    assert services.remind_pending_accept() == 0
    assert services.remind_pending_quota() == 0
    assert Message.objects.filter(recipient=seller, text__contains="超过3天未接单").count() == 1
    assert Message.objects.filter(recipient=wujiang_admin, text__contains="超过2天待额度确认").count() == 1
    assert not Message.objects.filter(text__contains=fresh.number, text__endswith="请及时处理!!").exists()
    from orders import tasks

    assert tasks.remind_pending_accept() == 0 and tasks.remind_pending_quota() == 0
