"""创新券申领 end to end in Chromium: a 吴江区 enterprise applies from 我要申领, the 吴江区
administrator approves in admin, the enterprise sees the 站内信 and the voucher in 额度查询."""

import pytest

from enterprises.selectors import enterprise_for_user
from tests.browser_support import login, screenshot
from tests.factories import make_programme
from tests.vouchers.conftest import complete_basic_info
from vouchers.models import Voucher

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_apply_approve_and_see_the_voucher(
    page, browser_context, _playwright_browser, live_server, buyer_a, wujiang_admin
):
    complete_basic_info(enterprise_for_user(buyer_a))
    programme = make_programme("WJI", max_amount="300000.00")

    # The enterprise: 我要申领 on the home page → the form.
    login(browser_context, live_server.url, buyer_a)
    page.goto(live_server.url + "/")
    page.get_by_test_id("apply-button").click()
    assert "我要申领" in page.locator("h1").inner_text()
    page.get_by_label(programme.title, exact=False).check()
    page.get_by_label("申请金额(元)").fill("200000")
    page.get_by_label("拟购买服务").fill("委托第三方检测机构开展产品电磁兼容检测")
    page.get_by_label("预期成效").fill("产品通过认证并上市销售")
    screenshot(page, "vouchers-apply-form")
    page.get_by_label("本单位承诺", exact=False).check()
    page.get_by_role("button", name="提交申请").click()
    assert page.get_by_test_id("application-status").inner_text() == "待审核"
    page.goto(live_server.url + "/vouchers/applications/")
    assert "待审核" in page.locator("table tbody tr").first.inner_text()
    screenshot(page, "vouchers-application-list")

    # The 吴江区 administrator approves in admin.
    admin_context = _playwright_browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    try:
        login(admin_context, live_server.url, wujiang_admin)
        admin_page = admin_context.new_page()
        admin_page.goto(live_server.url + "/admin/vouchers/voucherapplication/")
        admin_page.get_by_role("link", name="审核").first.click()
        admin_page.get_by_label("核定金额(元)").fill("150000")
        screenshot(admin_page, "vouchers-admin-review")
        admin_page.get_by_role("button", name="提交审核结果").click()
        assert "已审核通过" in admin_page.locator(".messagelist").inner_text()
        screenshot(admin_page, "vouchers-admin-approved")
    finally:
        admin_context.close()

    voucher = Voucher.objects.get()
    # The enterprise sees the 站内信 and the voucher in 额度查询.
    page.goto(live_server.url + "/messages/")
    row = page.locator("table tbody tr").first
    assert "科技券申请" in row.inner_text()
    assert f"您申请的科技券(通兑券: {voucher.number})已经审核通过, 请查看结果!!" in row.inner_text()
    screenshot(page, "vouchers-inbox")
    page.goto(live_server.url + "/")
    page.get_by_test_id("quota-button").click()
    row = page.locator("table tbody tr").first
    text = row.inner_text()
    assert voucher.number in text and "通兑券" in text and "150000.00" in text and "有效" in text
    screenshot(page, "vouchers-quota")
    row.get_by_role("link", name="查看").click()
    assert page.get_by_test_id("voucher-number").inner_text() == voucher.number
    assert "发放" in page.locator("table").inner_text()
    screenshot(page, "vouchers-detail")
    page.goto(live_server.url + "/buyer/")
    assert "150000.00" in page.get_by_test_id("voucher-summary").inner_text()
    screenshot(page, "vouchers-buyer-home")
