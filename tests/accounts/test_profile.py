import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests.accounts.helpers import latest_code
from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def profile_data(**overrides):
    data = {
        "real_name": "罗高卓",
        "email": "luo@example.com",
        "id_number": "",
        "birth_date": "1984-01-13",
        "gender": "male",
        "birthplace": "重庆",
        "nationality": "中国",
        "ethnicity": "汉族",
        "party": "群众",
        "education": "master",
        "address": "苏州市吴江区中山南路1号",
        "province": "江苏省",
        "postcode": "215200",
        "district": "吴江区",
        "city": "苏州市",
        "home_region": "吴江区",
    }
    data.update(overrides)
    return data


def test_profile_page_has_the_manual_fields(client, buyer_a):
    client.force_login(buyer_a)
    body = client.get(reverse("accounts:profile")).content.decode()
    labels = "个人信息 用户名 真实姓名 邮箱 手机号 证件号码 出生日期 性别 出生地 国籍 民族 党派 学历 通讯地址 省份"
    for text in labels.split() + ["邮政编码", "所在地区", "所在城市", "区域", "马鞍山市"]:
        assert text in body


def test_save_profile_and_masked_id(client, buyer_a):
    client.force_login(buyer_a)
    number = valid_id_number(3)
    r = client.post(reverse("accounts:profile"), profile_data(id_number=number))
    assert r.status_code == 302
    buyer_a.refresh_from_db()
    assert buyer_a.id_number == number and buyer_a.email == "luo@example.com" and buyer_a.ethnicity == "汉族"
    body = client.get(reverse("accounts:profile")).content.decode()
    assert number not in body  # never sent back in clear
    assert buyer_a.masked_id_number in body
    assert buyer_a.masked_id_number == number[:4] + "*" * 10 + number[-4:]
    # an empty ID box keeps the stored number
    client.post(reverse("accounts:profile"), profile_data(id_number=""))
    buyer_a.refresh_from_db()
    assert buyer_a.id_number == number


def test_only_the_required_fields(client, buyer_a):
    client.force_login(buyer_a)
    r = client.post(reverse("accounts:profile"), {"real_name": "王五", "email": "w@example.com"})
    assert r.status_code == 302
    r = client.post(reverse("accounts:profile"), {"real_name": "", "email": ""})
    errors = r.context["form"].errors
    assert "real_name" in errors and "email" in errors


@pytest.mark.parametrize(
    "field,value",
    [
        ("id_number", "500101198401133397"),
        ("postcode", "2152"),
        ("email", "not-an-email"),
        ("birth_date", "1984-13-45"),
        ("ethnicity", "火星族"),
        ("home_region", "<script>"),
    ],
)
def test_bad_profile_input(client, buyer_a, field, value):
    client.force_login(buyer_a)
    r = client.post(reverse("accounts:profile"), profile_data(**{field: value}))
    assert r.status_code == 200
    assert field in r.context["form"].errors
    buyer_a.refresh_from_db()
    assert buyer_a.email != "luo@example.com"


def test_change_phone_needs_a_code_sent_to_the_new_number(client, buyer_a):
    client.force_login(buyer_a)
    new = "13655556666"
    r = client.post(reverse("accounts:sms_send"), {"phone": new, "purpose": "change_phone"})
    assert "验证码已发送" in r.content.decode()
    code = latest_code(new)
    wrong = "000000" if code != "000000" else "111111"
    r = client.post(reverse("accounts:phone_change"), {"phone": new, "code": wrong})
    assert "验证码不正确" in r.content.decode()
    buyer_a.refresh_from_db()
    assert buyer_a.phone != new
    r = client.post(reverse("accounts:phone_change"), {"phone": new, "code": code})
    assert r.status_code == 302
    buyer_a.refresh_from_db()
    assert buyer_a.phone == new and buyer_a.phone_verified


def test_change_phone_to_a_number_in_use(client, buyer_a, buyer_b):
    client.force_login(buyer_a)
    r = client.post(reverse("accounts:sms_send"), {"phone": buyer_b.phone, "purpose": "change_phone"})
    assert "已被其他账号使用" in r.content.decode()
    r = client.post(reverse("accounts:phone_change"), {"phone": buyer_b.phone, "code": "123456"})
    assert "已被其他账号使用" in r.content.decode()


def test_code_for_another_number_does_not_change_phone(client, buyer_a):
    client.force_login(buyer_a)
    services.send_code("13655550001", "change_phone", None)
    code = latest_code("13655550001")
    r = client.post(reverse("accounts:phone_change"), {"phone": "13655550002", "code": code})
    assert r.status_code == 200
    buyer_a.refresh_from_db()
    assert buyer_a.phone not in ("13655550001", "13655550002")


def test_password_change_keeps_the_session_and_rotates_it(client, buyer_a):
    client.force_login(buyer_a)
    old_key = client.session.session_key
    other = type(client)()
    other.force_login(buyer_a)
    r = client.post(
        reverse("accounts:password"),
        {"old_password": "Passw0rd!2026", "new_password1": "Nw7$kq3Zra", "new_password2": "Nw7$kq3Zra"},
    )
    assert r.status_code == 302
    assert client.session.session_key != old_key
    assert client.get(reverse("accounts:password")).status_code == 200  # still logged in
    assert other.get(reverse("accounts:password")).status_code == 302  # other sessions end
    buyer_a.refresh_from_db()
    assert buyer_a.check_password("Nw7$kq3Zra")
    from accounts.models import AuditEntry

    assert AuditEntry.objects.filter(action="user.password_change").exists()


@pytest.mark.parametrize(
    "data,field",
    [
        ({"old_password": "wrong", "new_password1": "Nw7$kq3Zra", "new_password2": "Nw7$kq3Zra"}, "old_password"),
        ({"old_password": "Passw0rd!2026", "new_password1": "Nw7$kq3Zra", "new_password2": "x"}, "new_password2"),
        ({"old_password": "Passw0rd!2026", "new_password1": "12345678", "new_password2": "12345678"}, "new_password1"),
        ({"old_password": "Passw0rd!2026", "new_password1": "short", "new_password2": "short"}, "new_password1"),
    ],
)
def test_password_errors(client, buyer_a, data, field):
    client.force_login(buyer_a)
    r = client.post(reverse("accounts:password"), data)
    assert field in r.context["form"].errors
    buyer_a.refresh_from_db()
    assert buyer_a.check_password("Passw0rd!2026")
    assert User.objects.get(pk=buyer_a.pk).check_password("Passw0rd!2026")


def test_pages_need_login(client):
    for name in ("accounts:profile", "accounts:password"):
        assert client.get(reverse(name)).status_code == 302
