"""Changes to what an institution offers are in the audit trail (审计日志): who changed
which item's price or shelf, before → after, in the institution's region."""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from tests.catalog.test_seller import item_post
from tests.factories import region, service_item

pytestmark = pytest.mark.django_db


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_price_change_and_shelf_are_audited_with_the_seller(client, seller, institution):
    item = service_item(institution, name="专利价值评估", price="3500.00")
    client.force_login(seller)
    url = reverse("catalog:seller_item_edit", args=[item.pk])
    assert client.post(url, item_post(name="专利价值评估", price="4200.00")).status_code == 302
    (entry,) = _entries("catalog.item.update")
    assert entry.object_id == str(item.pk) and entry.region_id == region("WJI").pk  # 吴江区
    assert entry.before["price"] == "3500.00" and entry.after["price"] == "4200.00"
    assert seller.username in entry.actor_label

    shelf = reverse("catalog:seller_item_shelf", args=[item.pk])
    client.post(shelf, {"on_shelf": "0"})
    client.post(shelf, {"on_shelf": "0"})  # already off: nothing changes, nothing recorded
    (off,) = _entries("catalog.item.shelf")
    assert off.before == {"is_on_shelf": True} and off.after == {"is_on_shelf": False} and off.note == "下架"


def test_an_unchanged_save_writes_no_row(client, seller, institution):
    client.force_login(seller)
    assert client.post(reverse("catalog:seller_item_create"), item_post()).status_code == 302
    (created,) = _entries("catalog.item.create")
    assert created.after["price"] == "3500.00"
    url = reverse("catalog:seller_item_edit", args=[created.object_id])
    client.post(url, item_post())
    assert _entries("catalog.item.update") == []


def test_an_admin_price_change_is_audited(client, institution, django_user_model):
    admin_user = django_user_model.objects.create_superuser("catalog_admin", password="x")
    item = service_item(institution, name="材料成分分析", price="800.00")
    client.force_login(admin_user)
    url = reverse("admin:catalog_serviceitem_change", args=[item.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "institution": institution.pk,
            "category": item.category_id,
            "price": "950.00",
            "region_tags": [t.pk for t in item.region_tags.all()],
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        }
    )
    data.pop("sub_unit", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (entry,) = _entries("catalog.item.admin_change")
    assert entry.before["price"] == "800.00" and entry.after["price"] == "950.00"
    assert entry.region_id == region("WJI").pk
