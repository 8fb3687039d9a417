"""Acceptance in Chromium: 法人单位注册 in 吴江区 with the SMS code from the development
backend, logout, login, 基本信息, 个人信息, 密码修改, login with the new password; the
licence is private to its enterprise; the external login against the local provider."""

import io
import re

import pytest
from PIL import Image

from accounts.models import User
from enterprises.models import Enterprise
from tests.accounts.oidc_provider import oidc_provider  # noqa: F401
from tests.browser_support import login, screenshot
from tests.factories import valid_id_number, valid_uscc

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

PHONE = "13788889999"
PASSWORD = "Wj!2026reg"
NEW_PASSWORD = "Nw@2026chg"


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), (20, 90, 160)).save(buf, format="PNG")
    return buf.getvalue()


def _code_from_dev_page(context, base: str, phone: str) -> str:
    dev = context.new_page()
    dev.goto(base + "/account/dev/sms/")
    text = dev.locator(f"tr[data-phone='{phone}'] .sms-body").first.inner_text()
    screenshot(dev, "accounts-dev-sms")
    dev.close()
    return re.search(r"验证码为(\d{6})", text).group(1)


def _log_in(page, base, username, password):
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()


def test_register_login_basic_info_profile_password(page, browser_context, live_server, settings, buyer_b):
    settings.DEBUG = True  # the development SMS page
    base = live_server.url
    page.goto(base + "/")
    page.get_by_role("link", name="注册", exact=True).click()
    page.wait_for_url("**/enterprise/register/")
    assert page.get_by_test_id("division-warning").is_visible()

    page.fill("#id_uscc", valid_uscc(8080))
    page.fill("#id_name", "苏州吴江浏览器测试科技有限公司")
    page.set_input_files("#id_licence", {"name": "营业执照.png", "mimeType": "image/png", "buffer": _png()})
    page.select_option("#id_province", "320000")
    page.wait_for_selector("#id_city option[value='320500']", state="attached")
    page.select_option("#id_city", "320500")
    page.wait_for_selector("#id_district option[value='320509']", state="attached")
    page.select_option("#id_district", "320509")
    page.fill("#id_username", "wujiang_browser")
    page.fill("#id_real_name", "吴江测")
    page.fill("#id_id_number", valid_id_number(21))
    page.fill("#id_phone", PHONE)
    page.get_by_test_id("send-code").click()
    page.wait_for_selector("[data-testid=sms-status]")
    assert "验证码已发送" in page.get_by_test_id("sms-status").inner_text()
    page.fill("#id_code", _code_from_dev_page(browser_context, base, PHONE))
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    screenshot(page, "accounts-register")
    page.get_by_role("button", name="注册", exact=True).click()
    page.wait_for_url("**/enterprise/basic-info/")
    enterprise = Enterprise.objects.get(uscc=valid_uscc(8080))
    assert enterprise.region.name == "吴江区"

    # log out, log in again
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()
    page.goto(base + "/accounts/login/")
    screenshot(page, "accounts-login")
    _log_in(page, base, "wujiang_browser", PASSWORD)
    assert "您好" in page.content()

    # 基本信息
    page.goto(base + "/enterprise/basic-info/")
    page.fill("#id_legal_representative", "吴江测")
    page.fill("#id_established_on", "2018-03-15")
    page.fill("#id_registered_capital", "1000")
    page.fill("#id_industry", "专用设备制造业")
    page.fill("#id_employees", "80")
    page.fill("#id_rd_staff", "20")
    page.fill("#id_last_year_revenue", "5000")
    page.fill("#id_last_year_rd_spend", "400")
    page.check("#id_is_tech_sme")
    page.fill("#id_tech_sme_no", "202132050900123")
    page.fill("#id_contact_person", "吴江测")
    page.fill("#id_contact_phone", "0512-63001234")
    page.fill("#id_address", "苏州市吴江区开平路1号")
    page.fill("#id_introduction", "专注于精密检测设备研发。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("completeness").inner_text() == "100%"
    screenshot(page, "accounts-basic-info")

    # the licence opens for its own enterprise
    licence_url = page.get_by_test_id("licence-link").get_attribute("href")
    response = page.request.get(base + licence_url)
    assert response.status == 200 and response.headers["content-type"] == "image/png"

    # 个人信息
    page.get_by_role("link", name="个人信息").click()
    page.fill("#id_email", "wj@example.com")
    page.select_option("#id_ethnicity", "汉族")
    page.select_option("#id_education", "bachelor")
    page.fill("#id_address", "苏州市吴江区")
    page.fill("#id_postcode", "215200")
    page.select_option("#id_home_region", "吴江区")
    page.get_by_test_id("profile-form").get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert "个人信息已保存" in page.content()
    masked = page.get_by_test_id("masked-id").inner_text()
    assert re.fullmatch(r"3205\*{10}\d{3}[\dX]", masked)
    screenshot(page, "accounts-profile")

    # 密码修改
    page.get_by_role("link", name="密码修改").click()
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_test_id("password-form").get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert "密码已修改" in page.content()
    screenshot(page, "accounts-password")
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()
    _log_in(page, base, "wujiang_browser", PASSWORD)
    assert page.get_by_test_id("login-error").is_visible()
    _log_in(page, base, PHONE, NEW_PASSWORD)  # by mobile number this time
    assert "您好" in page.content()

    # a second enterprise cannot open the first one's licence
    other = browser_context.browser.new_context()
    login(other, base, buyer_b)
    other_page = other.new_page()
    response = other_page.goto(base + licence_url)
    assert response.status == 404
    other.close()


def test_operator_management_and_join_pages(page, browser_context, live_server, buyer_a):
    login(browser_context, live_server.url, buyer_a)
    page.goto(live_server.url + "/enterprise/members/")
    page.fill("#id_username", "operator_b")
    page.fill("#id_real_name", "操作员乙")
    page.fill("#id_phone", "13544445555")
    page.fill("#id_password1", "Op@2026pass")
    page.fill("#id_password2", "Op@2026pass")
    page.get_by_test_id("operator-form").get_by_role("button", name="新增").click()
    page.wait_for_load_state()
    assert page.locator("tr[data-username='operator_b']").is_visible()
    screenshot(page, "accounts-members")
    page.goto(live_server.url + "/enterprise/join/")
    screenshot(page, "accounts-join")
    assert User.objects.get(username="operator_b").enterprise_membership.enterprise_id == (
        buyer_a.enterprise_membership.enterprise_id
    )


def test_external_login_button_in_chromium(page, live_server, settings, oidc_provider):  # noqa: F811
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"APPS": [oidc_provider.app_settings("shkjq", "上海科技券平台")]}
    }
    oidc_provider.next_claims = {"sub": "qp-browser", "name": "陆浏览", "phone_number": "13699990000",
                                 "phone_number_verified": True}  # fmt: skip
    page.goto(live_server.url + "/accounts/login/")
    assert not page.get_by_text("浙江科技大脑用户登录").count()
    screenshot(page, "accounts-login-external")
    page.get_by_role("button", name="上海科技券平台用户登录").click()
    page.wait_for_url("**/enterprise/register/complete/")
    assert "完善企业信息" in page.content()
    screenshot(page, "accounts-external-complete")
