import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts import services as account_services
from accounts.models import User
from enterprises.models import Enterprise, EnterpriseMember
from messaging.models import Message
from tests.accounts.helpers import image_upload, latest_code
from tests.factories import valid_id_number, valid_uscc

pytestmark = pytest.mark.django_db

PHONE = "13700001111"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def form_data(**overrides):
    data = {
        "uscc": valid_uscc(9001),
        "name": "苏州吴江测试科技有限公司",
        "licence": image_upload("PNG"),
        "province": "320000",
        "city": "320500",
        "district": "320509",
        "username": "wujiang_new",
        "real_name": "张三",
        "id_number": valid_id_number(7),
        "phone": PHONE,
        "code": "",
        "password1": "Kx9#mq2Lpz",
        "password2": "Kx9#mq2Lpz",
    }
    data.update(overrides)
    return data


def send_code(phone=PHONE):
    account_services.send_code(phone, "register", None)
    return latest_code(phone)


def test_register_page_has_the_manual_fields(client):
    body = client.get(reverse("enterprises:register")).content.decode()
    for text in ("法人单位注册", "单位注册信息", "管理员个人信息", "统一社会信用代码", "单位名称", "营业执照",
                 "注册所在地", "用户名", "真实姓名", "证件号码", "手机号码", "验证码", "设置密码", "确认密码",
                 "不得擅自更改", "无券下单"):  # fmt: skip
        assert text in body
    # 注册 in the header leads here
    assert reverse("enterprises:register") in client.get("/").content.decode()


def test_register_creates_enterprise_admin_and_logs_in(client):
    code = send_code()
    r = client.post(reverse("enterprises:register"), form_data(code=code))
    assert r.status_code == 302 and r.url == reverse("enterprises:basic_info")
    user = User.objects.get(username="wujiang_new")
    assert user.phone == PHONE and user.phone_verified and user.role == "enterprise"
    assert user.check_password("Kx9#mq2Lpz")
    enterprise = Enterprise.objects.get(uscc=valid_uscc(9001))
    assert enterprise.division_id == "320509" and enterprise.region.code == "WJI"
    assert enterprise.licence.name.startswith("private/licences/")
    assert "licence" not in enterprise.licence.name.split("/")[-1]
    assert EnterpriseMember.objects.get(user=user).is_admin
    assert Message.objects.filter(recipient=user).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_non_pilot_region_may_register(client):
    code = send_code()
    r = client.post(
        reverse("enterprises:register"), form_data(code=code, province="310000", city="310100", district="310101")
    )
    assert r.status_code == 302
    assert Enterprise.objects.get(uscc=valid_uscc(9001)).region is None


def _errors(response) -> dict:
    return {name: [str(e) for e in errs] for name, errs in response.context["form"].errors.items()}


@pytest.mark.parametrize(
    "overrides,field,word",
    [
        ({"uscc": "91320509MA1X000100"}, "uscc", "校验位"),
        ({"uscc": "123"}, "uscc", "18位"),
        ({"id_number": "500101198401133397"}, "id_number", "校验位"),
        ({"phone": "+8613700001111"}, "phone", "+86"),
        ({"phone": "1370000111"}, "phone", "11位"),
        ({"username": "13700001112"}, "username", "纯数字"),
        ({"username": "ab"}, "username", "至少4个"),
        ({"password2": "other-pass-123"}, "password2", "不一致"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", ""),
        ({"district": ""}, "district", "区县"),
        ({"district": "310101"}, "district", ""),
        ({"city": "999999"}, "city", ""),
        ({"licence": image_upload("GIF", "x.gif")}, "licence", "JPG/JPEG/PNG/BMP"),
        ({"code": "12ab"}, "code", "6位数字"),
        ({"name": ""}, "name", ""),
    ],
)
def test_every_error_is_next_to_its_field_and_nothing_is_created(client, overrides, field, word):
    send_code()
    data = form_data(code="000000")
    data.update(overrides)
    r = client.post(reverse("enterprises:register"), data)
    assert r.status_code == 200
    errors = _errors(r)
    assert field in errors, errors
    assert word in " ".join(errors[field])
    assert not Enterprise.objects.filter(uscc=valid_uscc(9001)).exists()
    assert not User.objects.filter(username="wujiang_new").exists()
    body = r.content.decode()
    # What was typed stays (except passwords and files).
    if field != "name":
        assert "苏州吴江测试科技有限公司" in body
    assert "Kx9#mq2Lpz" not in body


def test_wrong_sms_code_is_refused_at_the_code_field(client):
    code = send_code()
    wrong = "000000" if code != "000000" else "111111"
    r = client.post(reverse("enterprises:register"), form_data(code=wrong))
    assert "验证码不正确" in " ".join(_errors(r)["code"])
    assert not User.objects.filter(username="wujiang_new").exists()
    # the right code still works afterwards
    r = client.post(reverse("enterprises:register"), form_data(code=code))
    assert r.status_code == 302


def test_bmp_and_jpeg_licences_are_accepted(client):
    code = send_code()
    r = client.post(reverse("enterprises:register"), form_data(code=code, licence=image_upload("BMP", "a.bmp")))
    assert r.status_code == 302
    enterprise = Enterprise.objects.get(uscc=valid_uscc(9001))
    with enterprise.licence.open("rb") as f:
        assert f.read(3) == b"\xff\xd8\xff"  # re-encoded


def test_licence_disguised_by_name_is_refused(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("licence.png", b"<?php echo 1; ?>" * 10, content_type="image/png")
    send_code()
    r = client.post(reverse("enterprises:register"), form_data(code="000000", licence=fake))
    assert "licence" in _errors(r)


def test_duplicates_are_refused(client, buyer_a):
    enterprise = buyer_a.enterprise_membership.enterprise
    send_code()
    r = client.post(
        reverse("enterprises:register"),
        form_data(code="000000", uscc=enterprise.uscc, username=buyer_a.username.upper()),
    )
    errors = _errors(r)
    assert "已注册" in errors["uscc"][0]
    assert "已被使用" in errors["username"][0]
    r = client.post(reverse("enterprises:register"), form_data(code="000000", phone=buyer_a.phone))
    assert "已注册" in _errors(r)["phone"][0]


def test_division_options_endpoint(client):
    r = client.get(reverse("enterprises:division_options"), {"level": "city", "province": "320000"})
    body = r.content.decode()
    assert "苏州市" in body and 'hx-swap-oob="true"' in body
    r = client.get(reverse("enterprises:division_options"), {"level": "district", "city": "320500"})
    assert "吴江区" in r.content.decode()
    for garbage in ({"level": "city", "province": "x' or 1=1"}, {"city": "abc"}, {}):
        assert client.get(reverse("enterprises:division_options"), garbage).status_code == 200


def test_logged_in_user_is_sent_to_the_buyer_center(client, buyer_a):
    client.force_login(buyer_a)
    assert client.get(reverse("enterprises:register")).status_code == 302


def test_empty_form_says_what_is_missing(client):
    r = client.post(reverse("enterprises:register"), {})
    errors = _errors(r)
    assert errors["uscc"] == ["请输入统一社会信用代码。"]
    assert errors["licence"] == ["请上传营业执照图片。"]
    assert errors["code"] == ["请输入短信验证码。"]
    assert "district" in errors


def test_licence_pixel_count_is_limited(client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buf, format="PNG")  # 81 megapixels in a few KB
    huge = SimpleUploadedFile("big.png", buf.getvalue(), content_type="image/png")
    send_code()
    r = client.post(reverse("enterprises:register"), form_data(code="000000", licence=huge))
    assert "尺寸过大" in " ".join(_errors(r)["licence"])


def test_licence_has_no_public_url(client):
    code = send_code()
    client.post(reverse("enterprises:register"), form_data(code=code))
    enterprise = Enterprise.objects.get(uscc=valid_uscc(9001))
    client.logout()
    for url in ("/media-not-public/" + enterprise.licence.name, "/media/" + enterprise.licence.name):
        assert client.get(url).status_code == 404
