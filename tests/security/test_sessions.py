"""Sessions and accounts (DESIGN §11, issue 10): the session key rotates on login and on
password change, logout ends the session on the server, the admin login goes through
allauth's rate limits, login and SMS limits hold under parallel requests, and 找回密码
by SMS."""

import threading

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from messaging.models import OutboxMessage
from tests.accounts.helpers import latest_code
from tests.factories import UserFactory

PASSWORD = "Kx9#mq2Lpz-old"
NEW_PASSWORD = "Vb7!tr5Qwe-new"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    user = UserFactory(username="sess_user", phone="13811112222")
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client, username=None, password=PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": username or "sess_user", "password": password, **extra})


def is_logged_in(client) -> bool:
    return client.get(reverse("buyer_home")).status_code == 200


@pytest.mark.django_db
def test_login_rotates_the_session_key(client, member):
    session = client.session
    session["before_login"] = "x"
    session.save()
    anonymous_key = session.session_key
    client.cookies["sessionid"] = anonymous_key
    response = login(client)
    assert response.status_code == 302
    new_key = client.cookies["sessionid"].value
    assert new_key != anonymous_key
    assert not Session.objects.filter(session_key=anonymous_key).exists()


@pytest.mark.django_db
def test_password_change_rotates_the_key_and_ends_other_sessions(client, member):
    other = Client()
    assert login(client).status_code == 302 and login(other).status_code == 302
    key = client.cookies["sessionid"].value
    response = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != key
    assert is_logged_in(client)
    assert not is_logged_in(other)  # the other browser is out


@pytest.mark.django_db
def test_logout_ends_the_session_on_the_server(client, member):
    login(client)
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key  # a stolen cookie from before the logout
    assert not is_logged_in(replay)


@pytest.mark.django_db
def test_admin_login_goes_through_allauth_and_is_rate_limited(client):
    admin_user = UserFactory(username="platform_admin", is_staff=True, is_superuser=True)
    admin_user.set_password(PASSWORD)
    admin_user.save()
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    for _ in range(5):
        r = login(client, "platform_admin", "wrong-password", next="/admin/")
        assert r.status_code == 200
    # the limit holds even for the right password now
    r = login(client, "platform_admin", PASSWORD, next="/admin/")
    assert r.status_code in (200, 429)
    assert client.get("/admin/").status_code == 302


# --- parallel requests ---------------------------------------------------------------------


def _parallel(n, fn):
    results, errors = [], []
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait(timeout=10)
            results.append(fn(i))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_login_and_sms_limits_hold_under_parallel_requests(live_db):
    user = User.objects.create_user(username="par_user", password=PASSWORD)
    checked = []
    from django.contrib.auth.backends import ModelBackend

    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        if username == "par_user":
            checked.append(password)
        return original(self, request, username=username, password=password, **kwargs)

    from unittest import mock

    with mock.patch.object(ModelBackend, "authenticate", counting):
        statuses = _parallel(12, lambda i: login(Client(), "par_user", f"wrong-{i}").status_code)
    assert all(s < 500 for s in statuses)
    # 5 failures per 5 minutes per username ("5/5m/key"): never more password checks
    assert len(checked) <= 5, len(checked)
    assert login(Client(), "par_user", PASSWORD).status_code != 302
    assert user.pk

    # SMS codes (same transactional test: one database flush for both)
    phone = "13922223333"
    statuses = _parallel(
        10, lambda i: Client().post(reverse("accounts:sms_send"), {"phone": phone, "purpose": "register"}).status_code
    )
    assert all(s == 200 for s in statuses)
    assert OutboxMessage.objects.filter(to=phone).count() == 1  # one per minute per number


# --- 找回密码 by SMS -------------------------------------------------------------------------


@pytest.mark.django_db
def test_password_reset_by_sms(client, member):
    other = Client()
    login(other)
    page = client.get(reverse("accounts:password_reset"))
    assert page.status_code == 200 and "找回密码" in page.content.decode()
    assert reverse("accounts:password_reset") in client.get(reverse("account_login")).content.decode()
    r = client.post(reverse("accounts:sms_send"), {"phone": "13811112222", "purpose": "reset"})
    assert "验证码已发送" in r.content.decode()
    code = latest_code("13811112222")
    data = {"phone": "13811112222", "code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    wrong = "000000" if code != "000000" else "111111"
    r = client.post(reverse("accounts:password_reset"), {**data, "code": wrong})
    assert r.status_code == 200 and "验证码不正确" in r.content.decode()
    r = client.post(reverse("accounts:password_reset"), data)
    assert r.status_code == 302 and r.url == reverse("account_login")
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert not is_logged_in(other)  # sessions from before the reset are over
    assert login(Client(), password=NEW_PASSWORD).status_code == 302
    # the code is single use
    r = client.post(reverse("accounts:password_reset"), {**data, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert r.status_code == 200 and "失效" in r.content.decode()


@pytest.mark.django_db
def test_password_reset_refuses_unknown_numbers_and_bad_input(client, member):
    r = client.post(reverse("accounts:sms_send"), {"phone": "13800000000", "purpose": "reset"})
    assert "未注册" in r.content.decode()
    assert not OutboxMessage.objects.filter(to="13800000000").exists()
    r = client.post(reverse("accounts:password_reset"), {"phone": "abc", "code": "", "new_password1": "1"})
    assert r.status_code == 200
    r = client.post(
        reverse("accounts:password_reset"),
        {"phone": "13800000000", "code": "123456", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert r.status_code == 200 and "验证码" in r.content.decode()
