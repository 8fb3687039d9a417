"""The admin's app list (sidebar, index) is remembered per user and permission set
(config/admin_site.py): a changed permission shows on the very next page."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _sidebar_links(client) -> str:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_app_list_follows_permission_changes(client, django_user_model):
    staff = django_user_model.objects.create_user("sidebar_staff", password="x", is_staff=True)
    view_order = Permission.objects.get(codename="view_order", content_type__app_label="orders")
    staff.user_permissions.add(view_order)
    client.force_login(staff)
    changelist = reverse("admin:orders_order_changelist")
    assert changelist in _sidebar_links(client)
    assert changelist in _sidebar_links(client)  # from the remembered list

    staff.user_permissions.remove(view_order)
    assert changelist not in _sidebar_links(client)

    staff.user_permissions.add(view_order)
    assert changelist in _sidebar_links(client)


def test_two_users_do_not_share_a_list(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer_a", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order", content_type__app_label="orders"))
    other = django_user_model.objects.create_user("viewer_b", password="x", is_staff=True)
    changelist = reverse("admin:orders_order_changelist")
    client.force_login(viewer)
    assert changelist in _sidebar_links(client)
    client.force_login(other)
    assert changelist not in _sidebar_links(client)
