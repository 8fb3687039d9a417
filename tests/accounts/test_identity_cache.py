"""The session's user and their enterprise are read from the cache (accounts/identity.py):
a page after the first reads neither row, and every change to them (including the
services' bulk updates, and a change racing with a page) shows on the very next page."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import identity
from enterprises import services
from enterprises.models import EnterpriseMember
from enterprises.selectors import enterprise_for_user
from tests.factories import enterprise_user

pytestmark = pytest.mark.django_db

ORDERS = "orders:buyer_list"


def _identity_queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    tables = ("accounts_user", "enterprises_enterprisemember")
    return response.status_code, [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in tables)]


def test_a_page_after_the_first_reads_neither_the_user_nor_the_membership(client, buyer_a):
    client.force_login(buyer_a)
    url = reverse(ORDERS)
    status, first = _identity_queries(client, url)
    assert status == 200 and len(first) == 2  # the user, then the membership with its enterprise
    status, again = _identity_queries(client, url)
    assert status == 200 and again == []


@pytest.fixture
def operator(buyer_a):
    return enterprise_user("operator_a", enterprise_for_user(buyer_a), is_admin=False)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get(reverse(ORDERS)).status_code == 200
    assert client.get(reverse(ORDERS)).status_code == 200  # now from the cache
    return client


def _logged_out(client) -> bool:
    response = client.get(reverse(ORDERS))
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_disabled_operator_is_logged_out_on_the_next_page(buyer_a, operator):
    client = _logged_in(operator)
    member = EnterpriseMember.objects.get(user=operator)
    services.set_operator_active(enterprise_for_user(buyer_a), buyer_a, member.pk, False)  # a bulk update()
    assert _logged_out(client)


def test_a_removed_operator_is_logged_out_on_the_next_page(buyer_a, operator):
    client = _logged_in(operator)
    member = EnterpriseMember.objects.get(user=operator)
    services.remove_operator(enterprise_for_user(buyer_a), buyer_a, member.pk)
    assert _logged_out(client)


def test_a_password_changed_elsewhere_logs_the_session_out(operator):
    client = _logged_in(operator)
    operator.set_password("Another-Passw0rd!")
    operator.save()
    assert _logged_out(client)


def test_a_membership_removed_in_the_admin_leaves_the_buyer_pages(operator):
    client = _logged_in(operator)
    EnterpriseMember.objects.filter(user=operator).get().delete()
    assert client.get(reverse(ORDERS)).status_code == 404  # 没有关联的企业


def test_names_changed_show_on_the_next_page(buyer_a):
    client = _logged_in(buyer_a)
    buyer_a.real_name = "新名字"
    buyer_a.save()
    enterprise = enterprise_for_user(buyer_a)
    enterprise.name = "改名后的企业"
    enterprise.save()
    assert "您好，新名字" in client.get(reverse(ORDERS)).content.decode()
    user = identity.get_user(client.get(reverse(ORDERS)).wsgi_request)
    assert enterprise_for_user(user).name == "改名后的企业"


def test_a_change_during_a_page_is_not_remembered(client, buyer_a, monkeypatch):
    """A page reads the rows, another request changes them before the page stores its
    copy: the copy carries the old version and is not used."""
    client.force_login(buyer_a)
    load = identity.auth.get_user

    def load_then_changed(request):
        user = load(request)
        identity.forget_identity(user.pk)  # the other request's change lands here
        return user

    monkeypatch.setattr(identity.auth, "get_user", load_then_changed)
    assert client.get(reverse(ORDERS)).status_code == 200
    monkeypatch.setattr(identity.auth, "get_user", load)
    status, queries = _identity_queries(client, reverse(ORDERS))
    assert status == 200 and len(queries) == 2  # read afresh
    status, queries = _identity_queries(client, reverse(ORDERS))
    assert queries == []


def test_entries_of_other_code_or_another_secret_key_are_not_read(buyer_a, settings, monkeypatch):
    """The key changes with the cached models' columns (a deploy that adds a field) and
    with the secret key (the remembered session hashes were made with it)."""
    from accounts.models import User

    _, key = identity._keys(buyer_a.pk)
    try:
        identity._schema.cache_clear()
        monkeypatch.setattr(User._meta, "concrete_fields", User._meta.concrete_fields[:-1])
        assert identity._keys(buyer_a.pk)[1] != key
        monkeypatch.undo()
        identity._schema.cache_clear()
        assert identity._keys(buyer_a.pk)[1] == key
        settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789abcdefghijkl"
        identity._schema.cache_clear()
        assert identity._keys(buyer_a.pk)[1] != key
    finally:
        identity._schema.cache_clear()


def test_a_seller_page_after_the_first_reads_no_staff_row_and_sees_changes(client, seller, institution):
    from catalog.models import InstitutionStaff

    client.force_login(seller)
    url = reverse("orders:seller_list")
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert not [q for q in ctx.captured_queries if "catalog_institutionstaff" in q["sql"]]
    institution.name = "改名后的机构"
    institution.save()
    assert "改名后的机构" in client.get(url).content.decode()  # the menu's institution name
    InstitutionStaff.objects.filter(user=seller).update(is_admin=False)  # bypasses signals…
    from catalog.services import forget_staff

    forget_staff(seller.pk)  # …as the services never do without this
    assert client.get(reverse("catalog:seller_staff")).status_code == 404  # administrators only


def test_an_administrators_regions_come_with_the_user_and_follow_changes(client, wujiang_admin):
    from enterprises.models import RegionAdministrator
    from enterprises.selectors import administered_region_ids

    client.force_login(wujiang_admin)
    url = reverse("admin:orders_order_changelist")
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert not [q for q in ctx.captured_queries if "enterprises_regionadministrator" in q["sql"]]
    assert administered_region_ids(response.wsgi_request.user)
    RegionAdministrator.objects.filter(user=wujiang_admin).get().delete()
    response = client.get(url)
    assert administered_region_ids(response.wsgi_request.user) == set()


def test_the_cache_never_holds_a_password_hash_and_the_password_can_still_be_changed(client, buyer_a):
    import pickle

    from django.core.cache import cache

    client.force_login(buyer_a)
    assert client.get(reverse(ORDERS)).status_code == 200
    _, entry_key = identity._keys(buyer_a.pk)
    _, remembered, auth_hash, _ = cache.get(entry_key)
    assert "password" not in remembered.__dict__
    assert buyer_a.password.encode() not in pickle.dumps(cache.get(entry_key))
    assert auth_hash == buyer_a.get_session_auth_hash()
    # The page that needs the hash reads it from the database (the field is deferred).
    user = identity.get_user(client.get(reverse(ORDERS)).wsgi_request)
    assert user.check_password("Passw0rd!2026")
    user.real_name = "保存不动密码"
    user.save()
    buyer_a.refresh_from_db()
    assert buyer_a.check_password("Passw0rd!2026") and buyer_a.real_name == "保存不动密码"
