"""Order.region and RedemptionApplication.region copy the buyer's pilot region (issue 9):
the regional admin change lists filter on them, and they follow a 注册所在地 change."""

from decimal import Decimal

import pytest
from django.urls import reverse

from enterprises import services as enterprise_services
from enterprises.models import Division
from enterprises.selectors import enterprise_for_user
from orders import services
from orders.models import Order
from redemption.models import RedemptionApplication
from tests.factories import region
from tests.orders.conftest import place

pytestmark = pytest.mark.django_db


def _admin_list(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_order_carries_the_buyer_region_into_the_admin_queue(
    client, buyer_a, seller, item, voucher_a, wujiang_admin, other_region_admin
):
    order = place(buyer_a, item, voucher_a)
    assert order.region == enterprise_for_user(buyer_a).region == region("WJI")
    services.accept_order(order.pk, actor=seller)
    queue = reverse("admin:orders_order_changelist")
    assert order.number in _admin_list(client, wujiang_admin, queue)
    assert order.number not in _admin_list(client, other_region_admin, queue + "?status=all")


def test_registration_change_moves_orders_and_applications(
    client, buyer_a, item, voucher_a, wujiang_admin, other_region_admin, django_user_model
):
    enterprise = enterprise_for_user(buyer_a)
    order = place(buyer_a, item, voucher_a)
    application = RedemptionApplication.objects.create(
        enterprise=enterprise,
        voucher=voucher_a,
        policy=region("WJI").current_policy,
        redeem_amount=Decimal("100.00"),
    )
    assert application.region == region("WJI")
    root = django_user_model.objects.create_superuser("root_region", password="x")

    enterprise_services.change_registration_data(
        enterprise.pk, root, reason="迁址", division=Division.objects.get(code="330421")
    )

    assert Order.objects.get(pk=order.pk).region == region("JSN")
    assert RedemptionApplication.objects.get(pk=application.pk).region == region("JSN")
    orders_all = reverse("admin:orders_order_changelist") + "?status=all"
    assert order.number in _admin_list(client, other_region_admin, orders_all)
    assert order.number not in _admin_list(client, wujiang_admin, orders_all)
    applications = reverse("admin:redemption_redemptionapplication_changelist")
    assert f"/{application.pk}/change/" in _admin_list(client, other_region_admin, applications)
    assert f"/{application.pk}/change/" not in _admin_list(client, wujiang_admin, applications)


def test_uscc_only_change_keeps_the_region(buyer_a, item, voucher_a, django_user_model):
    enterprise = enterprise_for_user(buyer_a)
    order = place(buyer_a, item, voucher_a)
    root = django_user_model.objects.create_superuser("root_uscc", password="x")
    enterprise_services.change_registration_data(enterprise.pk, root, reason="换证", uscc="91320509MA1TEST01X")
    assert Order.objects.get(pk=order.pk).region == region("WJI")
