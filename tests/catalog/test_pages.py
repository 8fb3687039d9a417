"""Public catalogue pages: render, 404 on bad ids, and a query count that does not grow
with the rows shown (DESIGN §11)."""

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import ServiceItem
from tests.factories import institution_factory, instrument, service_item

pytestmark = pytest.mark.django_db


def make_items(org, n, prefix="汽车电子EMC检测"):
    return [service_item(org, name=f"{prefix}{i}", regions=("WJI", "JSN")) for i in range(n)]


def count_queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    return response


def test_search_page_query_count_does_not_grow(client, institution, django_assert_max_num_queries):
    make_items(institution, 2)
    url = reverse("catalog:search") + "?q=检测"
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    make_items(institution, 12, prefix="材料检测")
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.context["page"].paginator.count == 14
    assert len(response.context["page"].object_list) == 10


def test_search_filters_and_bad_input(client, institution):
    other = institution_factory(name="上海电力大学", region_code="310110")
    a = service_item(institution, name="EMC 测试", regions=("WJI",))
    b = service_item(
        other,
        name="专利价值评估",
        price=None,
        regions=("QPU",),
        category=services.ServiceCategory.objects.get(name="专利价值评估"),
    )
    url = reverse("catalog:search")

    def found(**params):
        return {i.pk for i in client.get(url, params).context["page"].object_list}

    assert found() == {a.pk, b.pk}
    assert found(price_type="negotiable") == {b.pk}
    jsn = services.ServiceItem.region_tags.rel.model.objects.get(code="QPU")
    assert found(region=jsn.pk) == {b.pk}
    assert found(province="310000") == {b.pk}
    assert found(province="320000") == {a.pk}
    assert found(city="320500") == {a.pk}
    l1 = b.category.parent.parent
    assert found(category=l1.pk) == {b.pk}
    assert found(category=b.category.parent_id) == {b.pk}
    assert found(category=a.category_id) == {a.pk}
    for bad in [
        {"category": "abc"},
        {"region": "x"},
        {"price_type": "free"},
        {"page": "-1"},
        {"sort": "drop"},
        {"province": "999999"},
        {"page": "99999"},
        {"q": "x" * 5000},
    ]:
        assert client.get(url, bad).status_code == 200, bad
    response = client.get(url, {"category": "abc"})
    assert "category" in response.context["filter"].form.errors


def test_off_shelf_items_are_not_public(client, institution):
    item = service_item(institution, name="材料失效分析")
    services.set_item_shelf(item, False)
    assert client.get(reverse("catalog:item_detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("catalog:search"), {"q": "失效"}).context["page"].paginator.count == 0


def test_item_page(client, institution, django_assert_max_num_queries):
    item = service_item(institution, regions=("WJI", "JSN", "QPU"))
    response = count_queries(client, reverse("catalog:item_detail", args=[item.pk]), django_assert_max_num_queries, 12)
    html = response.content.decode()
    assert "立即下单" in html and "吴江区" in html and "嘉善县" in html and institution.name in html
    assert client.get("/catalog/items/999999/").status_code == 404
    assert client.get("/catalog/items/abc/").status_code == 404


def test_shop_and_instrument_pages_query_count(client, institution, django_assert_max_num_queries):
    make_items(institution, 3)
    ins = instrument(institution)
    shop = reverse("catalog:shop", args=[institution.pk])
    with django_assert_max_num_queries(20) as small:
        client.get(shop)
    make_items(institution, 9)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(shop)
    assert len(response.context["page"].object_list) == 10
    count_queries(client, shop + "?tab=instruments", django_assert_max_num_queries, 15)
    count_queries(client, reverse("catalog:instrument_detail", args=[ins.pk]), django_assert_max_num_queries, 10)
    assert client.get("/catalog/shops/999999/").status_code == 404


def test_home_page_shows_categories_and_recent_items(client, institution, django_assert_max_num_queries):
    service_item(institution, name="新能源汽车电池检测")
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert "home-catalog" in html
    assert "检验检测" in html and "新能源汽车电池检测" in html


def test_header_shows_seller_center_for_staff_only(client, seller, buyer_a):
    client.force_login(seller)
    assert reverse("catalog:seller_home") in client.get(reverse("catalog:search")).content.decode()
    client.force_login(buyer_a)
    assert reverse("catalog:seller_home") not in client.get(reverse("catalog:search")).content.decode()


def test_public_images_are_served_with_cache_headers(client, institution):
    from tests.catalog.images import png_upload

    item = service_item(institution, image=png_upload())
    picture = item.images.get()
    response = client.get(reverse("catalog:image", args=[picture.thumb.name]))
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert client.get("/catalog/img/private/licences/abc.png").status_code == 404
    assert client.get("/catalog/img/public/catalog/../../x.jpg").status_code == 404
    assert ServiceItem.objects.filter(pk=item.pk).exists()
