"""Redemption in a real browser (manual §5.6): a 通用 application in 青浦区 with two orders
sharing one invoice and one 差价订单 on a second invoice, submitted, scored by an expert,
approved in admin, published on the 兑付公示 page, disbursed; a 快速兑付 in 马鞍山市.
Screenshots of the form, the dialogs and the 公示 page."""

import datetime

import pytest
from playwright.sync_api import expect

from orders import services as order_services
from orders.models import OrderStatus
from redemption import services
from redemption.models import Kind, RedemptionApplication, Status
from tests.browser_support import fits_the_screen, login, screenshot
from tests.redemption import conftest as rc
from tests.redemption.conftest import completed_order, png_bytes
from vouchers.selectors import ledger_differences

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.fixture
def qpu_buyer(live_db):
    return rc.enterprise_in("QPU", "310118", "qpu_buyer")


@pytest.fixture
def qpu_admin(live_db):
    from tests.factories import region_admin

    return region_admin("admin_qingpu", "QPU")


@pytest.fixture
def expert(live_db):
    return rc.make_expert("expert_a")


@pytest.fixture
def qpu_voucher(qpu_buyer):
    from enterprises.selectors import enterprise_for_user
    from tests.factories import make_voucher

    return make_voucher(enterprise_for_user(qpu_buyer), amount="10000.00")


@pytest.fixture
def qpu_item(seller, institution):
    from tests.factories import service_item

    return service_item(institution, name="电子检测", price="3000.00", regions=("QPU",))


@pytest.fixture
def mas_buyer(live_db):
    return rc.enterprise_in("MAS", "340500", "mas_buyer")


@pytest.fixture
def quick_parts(mas_buyer):
    from tests.factories import institution_factory, third_level_category

    return {
        "institution_id": institution_factory(name="马鞍山检测中心", region_code="340500").pk,
        "category_id": third_level_category().pk,
    }


def as_user(context, live_server, user):
    context.clear_cookies()
    login(context, live_server.url, user)


def _files(tmp_path):
    pdf = tmp_path / "服务合同.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% contract\n")
    png = tmp_path / "fapiao.png"
    png.write_bytes(png_bytes())
    return pdf, png


def _upload_attachment(page, pdf):
    page.locator("#attachments input[type=file]").set_input_files(str(pdf))
    page.locator("#attachments").get_by_role("button", name="点击上传").click()
    expect(page.get_by_test_id("attachment-list")).to_contain_text("服务合同.pdf")


def _settled(page):
    """htmx has swapped and processed the new content (its buttons work)."""
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping, .htmx-added")).to_have_count(0)


def _click_in_dialog(page, test_id):
    _settled(page)
    page.get_by_test_id(test_id).click()
    _settled(page)


def _new_invoice(page, png, code, number, amount):
    _click_in_dialog(page, "new-invoice")
    expect(page.locator("#dialog-body")).to_contain_text("上传发票")
    page.fill("#inv_code", code)
    page.fill("#inv_number", number)
    page.fill("#inv_issued_on", (datetime.date.today() - datetime.timedelta(days=3)).isoformat())
    page.fill("#inv_amount", amount)
    page.locator("#inv_image").set_input_files(str(png))
    page.fill("#inv_note", "增值税普通发票")


def _close_dialog(page):
    page.locator("#dialog .modal-footer").get_by_role("button", name="确定").click()
    expect(page.locator("#dialog")).to_be_hidden()


def test_general_application_from_form_to_disbursement(
    page, browser_context, live_server, qpu_buyer, qpu_admin, seller, expert, qpu_item, qpu_voucher, tmp_path
):
    first = completed_order(qpu_buyer, qpu_item, qpu_voucher, seller=seller, admin=qpu_admin)
    second = completed_order(qpu_buyer, qpu_item, qpu_voucher, seller=seller, admin=qpu_admin)
    difference = order_services.create_difference_order(first.pk, actor=qpu_buyer, amount="800.00")
    pdf, png = _files(tmp_path)
    page.on("dialog", lambda dialog: dialog.accept())

    as_user(browser_context, live_server, qpu_buyer)
    page.goto(f"{live_server.url}/redemption/")
    page.get_by_role("link", name="新增").click()
    page.locator("#id_voucher").select_option(str(qpu_voucher.pk))
    page.get_by_role("button", name="确定").click()
    expect(page.get_by_test_id("voucher-number")).to_have_text(qpu_voucher.number)
    _upload_attachment(page, pdf)
    page.fill("#id_effect", "检测报告帮助产品一次通过认证")  # typed before the dialogs: must survive them

    # 选择订单: the dialog lists the three orders; take them all.
    _click_in_dialog(page, "open-orders")
    expect(page.locator("#dialog")).to_be_visible()
    for order in (first, second, difference):
        expect(page.get_by_test_id(f"pick-{order.number}")).to_be_visible()
    screenshot(page, "redemption-orders-dialog")
    for order in (first, second, difference):
        page.get_by_test_id(f"pick-{order.number}").check()
    _click_in_dialog(page, "take-orders")
    expect(page.locator("#dialog")).to_be_hidden()
    expect(page.get_by_test_id("lines-table").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("service-total")).to_have_text("6800.00")
    expect(page.get_by_test_id("redeem-amount")).to_have_text("3400.00")

    # 发票 of the first order: 新增发票 of 6000 (shared with the second order).
    _click_in_dialog(page, f"invoice-{first.number}")
    expect(page.locator("#dialog-body")).to_contain_text("发票管理")
    _new_invoice(page, png, "031001900211", "10000001", "6000.00")
    screenshot(page, "redemption-invoice-upload-dialog")
    _click_in_dialog(page, "save-invoice")
    expect(page.get_by_test_id("line-invoice")).to_have_text("10000001")
    screenshot(page, "redemption-invoice-dialog")
    _close_dialog(page)

    # The second order shares it (rule ③: 3000 + 3000 ≤ 6000).
    _click_in_dialog(page, f"invoice-{second.number}")
    _click_in_dialog(page, "use-invoice-10000001")
    expect(page.get_by_test_id("line-invoice")).to_have_text("10000001")
    _close_dialog(page)

    # The 差价订单 may not share its original's invoice (rule ④), it gets a second one.
    _click_in_dialog(page, f"invoice-{difference.number}")
    _click_in_dialog(page, "use-invoice-10000001")
    expect(page.get_by_test_id("invoice-error")).to_contain_text("规则④")
    _new_invoice(page, png, "031001900211", "10000002", "800.00")
    _click_in_dialog(page, "save-invoice")
    expect(page.get_by_test_id("line-invoice")).to_have_text("10000002")
    _close_dialog(page)

    expect(page.locator("#id_effect")).to_have_value("检测报告帮助产品一次通过认证")
    page.fill("#id_innovation", "采用新型屏蔽结构")
    expect(page.locator("#id_innovation + .char-counter")).to_have_text("8/200")
    screenshot(page, "redemption-form")
    page.get_by_test_id("submit-application").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    application = RedemptionApplication.objects.get(kind=Kind.GENERAL)
    assert application.status == Status.EXPERT_REVIEW and str(application.redeem_amount) == "3400.00"
    assert "待专家评审" in page.locator("table tbody").inner_text()

    # The administrator assigns the expert; the expert scores on their page.
    services.assign_experts(application.pk, [expert.pk], actor=qpu_admin)
    as_user(browser_context, live_server, expert)
    page.goto(f"{live_server.url}/redemption/expert/")
    page.get_by_test_id(f"review-{application.pk}").click()
    expect(page.locator("body")).to_contain_text("10000002")
    page.fill("#id_score", "88")
    page.fill("#id_recommended_amount", "3000.00")
    page.fill("#id_opinion", "材料齐全，成效明显")
    page.locator("#id_no_conflict").check()
    screenshot(page, "redemption-expert-review")
    page.get_by_test_id("submit-review").click()
    expect(page.locator(".alert-success")).to_contain_text("评审意见已提交")

    # The administrator approves with a lower 核定金额 in admin.
    as_user(browser_context, live_server, qpu_admin)
    page.goto(f"{live_server.url}/admin/redemption/redemptionapplication/")
    page.locator(f"input[name=_selected_action][value='{application.pk}']").check()
    page.locator("select[name=action]").select_option("approve_action")
    page.locator("button[name=index]").click()
    page.fill("#id_amount", "3000.00")
    page.get_by_role("button", name="确定审核通过").click()
    expect(page.locator(".messagelist")).to_contain_text("已审核通过")

    # 公示: the public page shows it (no login needed).
    browser_context.clear_cookies()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="兑付公示").click()
    expect(page.get_by_test_id("notice-table")).to_contain_text(application.enterprise.name)
    expect(page.get_by_test_id("notice-table")).to_contain_text("3000.00")
    screenshot(page, "redemption-notices")

    # The period ends (beat task), the administrator records the 拨付.
    services.end_notice_periods(today=datetime.date.today() + datetime.timedelta(days=30))
    as_user(browser_context, live_server, qpu_admin)
    page.goto(f"{live_server.url}/admin/redemption/redemptionapplication/")
    page.locator(f"input[name=_selected_action][value='{application.pk}']").check()
    page.locator("select[name=action]").select_option("disburse_action")
    page.locator("button[name=index]").click()
    page.fill("#id_paid_on", datetime.date.today().isoformat())
    page.fill("#id_bank_reference", "ICBC-20261127-001")
    page.get_by_role("button", name="确定拨付").click()
    expect(page.locator(".messagelist")).to_contain_text("已登记拨付 1")
    application.refresh_from_db()
    assert application.status == Status.PAID
    first.refresh_from_db()
    assert first.status == OrderStatus.REDEEMED

    as_user(browser_context, live_server, qpu_buyer)
    page.goto(f"{live_server.url}/orders/")
    expect(page.locator("table tbody")).to_contain_text("已兑付")
    assert ledger_differences() == []


def test_quick_redemption_in_maanshan(page, browser_context, live_server, mas_buyer, quick_parts, tmp_path):
    from enterprises.selectors import enterprise_for_user
    from tests.factories import make_voucher

    voucher = make_voucher(enterprise_for_user(mas_buyer), amount="50000.00")
    pdf, png = _files(tmp_path)
    as_user(browser_context, live_server, mas_buyer)
    page.goto(f"{live_server.url}/redemption/quick/")
    page.get_by_role("link", name="新增").click()
    page.locator("#id_voucher").select_option(str(voucher.pk))
    page.locator("#id_institution").select_option(str(quick_parts["institution_id"]))
    page.locator("#id_category").select_option(str(quick_parts["category_id"]))
    page.get_by_role("button", name="确定").click()
    _upload_attachment(page, pdf)
    _click_in_dialog(page, "open-invoices")
    _new_invoice(page, png, "034001900311", "20000001", "4000.00")
    _click_in_dialog(page, "save-invoice")
    expect(page.locator("#dialog-body")).to_contain_text("20000001")
    _new_invoice(page, png, "034001900311", "20000002", "1000.00")
    _click_in_dialog(page, "save-invoice")
    expect(page.locator("#dialog-body")).to_contain_text("20000002")
    _close_dialog(page)
    expect(page.get_by_test_id("service-total")).to_have_text("5000.00")
    expect(page.get_by_test_id("redeem-amount")).to_have_text("2500.00")
    page.fill("#id_effect", "完成材料检测，产品良率提升")
    page.fill("#id_innovation", "新型复合材料")
    screenshot(page, "redemption-quick-form")
    page.get_by_test_id("submit-application").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    application = RedemptionApplication.objects.get(kind=Kind.QUICK)
    assert application.status == Status.EXPERT_REVIEW
    assert str(application.redeem_amount) == "2500.00"
    assert "待专家评审" in page.locator("table tbody").inner_text()
    fits_the_screen(page)
    assert ledger_differences() == []
