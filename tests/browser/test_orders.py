"""Orders in a real browser: a 吴江区 enterprise orders a 通兑 service, the seller 接单, the
administrator 确认额度 in admin, the seller 申请兑付, the enterprise 同意兑付 and 评价; a 无券
order is cancelled while 待接单. Screenshots of the order list and page for each role."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from enterprises.selectors import enterprise_for_user
from orders.models import Order, OrderStatus
from tests.browser_support import login, screenshot
from tests.factories import make_voucher, service_item
from vouchers.selectors import ledger_differences

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.fixture(autouse=True)
def _orders_only_hooks(settings):
    settings.ORDER_TONGDUI_AGREED_HOOKS = []


def as_user(context, live_server, user):
    context.clear_cookies()
    login(context, live_server.url, user)


def test_tongdui_order_from_order_to_review(
    page, browser_context, live_server, buyer_a, seller, wujiang_admin, tmp_path
):
    item = service_item(seller.institution_staff.institution, price="6000.00", regions=("WJI",))
    voucher = make_voucher(enterprise_for_user(buyer_a), amount="10000.00")
    page.on("dialog", lambda dialog: dialog.accept())

    # The enterprise orders from the service page.
    as_user(browser_context, live_server, buyer_a)
    page.goto(f"{live_server.url}/catalog/items/{item.pk}/")
    page.get_by_test_id("order-button").click()
    page.get_by_test_id("voucher-select").select_option(str(voucher.pk))
    assert "3000.00" in page.get_by_test_id("price-split").inner_text()
    page.fill("#id_quantity", "3")  # 18000 × 50 % = 9000 on the voucher (static/js/orders.js)
    assert page.get_by_test_id("price-split").locator("tbody td").all_inner_texts()[1:] == [
        "18000.00",
        "9000.00",
        "9000.00",
    ]
    page.fill("#id_quantity", "1")
    page.get_by_test_id("order-submit").click()
    expect(page.locator(".tongdui-fields")).to_contain_text("请填写项目信息")  # the 通兑 needs are required
    page.get_by_test_id("voucher-select").select_option(str(voucher.pk))
    page.fill("#id_project_info", "新能源汽车控制器研发")
    page.fill("#id_contact_info", "张三 13912345678")
    page.fill("#id_basic_situation", "汽车电子研发企业")
    page.fill("#id_demand", "EMC 摸底测试")
    page.fill("#id_expected_results", "通过EMC认证")
    screenshot(page, "order-create-tongdui")
    page.get_by_test_id("order-submit").click()
    expect(page.get_by_test_id("order-placed")).to_be_visible()
    order = Order.objects.get()
    page.get_by_test_id("view-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("待接单")

    # The seller accepts.
    as_user(browser_context, live_server, seller)
    page.goto(f"{live_server.url}/orders/seller/")
    assert order.number in page.get_by_test_id("order-table").inner_text()
    screenshot(page, "order-list-seller")  # also checks that the table fits the screen
    page.locator(f'tr[data-order="{order.number}"]').get_by_role("link", name="查看").click()
    page.get_by_test_id("accept-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("待额度确认")

    # The administrator confirms the quota in admin.
    as_user(browser_context, live_server, wujiang_admin)
    page.goto(f"{live_server.url}/admin/orders/order/")
    assert order.number in page.content()
    screenshot(page, "order-list-admin")
    page.locator("#result_list").get_by_role("link", name="额度确认").click()
    assert page.locator("#share-to-hold").inner_text() == "3000.00"
    screenshot(page, "order-page-admin")
    page.locator('input[name="_confirm"]').click()
    expect(page.locator("body")).to_contain_text("已确认额度")

    # The seller applies for redemption with the proof and the invoice.
    proof = tmp_path / "检测报告.pdf"
    proof.write_bytes(b"%PDF-1.4\n% test report\n")
    invoice = tmp_path / "invoice.png"
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buf, format="PNG")
    invoice.write_bytes(buf.getvalue())
    as_user(browser_context, live_server, seller)
    page.goto(f"{live_server.url}/orders/seller/{order.pk}/")
    expect(page.get_by_test_id("order-status")).to_have_text("服务中")
    page.fill("#id_redeem-amount", "3000.00")
    page.set_input_files("#id_redeem-proof", str(proof))
    page.set_input_files("#id_redeem-invoice", str(invoice))
    page.get_by_test_id("request-redemption").click()
    expect(page.get_by_test_id("order-status")).to_have_text("申请兑付待买家确认")
    screenshot(page, "order-page-seller")

    # The enterprise agrees from its list and reviews.
    as_user(browser_context, live_server, buyer_a)
    page.goto(f"{live_server.url}/orders/")
    row = page.locator(f'tr[data-order="{order.number}"]')
    assert "申请兑付待买家确认" in row.inner_text()
    screenshot(page, "order-list-buyer")
    row.get_by_role("button", name="同意兑付").click()
    expect(page.locator(".messages")).to_contain_text("已同意兑付")
    row = page.locator(f'tr[data-order="{order.number}"]')
    expect(row.get_by_test_id("order-status")).to_have_text("已完成")
    row.get_by_role("link", name="评价").click()
    page.select_option("#id_review-rating", "5")
    page.fill("#id_review-comment", "服务专业，报告及时。")
    page.get_by_test_id("review-submit").click()
    expect(page.get_by_test_id("order-review")).to_contain_text("5分")
    history = page.get_by_test_id("order-history").inner_text()
    for word in ("下单", "接单", "确认额度", "申请兑付", "同意兑付", "评价"):
        assert word in history
    screenshot(page, "order-page-buyer")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert ledger_differences() == []
    # The review shows on the service page.
    page.goto(f"{live_server.url}/catalog/items/{item.pk}/")
    assert "平均 5.0 分" in page.get_by_test_id("reviews").inner_text()


def test_wuquan_order_cancelled_while_waiting(page, browser_context, live_server, buyer_a, seller):
    item = service_item(seller.institution_staff.institution, name="风洞试验", price="800.00", regions=("JSN",))
    page.on("dialog", lambda dialog: dialog.accept())
    as_user(browser_context, live_server, buyer_a)
    page.goto(f"{live_server.url}/orders/create/{item.pk}/")
    assert "不支持" in page.get_by_test_id("order-blocker").inner_text()  # 吴江区 is not among the tags
    page.get_by_test_id("order-submit").click()
    page.get_by_test_id("view-order").click()
    order = Order.objects.get()
    assert order.mode == "wuquan"
    page.goto(f"{live_server.url}/orders/")
    row = page.locator(f'tr[data-order="{order.number}"]')
    assert "无券" in row.inner_text() and "待接单" in row.inner_text()
    row.get_by_role("button", name="取消订单").click()
    expect(page.locator(".messages")).to_contain_text("已取消")
    expect(page.locator(f'tr[data-order="{order.number}"]').get_by_test_id("order-status")).to_have_text("已取消")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
