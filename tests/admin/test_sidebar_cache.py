"""The admin's navigation sidebar is rendered once per user, permissions and page
(config/admin_sidebar.py): the HTML is exactly Django's, the current model is marked on
each page, and a changed permission shows on the very next page."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.template.loader import render_to_string
from django.urls import reverse

from config import admin_sidebar

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<button class="sticky toggle-nav-sidebar".*?</nav>', re.S)


def _sidebar(response) -> str:
    assert response.status_code == 200
    return NAV.search(response.content.decode()).group(0)


def _django_sidebar(response) -> str:
    """What Django's own template renders for the same page."""
    context = {"available_apps": response.context["available_apps"], "request": response.wsgi_request}
    return render_to_string("admin/nav_sidebar.html", context).strip()


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user("sidebar_viewer", password="x", is_staff=True)
    for codename, app in (("view_order", "orders"), ("view_voucher", "vouchers"), ("view_message", "messaging")):
        user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label=app))
    return user


def test_the_html_is_djangos_on_each_page(client, viewer):
    admin_sidebar._SIDEBARS.clear()
    client.force_login(viewer)
    orders = reverse("admin:orders_order_changelist")
    vouchers = reverse("admin:vouchers_voucher_changelist")
    for url in (orders, vouchers, orders, vouchers + "?status=active"):
        response = client.get(url)
        html = _sidebar(response)
        assert html == _django_sidebar(response)
        current = re.search(r'<tr class="model-(\w+) current-model">', html).group(1)
        assert current == ("order" if url == orders else "voucher")
    assert len(admin_sidebar._SIDEBARS) == 2  # one per marked model, reused


def test_a_removed_permission_leaves_the_sidebar_at_once(client, viewer):
    client.force_login(viewer)
    orders = reverse("admin:orders_order_changelist")
    vouchers = reverse("admin:vouchers_voucher_changelist")
    assert orders in _sidebar(client.get(vouchers))
    viewer.user_permissions.remove(Permission.objects.get(codename="view_order", content_type__app_label="orders"))
    html = _sidebar(client.get(vouchers))
    assert orders not in html and vouchers in html


def test_two_users_do_not_share_a_sidebar(client, viewer, django_user_model):
    other = django_user_model.objects.create_user("sidebar_other", password="x", is_staff=True)
    other.user_permissions.add(Permission.objects.get(codename="view_voucher", content_type__app_label="vouchers"))
    vouchers = reverse("admin:vouchers_voucher_changelist")
    client.force_login(viewer)
    assert reverse("admin:orders_order_changelist") in _sidebar(client.get(vouchers))
    client.force_login(other)
    assert reverse("admin:orders_order_changelist") not in _sidebar(client.get(vouchers))
