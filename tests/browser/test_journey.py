"""Issue 8 acceptance: the whole journey across roles in Chromium, in order.

A 吴江区 enterprise registers (法人单位注册 with the SMS code), completes 基本信息 and applies
for a voucher; the 吴江区 administrator approves it from the admin work queue; the
enterprise orders a 通兑 service from an institution in 上海市 (another province); the
seller 接单; the administrator 确认额度; the seller 申请兑付; the buyer 同意兑付 (the claim is
created); the administrator assigns an expert, who scores; the administrator approves with
核定金额; the claim is on the public 兑付公示 page; after the 公示期 (the test moves the clock
by running the scheduled task with a later date) the administrator records 拨付; the
统计分析 page shows the flow from 吴江区 to 上海市. A screenshot of each step
(var/screenshots/journey-*.png), and the audit trail holds every decision."""

import datetime
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.models import AuditEntry, User
from enterprises.models import Enterprise
from orders.models import Order, OrderStatus
from redemption import services as redemption_services
from redemption.models import RedemptionApplication, Status
from tests.browser_support import login, screenshot
from tests.factories import institution_factory, make_programme, service_item, valid_id_number, valid_uscc
from tests.redemption.conftest import make_expert
from vouchers.models import Voucher
from vouchers.selectors import ledger_differences

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]

PHONE = "13766668888"
PASSWORD = "Jr!2026flow"
USCC = valid_uscc(8808)


@pytest.fixture
def institution(live_db):
    """The seller's institution is in 上海市青浦区: the order crosses a provincial border."""
    return institution_factory(name="上海青浦精测技术有限公司", region_code="310118")


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), (20, 90, 160)).save(buf, format="PNG")
    return buf.getvalue()


def as_user(context, live_server, user):
    context.clear_cookies()
    login(context, live_server.url, user)


def _sms_code(context, base: str) -> str:
    dev = context.new_page()
    dev.goto(base + "/account/dev/sms/")
    text = dev.locator(f"tr[data-phone='{PHONE}'] .sms-body").first.inner_text()
    dev.close()
    return re.search(r"验证码为(\d{6})", text).group(1)


def _queue_link(page, live_server, label: str):
    """Open the admin home (the work queue) and follow one of its numbers."""
    page.goto(live_server.url + "/admin/")
    link = page.locator(f'a[data-queue="{label}"]')
    expect(link).to_be_visible()
    count = int(link.inner_text())
    link.click()
    page.wait_for_load_state()
    return count


def _run_action(page, application_pk: int, action: str):
    page.locator(f"input[name=_selected_action][value='{application_pk}']").check()
    page.locator("select[name=action]").select_option(action)
    page.locator("button[name=index]").click()
    page.wait_for_load_state()


def test_whole_journey(page, browser_context, live_server, settings, seller, wujiang_admin, tmp_path):
    settings.DEBUG = True  # the development SMS page shows the code
    base = live_server.url
    programme = make_programme("WJI", max_amount="300000.00")
    item = service_item(seller.institution_staff.institution, name="汽车电子EMC检测", price="6000.00", regions=("WJI",))
    expert = make_expert("expert_journey")
    page.on("dialog", lambda dialog: dialog.accept())

    # 1. A 吴江区 enterprise registers (法人单位注册).
    page.goto(base + "/")
    page.get_by_role("link", name="注册", exact=True).click()
    page.wait_for_url("**/enterprise/register/")
    page.fill("#id_uscc", USCC)
    page.fill("#id_name", "苏州吴江全流程科技有限公司")
    page.set_input_files("#id_licence", {"name": "营业执照.png", "mimeType": "image/png", "buffer": _png()})
    page.select_option("#id_province", "320000")
    page.wait_for_selector("#id_city option[value='320500']", state="attached")
    page.select_option("#id_city", "320500")
    page.wait_for_selector("#id_district option[value='320509']", state="attached")
    page.select_option("#id_district", "320509")
    page.fill("#id_username", "wujiang_journey")
    page.fill("#id_real_name", "沈全程")
    page.fill("#id_id_number", valid_id_number(88))
    page.fill("#id_phone", PHONE)
    page.get_by_test_id("send-code").click()
    page.wait_for_selector("[data-testid=sms-status]")
    page.fill("#id_code", _sms_code(browser_context, base))
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    screenshot(page, "journey-01-register")
    page.get_by_role("button", name="注册", exact=True).click()
    page.wait_for_url("**/enterprise/basic-info/")
    enterprise = Enterprise.objects.get(uscc=USCC)
    assert enterprise.region.name == "吴江区"
    buyer = User.objects.get(username="wujiang_journey")

    # 2. 基本信息.
    page.fill("#id_legal_representative", "沈全程")
    page.fill("#id_established_on", "2016-05-20")
    page.fill("#id_registered_capital", "2000")
    page.fill("#id_industry", "汽车零部件及配件制造")
    page.fill("#id_employees", "120")
    page.fill("#id_rd_staff", "30")
    page.fill("#id_last_year_revenue", "8000")
    page.fill("#id_last_year_rd_spend", "600")
    page.fill("#id_contact_person", "沈全程")
    page.fill("#id_contact_phone", "0512-63005678")
    page.fill("#id_address", "苏州市吴江区中山北路8号")
    page.fill("#id_introduction", "汽车电子控制器研发与制造。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("completeness")).to_have_text("100%")
    screenshot(page, "journey-02-basic-info")

    # 3. 我要申领.
    page.goto(base + "/")
    page.get_by_test_id("apply-button").click()
    page.get_by_label(programme.title, exact=False).check()
    page.get_by_label("申请金额(元)").fill("200000")
    page.get_by_label("拟购买服务").fill("委托检测机构开展汽车电子EMC检测")
    page.get_by_label("预期成效").fill("产品通过EMC认证")
    page.get_by_label("本单位承诺", exact=False).check()
    screenshot(page, "journey-03-apply")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_test_id("application-status")).to_have_text("待审核")

    # 4. The 吴江区 administrator approves it, starting from the work queue.
    as_user(browser_context, live_server, wujiang_admin)
    page.goto(base + "/admin/")
    screenshot(page, "journey-04-admin-work-queue")
    assert _queue_link(page, live_server, "创新券申请待审核") == 1
    page.get_by_role("link", name="审核").first.click()
    page.get_by_label("核定金额(元)").fill("150000")
    page.get_by_role("button", name="提交审核结果").click()
    expect(page.locator(".messagelist")).to_contain_text("已审核通过")
    screenshot(page, "journey-04-voucher-approved")
    voucher = Voucher.objects.get(enterprise=enterprise)

    # 5. The enterprise orders a 通兑 service from the 上海 institution.
    as_user(browser_context, live_server, buyer)
    page.goto(f"{base}/catalog/items/{item.pk}/")
    page.get_by_test_id("order-button").click()
    page.get_by_test_id("voucher-select").select_option(str(voucher.pk))
    page.fill("#id_project_info", "新能源汽车控制器研发")
    page.fill("#id_contact_info", "沈全程 0512-63005678")
    page.fill("#id_basic_situation", "汽车电子研发企业")
    page.fill("#id_demand", "EMC 摸底测试")
    page.fill("#id_expected_results", "通过EMC认证")
    screenshot(page, "journey-05-order")
    page.get_by_test_id("order-submit").click()
    expect(page.get_by_test_id("order-placed")).to_be_visible()
    order = Order.objects.get(enterprise=enterprise)
    assert order.mode == "tongdui" and order.institution.province_code == "310000"

    # 6. The seller 接单.
    as_user(browser_context, live_server, seller)
    page.goto(f"{base}/orders/seller/")
    page.locator(f'tr[data-order="{order.number}"]').get_by_role("link", name="查看").click()
    page.get_by_test_id("accept-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("待额度确认")
    screenshot(page, "journey-06-seller-accepted")

    # 7. The administrator 确认额度 from the work queue.
    as_user(browser_context, live_server, wujiang_admin)
    assert _queue_link(page, live_server, "订单待额度确认") == 1
    page.locator("#result_list").get_by_role("link", name="额度确认").click()
    expect(page.locator("#share-to-hold")).to_have_text("3000.00")
    page.locator('input[name="_confirm"]').click()
    expect(page.locator(".messagelist")).to_contain_text("已确认额度")
    screenshot(page, "journey-07-quota-confirmed")

    # 8. The seller 申请兑付 with the proof and the invoice.
    proof = tmp_path / "检测报告.pdf"
    proof.write_bytes(b"%PDF-1.4\n% EMC test report\n")
    invoice = tmp_path / "invoice.png"
    invoice.write_bytes(_png())
    as_user(browser_context, live_server, seller)
    page.goto(f"{base}/orders/seller/{order.pk}/")
    page.fill("#id_redeem-amount", "3000.00")
    page.set_input_files("#id_redeem-proof", str(proof))
    page.set_input_files("#id_redeem-invoice", str(invoice))
    page.get_by_test_id("request-redemption").click()
    expect(page.get_by_test_id("order-status")).to_have_text("申请兑付待买家确认")
    screenshot(page, "journey-08-seller-requests-redemption")

    # 9. The buyer 同意兑付: the institution's claim is created and submitted.
    as_user(browser_context, live_server, buyer)
    page.goto(f"{base}/orders/")
    page.locator(f'tr[data-order="{order.number}"]').get_by_role("button", name="同意兑付").click()
    page.wait_for_load_state()
    expect(page.locator(f'tr[data-order="{order.number}"]').get_by_test_id("order-status")).to_have_text("已完成")
    screenshot(page, "journey-09-buyer-agrees")
    claim = RedemptionApplication.objects.get(enterprise=enterprise)
    assert claim.status == Status.EXPERT_REVIEW

    # 10. The administrator assigns an expert (work queue), the expert scores.
    as_user(browser_context, live_server, wujiang_admin)
    assert _queue_link(page, live_server, "兑付申请待指派专家") == 1
    _run_action(page, claim.pk, "assign_experts_action")
    page.get_by_label("expert_journey", exact=False).check()
    page.get_by_role("button", name="确定指派专家").click()
    expect(page.locator(".messagelist")).to_contain_text("已指派专家")
    as_user(browser_context, live_server, expert)
    page.goto(f"{base}/redemption/expert/")
    page.get_by_test_id(f"review-{claim.pk}").click()
    page.fill("#id_score", "90")
    page.fill("#id_recommended_amount", "2800.00")
    page.fill("#id_opinion", "检测报告完整，成效明显")
    page.locator("#id_no_conflict").check()
    screenshot(page, "journey-10-expert-scores")
    page.get_by_test_id("submit-review").click()
    expect(page.locator(".alert-success")).to_contain_text("评审意见已提交")
    claim.refresh_from_db()
    assert claim.status == Status.REGION_REVIEW

    # 11. The administrator approves with 核定金额.
    as_user(browser_context, live_server, wujiang_admin)
    assert _queue_link(page, live_server, "兑付申请待区域审核") == 1
    _run_action(page, claim.pk, "approve_action")
    page.fill("#id_amount", "2800.00")
    screenshot(page, "journey-11-approve")
    page.get_by_role("button", name="确定审核通过").click()
    expect(page.locator(".messagelist")).to_contain_text("已审核通过")

    # 12. The claim is on the public 兑付公示 page.
    browser_context.clear_cookies()
    page.goto(base + "/")
    page.get_by_role("link", name="兑付公示").click()
    expect(page.get_by_test_id("notice-table")).to_contain_text("2800.00")
    screenshot(page, "journey-12-public-notice")

    # 13. After the 公示期 (the clock moves: the scheduled task runs with a later date) the
    # administrator records 拨付.
    redemption_services.end_notice_periods(today=datetime.date.today() + datetime.timedelta(days=30))
    as_user(browser_context, live_server, wujiang_admin)
    assert _queue_link(page, live_server, "待拨付") == 1
    _run_action(page, claim.pk, "disburse_action")
    page.fill("#id_paid_on", datetime.date.today().isoformat())
    page.fill("#id_bank_reference", "BOC-JOURNEY-0001")
    screenshot(page, "journey-13-disburse")
    page.get_by_role("button", name="确定拨付").click()
    expect(page.locator(".messagelist")).to_contain_text("已登记拨付 1")
    claim.refresh_from_db()
    assert claim.status == Status.PAID

    # 14. 统计分析 shows the flow 吴江区 → 上海市.
    page.goto(base + "/admin/statistics/")
    flows = page.locator("#stat-flows table")
    expect(flows).to_contain_text("上海市")
    row = flows.locator("tbody tr", has_text="吴江区")
    expect(row).to_contain_text("6000.00")
    screenshot(page, "journey-14-statistics")

    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert ledger_differences() == []
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    for expected in (
        "voucher_application.submit",
        "voucher_application.approve",
        "voucher_ledger.issue",
        "voucher_ledger.hold",
        "voucher_ledger.consume",
        "redemption.submit",
        "redemption.scored",
        "redemption.approve",
        "redemption.notice_end",
        "redemption.disburse",
    ):
        assert expected in actions, expected
    approve = AuditEntry.objects.get(action="voucher_application.approve")
    assert approve.actor == wujiang_admin and approve.ip == "127.0.0.1"
    core = AuditEntry.objects.get(action="redemption.approve")
    assert core.actor == wujiang_admin and core.after["approved_amount"] == "2800.00"
