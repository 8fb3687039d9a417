"""The rows of 订单管理 (issue 9): each row's links are exactly what ``{% url %}`` gives,
without reversing per row, and the 评价 link follows whether the order has a review,
without loading the review."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import services
from tests.orders.test_views import requested

pytestmark = pytest.mark.django_db


def row(html: str, order) -> str:
    return re.search(rf'<tr data-order="{order.number}">(.*?)</tr>', html, re.S).group(1)


def hrefs(fragment: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]*)"', fragment)


def test_buyer_rows(client, buyer_a, seller, wujiang_admin, item, voucher_a):
    waiting = services.place_order(user=buyer_a, item_id=item.pk)  # 待接单, no voucher
    to_agree = requested(buyer_a, seller, wujiang_admin, item, voucher_a)  # 待同意兑付
    done = services.place_order(user=buyer_a, item_id=item.pk)
    services.accept_order(done.pk, actor=seller)
    services.complete_service(done.pk, actor=seller)
    reviewed = services.place_order(user=buyer_a, item_id=item.pk)
    services.accept_order(reviewed.pk, actor=seller)
    services.complete_service(reviewed.pk, actor=seller)
    services.review_order(reviewed.pk, actor=buyer_a, rating=5)

    client.force_login(buyer_a)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("orders:buyer_list")).content.decode()
    assert not any('JOIN "orders_orderreview"' in q["sql"] for q in ctx.captured_queries)

    def detail(order, anchor=""):
        return reverse("orders:buyer_detail", args=[order.pk]) + anchor

    assert hrefs(row(html, waiting)) == [detail(waiting), reverse("orders:cancel", args=[waiting.pk])]
    assert hrefs(row(html, to_agree)) == [
        detail(to_agree),
        reverse("orders:agree", args=[to_agree.pk]),
        detail(to_agree, "#refuse"),
    ]
    assert hrefs(row(html, done)) == [detail(done), detail(done, "#review")]
    assert ">评价<" in row(html, done)
    assert hrefs(row(html, reviewed)) == [detail(reviewed)]
    assert "评价" not in row(html, reviewed)


def test_seller_rows(client, buyer_a, seller, wujiang_admin, item, voucher_a):
    waiting = services.place_order(user=buyer_a, item_id=item.pk)
    tongdui = requested(buyer_a, seller, wujiang_admin, item, voucher_a)
    services.refuse_redemption(tongdui.pk, actor=buyer_a, reason="报告缺少签章")  # back to 服务中
    wuquan = services.place_order(user=buyer_a, item_id=item.pk)
    services.accept_order(wuquan.pk, actor=seller)

    client.force_login(seller)
    html = client.get(reverse("orders:seller_list")).content.decode()

    def detail(order, anchor=""):
        return reverse("orders:seller_detail", args=[order.pk]) + anchor

    assert hrefs(row(html, waiting)) == [detail(waiting), detail(waiting, "#accept"), detail(waiting, "#decline")]
    assert hrefs(row(html, tongdui)) == [detail(tongdui), detail(tongdui, "#redeem")]
    assert hrefs(row(html, wuquan)) == [detail(wuquan), reverse("orders:complete", args=[wuquan.pk])]


@pytest.mark.parametrize("role", ["buyer", "seller"])
def test_list_queries_do_not_grow_with_rows(client, buyer_a, seller, item, role):
    """订单管理 loads only the columns it shows (selectors.LIST_COLUMNS): no row loads a
    deferred column on its own."""
    user, url = (buyer_a, reverse("orders:buyer_list")) if role == "buyer" else (seller, reverse("orders:seller_list"))
    order = services.place_order(user=buyer_a, item_id=item.pk)
    services.accept_order(order.pk, actor=seller)  # a row with the 服务完成 form
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(4):
        services.accept_order(services.place_order(user=buyer_a, item_id=item.pk).pk, actor=seller)
    client.get(url)  # the new orders' 站内信 changed the unread badge: recounted once
    with CaptureQueriesContext(connection) as five:
        html = client.get(url).content.decode()
    assert html.count("<tr data-order=") == 5
    assert len(five) == len(one), [q["sql"][:70] for q in five.captured_queries]
