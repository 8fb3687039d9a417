import pytest
from django.urls import reverse

from tests.factories import instrument, service_item

pytestmark = pytest.mark.django_db


def test_public_pages_render(client, institution):
    item = service_item(institution)
    ins = instrument(institution)
    for url in [
        reverse("catalog:search") + "?q=检测",
        reverse("catalog:item_detail", args=[item.pk]),
        reverse("catalog:instrument_detail", args=[ins.pk]),
        reverse("catalog:shop", args=[institution.pk]),
        reverse("catalog:shop", args=[institution.pk]) + "?tab=instruments",
        reverse("home"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
