"""Permissions are read from the cache (accounts.permission_cache, issue 9), and every
change of who holds which permission shows on the very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import ROLE_GROUP

pytestmark = pytest.mark.django_db

ORDERS = "admin:orders_order_changelist"


def _get(client, url_name):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(url_name))
    permission_reads = [q for q in ctx.captured_queries if '"auth_permission"' in q["sql"]]
    return response.status_code, len(permission_reads)


def test_permissions_are_read_once_then_remembered(client, wujiang_admin):
    client.force_login(wujiang_admin)
    assert _get(client, ORDERS) == (200, 2)  # the user's and the groups' permissions
    assert _get(client, ORDERS) == (200, 0)
    assert _get(client, "admin:index") == (200, 0)


def test_leaving_the_role_group_takes_effect_at_once(client, wujiang_admin):
    client.force_login(wujiang_admin)
    assert _get(client, ORDERS)[0] == 200
    wujiang_admin.groups.clear()
    assert _get(client, ORDERS)[0] == 403
    wujiang_admin.groups.add(Group.objects.get(name=ROLE_GROUP["region_admin"]))
    assert _get(client, ORDERS)[0] == 200


def test_group_membership_changed_from_the_group_side(client, wujiang_admin):
    client.force_login(wujiang_admin)
    assert _get(client, ORDERS)[0] == 200
    Group.objects.get(name=ROLE_GROUP["region_admin"]).user_set.remove(wujiang_admin)
    assert _get(client, ORDERS)[0] == 403


def test_a_permission_taken_from_the_group_takes_effect_at_once(client, wujiang_admin):
    client.force_login(wujiang_admin)
    assert _get(client, ORDERS)[0] == 200
    group = Group.objects.get(name=ROLE_GROUP["region_admin"])
    group.permissions.remove(*Permission.objects.filter(content_type__app_label="orders", codename__endswith="_order"))
    assert _get(client, ORDERS)[0] == 403


def test_a_direct_permission_and_a_deleted_group(client, wujiang_admin):
    client.force_login(wujiang_admin)
    wujiang_admin.groups.clear()
    assert _get(client, ORDERS)[0] == 403
    view_order = Permission.objects.get(content_type__app_label="orders", codename="view_order")
    wujiang_admin.user_permissions.add(view_order)
    assert _get(client, ORDERS)[0] == 200
    wujiang_admin.user_permissions.remove(view_order)
    group = Group.objects.create(name="临时组")
    group.permissions.add(view_order)
    wujiang_admin.groups.add(group)
    assert _get(client, ORDERS)[0] == 200
    group.delete()  # no m2m signal for the cascade: the group's deletion itself counts
    assert _get(client, ORDERS)[0] == 403


def test_superuser_and_inactive_flags_are_read_from_the_user_row(wujiang_admin):
    from accounts.models import User

    perms = User.objects.get(pk=wujiang_admin.pk).get_all_permissions()
    assert "orders.view_order" in perms and "auth.add_group" not in perms
    User.objects.filter(pk=wujiang_admin.pk).update(is_superuser=True)  # no signal on purpose
    assert "auth.add_group" in User.objects.get(pk=wujiang_admin.pk).get_all_permissions()
    User.objects.filter(pk=wujiang_admin.pk).update(is_superuser=False, is_active=False)
    assert User.objects.get(pk=wujiang_admin.pk).get_all_permissions() == set()
