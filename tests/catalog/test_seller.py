"""卖家中心: only institution staff get in; only their own institution's objects (another
institution's id is a 404); items created here are found by search at once."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import InstitutionStaff, Instrument, ServiceItem, SubUnit
from catalog.selectors import institution_for_user, require_institution
from tests.catalog.images import jpeg_upload, png_upload
from tests.factories import UserFactory, institution_factory, instrument, region, service_item, third_level_category

pytestmark = pytest.mark.django_db

SELLER_PAGES = [
    "catalog:seller_home",
    "catalog:seller_profile",
    "catalog:seller_sub_units",
    "catalog:seller_items",
    "catalog:seller_item_create",
    "catalog:seller_instruments",
    "catalog:seller_instrument_create",
    "catalog:seller_staff",
]


def item_post(**overrides):
    data = {
        "name": "汽车电子 EMC 测试（辐射发射）",
        "category": third_level_category().pk,
        "sub_unit": "",
        "price_type": "fixed",
        "price": "3500.00",
        "unit": "次",
        "service_cycle": "5个工作日",
        "description": "依据 GB/T 18655 开展车载电子零部件辐射发射测试。",
        "region_tags": [region("WJI").pk, region("JSN").pk],
    }
    data.update(overrides)
    return data


def test_selectors(seller, buyer_a, institution):
    assert institution_for_user(seller) == institution
    assert institution_for_user(buyer_a) is None
    with pytest.raises(Exception):
        require_institution(buyer_a)


@pytest.mark.parametrize("name", SELLER_PAGES)
def test_seller_pages_are_404_for_non_staff_and_200_for_staff(client, buyer_a, seller, name):
    assert client.get(reverse(name)).status_code == 302  # anonymous: to login
    client.force_login(buyer_a)
    assert client.get(reverse(name)).status_code == 404
    client.force_login(seller)
    assert client.get(reverse(name)).status_code == 200


def test_operator_cannot_manage_profile_or_users(client, institution):
    user = UserFactory(username="operator1")
    InstitutionStaff.objects.create(user=user, institution=institution, is_admin=False)
    client.force_login(user)
    assert client.get(reverse("catalog:seller_items")).status_code == 200
    assert client.get(reverse("catalog:seller_profile")).status_code == 404
    assert client.get(reverse("catalog:seller_staff")).status_code == 404


def test_another_institutions_objects_are_404(client, seller):
    other = institution_factory(name="上海电力大学", region_code="310110")
    item = service_item(other, name="风洞试验")
    ins = instrument(other, name="风洞")
    sub = SubUnit.objects.create(institution=other, name="动力实验室")
    client.force_login(seller)
    for url in [
        reverse("catalog:seller_item_edit", args=[item.pk]),
        reverse("catalog:seller_instrument_edit", args=[ins.pk]),
        reverse("catalog:seller_sub_unit_edit", args=[sub.pk]),
    ]:
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "改名"}).status_code == 404
    for url in [
        reverse("catalog:seller_item_shelf", args=[item.pk]),
        reverse("catalog:seller_instrument_shelf", args=[ins.pk]),
        reverse("catalog:seller_sub_unit_delete", args=[sub.pk]),
    ]:
        assert client.post(url, {"on_shelf": "0"}).status_code == 404
    item.refresh_from_db()
    assert item.is_on_shelf and item.name == "风洞试验"
    assert SubUnit.objects.filter(pk=sub.pk).exists()


def test_create_item_is_found_by_search(client, seller, institution):
    client.force_login(seller)
    response = client.post(reverse("catalog:seller_item_create"), item_post(image=png_upload()))
    assert response.status_code == 302
    item = ServiceItem.objects.get(institution=institution)
    assert item.price == Decimal("3500.00")
    assert set(item.region_tags.values_list("code", flat=True)) == {"WJI", "JSN"}
    picture = item.images.get()
    assert picture.thumb.width <= 480 and picture.thumb.height <= 360
    assert picture.image.name.startswith("public/catalog/") and "pic" not in picture.image.name
    for q in ["辐射", "emc", "GB/T", "恒通", "18655"]:
        found = client.get(reverse("catalog:search"), {"q": q}).context["page"].object_list
        assert [i.pk for i in found] == [item.pk], q


def test_item_form_errors_change_nothing(client, seller, institution):
    client.force_login(seller)
    cases = [
        item_post(price=""),
        item_post(price="-1"),
        item_post(category=third_level_category().parent_id),
        item_post(category="abc"),
        item_post(name=""),
        item_post(image=jpeg_upload(name="x.png").__class__("x.png", b"not an image", content_type="image/png")),
    ]
    for data in cases:
        response = client.post(reverse("catalog:seller_item_create"), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not ServiceItem.objects.exists()
    # 面议 needs no price and stores none.
    client.post(reverse("catalog:seller_item_create"), item_post(price_type="negotiable", price="99"))
    assert ServiceItem.objects.get().price is None


def test_edit_shelf_and_images(client, seller, institution):
    item = service_item(institution, name="专利价值评估")
    client.force_login(seller)
    url = reverse("catalog:seller_item_edit", args=[item.pk])
    response = client.post(url, item_post(name="专利价值评估（高价值专利）", image=jpeg_upload()))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "专利价值评估（高价值专利）"
    assert client.get(reverse("catalog:search"), {"q": "高价值"}).context["page"].paginator.count == 1
    client.post(reverse("catalog:seller_item_shelf", args=[item.pk]), {"on_shelf": "0"})
    item.refresh_from_db()
    assert not item.is_on_shelf
    assert client.get(reverse("catalog:item_detail", args=[item.pk])).status_code == 404
    picture = item.images.get()
    client.post(reverse("catalog:seller_item_image_delete", args=[item.pk, picture.pk]))
    assert not item.images.exists()


def test_sub_units_and_instruments(client, seller, institution):
    client.force_login(seller)
    client.post(reverse("catalog:seller_sub_units"), {"name": "电磁兼容实验室"})
    sub = SubUnit.objects.get(institution=institution)
    response = client.post(reverse("catalog:seller_sub_units"), {"name": "电磁兼容实验室"})
    assert "已有同名的子单位" in response.content.decode()
    data = {
        "name": "电波暗室",
        "model_number": "FACT-3",
        "manufacturer": "ETS-Lindgren",
        "sub_unit": sub.pk,
        "location": "苏州市吴江区",
        "booking_price": "800",
        "booking_unit": "小时",
        "status": "available",
        "specifications": "3 米法",
        "uses": "辐射发射测试",
    }
    assert client.post(reverse("catalog:seller_instrument_create"), data).status_code == 302
    ins = Instrument.objects.get()
    assert ins.sub_unit == sub and ins.booking_price == Decimal("800")
    assert client.post(reverse("catalog:seller_instrument_create"), {**data, "booking_price": "-5"}).status_code == 200
    client.post(reverse("catalog:seller_instrument_shelf", args=[ins.pk]), {"on_shelf": "0"})
    assert client.get(reverse("catalog:instrument_detail", args=[ins.pk])).status_code == 404


def test_profile_and_staff(client, seller, institution):
    client.force_login(seller)
    data = {"name": "苏州恒通检测技术有限公司", "address": "吴江区", "contact_person": "李工", "contact_phone": "0512"}
    assert client.post(reverse("catalog:seller_profile"), {**data, "logo_upload": png_upload()}).status_code == 302
    institution.refresh_from_db()
    assert institution.name == "苏州恒通检测技术有限公司" and institution.logo_thumb
    staff = {"username": "hengtong_op", "real_name": "王五", "phone": "13900001111", "password": "Passw0rd!x"}
    assert client.post(reverse("catalog:seller_staff"), staff).status_code == 302
    op = InstitutionStaff.objects.get(user__username="hengtong_op")
    assert not op.is_admin and op.user.check_password("Passw0rd!x")
    response = client.post(reverse("catalog:seller_staff"), staff)
    assert "该用户名已被使用" in response.content.decode()
    me = InstitutionStaff.objects.get(user=seller)
    client.post(reverse("catalog:seller_staff_remove", args=[me.pk]))
    assert InstitutionStaff.objects.filter(pk=me.pk).exists()
    client.post(reverse("catalog:seller_staff_remove", args=[op.pk]))
    assert not InstitutionStaff.objects.filter(pk=op.pk).exists()


def test_seller_item_list_query_count(client, seller, institution, django_assert_max_num_queries):
    for i in range(3):
        service_item(institution, name=f"检测{i}")
    client.force_login(seller)
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("catalog:seller_items"))
    for i in range(10):
        service_item(institution, name=f"检测{i + 3}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("catalog:seller_items"))
