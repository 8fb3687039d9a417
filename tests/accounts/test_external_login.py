"""External login (青浦区 上海科技券平台 / 嘉善县 浙江科技大脑) end to end against the
OpenID Connect provider the test suite runs on localhost."""

from urllib.parse import urlparse

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from enterprises.models import Enterprise
from tests.accounts.helpers import image_upload, latest_code
from tests.accounts.oidc_provider import oidc_provider  # noqa: F401
from tests.factories import valid_id_number, valid_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shkjq(settings, oidc_provider):  # noqa: F811
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"APPS": [oidc_provider.app_settings("shkjq", "上海科技券平台")]}
    }
    return oidc_provider


def external_login(client, provider, provider_id="shkjq"):
    r = client.post(reverse("openid_connect_login", kwargs={"provider_id": provider_id}))
    assert r.status_code == 302 and r.url.startswith(provider.issuer + "/authorize"), r
    at_provider = requests.get(r.url, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlparse(at_provider.headers["Location"])
    return client.get(back.path + "?" + back.query)


def test_button_shows_only_for_configured_regions(client, shkjq):
    body = client.get(reverse("account_login")).content.decode()
    assert "上海科技券平台用户登录" in body
    assert "浙江科技大脑用户登录" not in body  # 嘉善县's platform is not configured
    assert 'method="post" action="/accounts/oidc/shkjq/login/"' in body


def test_get_does_not_start_the_login(client, shkjq):
    r = client.get(reverse("openid_connect_login", kwargs={"provider_id": "shkjq"}))
    assert r.status_code == 200  # a confirmation page; only a POST leaves for the platform
    assert "/authorize" not in shkjq.requests


def test_first_external_login_creates_account_and_asks_for_enterprise(client, shkjq):
    shkjq.next_claims = {
        "sub": "qp-0001",
        "preferred_username": "qingpu_corp",
        "name": "陆青",
        "phone_number": "+8613611112222",
        "phone_number_verified": True,
    }
    r = external_login(client, shkjq)
    assert r.status_code == 302 and r.url == reverse("enterprises:complete")
    assert {"/.well-known/openid-configuration", "/authorize", "/token", "/userinfo"} <= set(shkjq.requests)
    user = User.objects.get(socialaccount__uid="qp-0001")
    assert user.phone == "13611112222" and user.phone_verified and user.real_name == "陆青"
    assert not user.has_usable_password()
    # the page asking for the missing enterprise details
    page = client.get(reverse("enterprises:complete"))
    body = page.content.decode()
    assert "完善企业信息" in body and "青浦区" in body and "外部平台已验证" in body
    assert 'value="310118" selected' in body  # 注册所在地 preset to 青浦区
    r = client.post(
        reverse("enterprises:complete"),
        {
            "uscc": valid_uscc(5151),
            "name": "上海青浦外部登录科技有限公司",
            "licence": image_upload("JPEG", "l.jpg"),
            "province": "310000",
            "city": "310100",
            "district": "310118",
            "real_name": "陆青",
            "id_number": valid_id_number(9),
        },
    )
    assert r.status_code == 302 and r.url == reverse("enterprises:basic_info")
    enterprise = Enterprise.objects.get(uscc=valid_uscc(5151))
    assert enterprise.region.code == "QPU" and enterprise.members.get().user == user
    # next time: straight in
    client.logout()
    r = external_login(client, shkjq)
    assert r.status_code == 302 and r.url != reverse("enterprises:complete")
    assert User.objects.filter(socialaccount__provider="shkjq").count() == 1


def test_unverified_phone_is_asked_with_an_sms_code(client, shkjq):
    shkjq.next_claims = {"sub": "qp-0002", "name": "无手机", "phone_number": "13622223333"}
    r = external_login(client, shkjq)
    assert r.url == reverse("enterprises:complete")
    user = User.objects.get(socialaccount__uid="qp-0002")
    assert user.phone is None
    client.post(reverse("accounts:sms_send"), {"phone": "13622223333", "purpose": "bind"})
    data = {
        "uscc": valid_uscc(5252),
        "name": "上海青浦绑定手机有限公司",
        "licence": image_upload("PNG"),
        "province": "310000",
        "city": "310100",
        "district": "310118",
        "real_name": "王青",
        "id_number": valid_id_number(10),
        "phone": "13622223333",
        "code": "000000" if latest_code("13622223333") != "000000" else "111111",
    }
    r = client.post(reverse("enterprises:complete"), data)
    assert r.status_code == 200 and "code" in r.context["form"].errors
    data["code"] = latest_code("13622223333")
    data["licence"] = image_upload("PNG")
    r = client.post(reverse("enterprises:complete"), data)
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.phone == "13622223333" and user.real_name == "王青"


def test_verified_phone_links_the_existing_account(client, shkjq, buyer_a):
    shkjq.next_claims = {
        "sub": "qp-0003",
        "name": "外部名",
        "phone_number": buyer_a.phone,
        "phone_number_verified": "true",
    }
    r = external_login(client, shkjq)
    assert r.status_code == 302 and r.url != reverse("enterprises:complete")
    assert client.session["_auth_user_id"] == str(buyer_a.pk)
    assert SocialAccount.objects.get(uid="qp-0003").user == buyer_a
    assert User.objects.count() == 1  # no new account


def test_unverified_phone_never_links(client, shkjq, buyer_a):
    shkjq.next_claims = {"sub": "qp-0004", "phone_number": buyer_a.phone, "phone_number_verified": False}
    external_login(client, shkjq)
    assert SocialAccount.objects.get(uid="qp-0004").user != buyer_a
    buyer_a.refresh_from_db()
    assert client.session["_auth_user_id"] != str(buyer_a.pk)


def test_wrong_client_secret_fails_cleanly(client, shkjq, settings):
    app = shkjq.app_settings("shkjq", "上海科技券平台")
    app["secret"] = "wrong"
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [app]}}
    shkjq.next_claims = {"sub": "qp-0005"}
    r = external_login(client, shkjq)
    assert r.status_code == 401  # allauth's authentication error page, in Chinese
    assert "外部平台登录失败" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_unconfigured_provider_is_404(client, shkjq):
    assert client.post(reverse("openid_connect_login", kwargs={"provider_id": "zjkjdn"})).status_code == 404
