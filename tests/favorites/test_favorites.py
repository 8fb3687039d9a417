"""用户收藏管理 (manual §7): 收藏 / 取消收藏 with htmx, the three lists, 已下架 marking,
and access rules (a user sees only their own favourites)."""

import pytest
from django.db import connection
from django.urls import reverse

from catalog import services as catalog_services
from favorites.models import Favorite
from tests.factories import instrument, service_item

pytestmark = pytest.mark.django_db


def toggle(client, kind, pk, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/catalog/items/1/"} if htmx else {}
    return client.post(reverse("favorites:toggle", args=[kind, pk]), **headers)


def test_button_for_anonymous_leads_to_login(client, institution):
    item = service_item(institution)
    response = client.get(reverse("favorites:button", args=["item", item.pk]))
    assert response.status_code == 200
    assert "/accounts/login/" in response.content.decode()
    assert toggle(client, "item", item.pk).status_code == 302
    assert not Favorite.objects.exists()


def test_toggle_item_with_htmx_and_list(client, buyer_a, institution):
    item = service_item(institution, name="汽车电子检测服务")
    client.force_login(buyer_a)
    response = toggle(client, "item", item.pk)
    assert response.status_code == 200 and "已收藏" in response.content.decode()
    assert Favorite.objects.filter(user=buyer_a, kind="item", item=item).count() == 1
    page = client.get(reverse("favorites:items")).content.decode()
    assert reverse("catalog:item_detail", args=[item.pk]) in page and "汽车电子检测服务" in page
    # Off shelf: stays in the list, marked 已下架, no link.
    catalog_services.set_item_shelf(item, False)
    page = client.get(reverse("favorites:items")).content.decode()
    assert "已下架" in page and reverse("catalog:item_detail", args=[item.pk]) not in page
    # And an off-shelf item cannot be newly favourited or toggled (404).
    catalog_services.set_item_shelf(item, True)
    response = toggle(client, "item", item.pk)
    assert "☆ 收藏" in response.content.decode()
    assert not Favorite.objects.exists()


def test_institution_and_instrument_favourites(client, buyer_a, institution):
    ins = instrument(institution, name="扫描电子显微镜")
    client.force_login(buyer_a)
    toggle(client, "institution", institution.pk)
    toggle(client, "instrument", ins.pk)
    page = client.get(reverse("favorites:institutions")).content.decode()
    assert reverse("catalog:shop", args=[institution.pk]) in page and institution.name in page
    page = client.get(reverse("favorites:instruments")).content.decode()
    assert reverse("catalog:instrument_detail", args=[ins.pk]) in page
    client.post(reverse("favorites:remove", args=["instrument", ins.pk]))
    assert not Favorite.objects.filter(kind="instrument").exists()


def test_favourites_are_private(client, buyer_a, buyer_b, institution):
    item = service_item(institution, name="专利价值评估")
    client.force_login(buyer_a)
    toggle(client, "item", item.pk)
    client.force_login(buyer_b)
    assert "专利价值评估" not in client.get(reverse("favorites:items")).content.decode()
    client.post(reverse("favorites:remove", args=["item", item.pk]))
    assert Favorite.objects.filter(user=buyer_a).count() == 1


def test_bad_kinds_and_ids_are_404(client, buyer_a):
    client.force_login(buyer_a)
    assert client.get("/favorites/button/order/1/").status_code == 404
    assert client.get("/favorites/button/item/999999/").status_code == 404
    assert toggle(client, "voucher", 1).status_code == 404
    assert client.post("/favorites/remove/zzz/1/").status_code == 404
    assert client.get(reverse("favorites:items"), {"page": "abc"}).status_code == 200


def test_lists_need_login(client):
    for name in ["favorites:institutions", "favorites:items", "favorites:instruments"]:
        assert client.get(reverse(name)).status_code == 302


def test_list_query_count_does_not_grow(client, buyer_a, institution, django_assert_max_num_queries):
    client.force_login(buyer_a)
    for i in range(2):
        toggle(client, "item", service_item(institution, name=f"检测{i}").pk)
    connection.queries_log.clear()  # a full log (deque of 9000) would capture nothing
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("favorites:items"))
    allowed = len(small.captured_queries)
    assert allowed
    for i in range(9):
        toggle(client, "item", service_item(institution, name=f"分析{i}").pk)
    connection.queries_log.clear()
    with django_assert_max_num_queries(allowed):
        response = client.get(reverse("favorites:items"))
    assert len(response.context["page"].object_list) == 10


def test_non_htmx_toggle_redirects_back(client, buyer_a, institution):
    client.force_login(buyer_a)
    response = client.post(
        reverse("favorites:toggle", args=["institution", institution.pk]),
        {"next": reverse("catalog:shop", args=[institution.pk])},
    )
    assert response.status_code == 302 and response["Location"] == reverse("catalog:shop", args=[institution.pk])
    response = client.post(reverse("favorites:toggle", args=["institution", institution.pk]), {"next": "//evil"})
    assert response["Location"] == "/"
