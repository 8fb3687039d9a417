"""The 区域 filter of the region-scoped admin lists (enterprises.admin_scoping)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_region_filter_offers_no_empty_choice_to_a_regional_administrator(client, wujiang_admin, django_user_model):
    """A regional administrator sees only rows of their regions, so the 区域 filter has no
    "-" (no region) choice for them (and with one region no filter at all); the platform
    administrator keeps it."""
    url = reverse("admin:orders_order_changelist")
    client.force_login(wujiang_admin)
    page = client.get(url).content.decode()
    assert "region__isnull" not in page and "region__id__exact" not in page
    client.force_login(django_user_model.objects.create_superuser("platform_root", password="x"))
    page = client.get(url).content.decode()
    assert "region__isnull=True" in page and "region__id__exact=" in page
