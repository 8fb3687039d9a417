import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Passw0rd!2026"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def login(client, login_value, password=PASSWORD, ip="10.0.0.1"):
    return client.post(reverse("account_login"), {"login": login_value, "password": password}, REMOTE_ADDR=ip)


def test_login_page_in_chinese_without_external_buttons_when_not_configured(client):
    body = client.get(reverse("account_login")).content.decode()
    assert "用户名/手机号码" in body and "法人单位注册" in body
    assert "上海科技券平台用户登录" not in body and "浙江科技大脑用户登录" not in body


def test_login_with_username(client, buyer_a):
    r = login(client, "buyer_a")
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(buyer_a.pk)


def test_login_with_mobile_number(client, buyer_a):
    r = login(client, buyer_a.phone)
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(buyer_a.pk)


def test_wrong_password_and_inactive_user(client, buyer_a):
    r = login(client, buyer_a.phone, "wrong-password")
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    assert r.context["form"].non_field_errors()
    buyer_a.is_active = False
    buyer_a.save()
    login(client, buyer_a.phone)
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_limited_per_username(client, buyer_a):
    for n in range(5):
        login(client, "buyer_a", "wrong", ip=f"10.0.1.{n}")
    r = login(client, "buyer_a", ip="10.0.2.1")  # right password, other IP: still refused
    assert "_auth_user_id" not in client.session
    assert r.status_code in (200, 429)
    # another user is not affected
    UserFactory(username="other_user")
    login(client, "other_user", ip="10.0.2.2")
    assert "_auth_user_id" in client.session


def test_failed_logins_are_limited_per_ip(client, buyer_a):
    for n in range(10):
        login(client, f"nobody{n}", "wrong", ip="10.0.3.3")
    login(client, "buyer_a", ip="10.0.3.3")
    assert "_auth_user_id" not in client.session
    login(client, "buyer_a", ip="10.0.3.4")
    assert client.session["_auth_user_id"] == str(buyer_a.pk)


def test_allauth_signup_is_closed_and_register_is_the_way(client):
    r = client.get(reverse("account_signup"))
    assert "法人单位注册" in r.content.decode()


def test_admin_login_goes_through_allauth(client):
    r = client.get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r.url.startswith("/accounts/login/")


def test_staff_logs_in_to_admin_through_the_rate_limited_form(client, wujiang_admin):
    r = client.post(reverse("account_login") + "?next=/admin/", {"login": "admin_wujiang", "password": PASSWORD})
    assert r.status_code == 302
    assert client.get("/admin/").status_code == 200
