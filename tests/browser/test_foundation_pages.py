import pytest

from messaging.models import Message
from tests.browser_support import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_home_page_renders_in_chromium(page, live_server):
    page.goto(live_server.url + "/")
    assert page.locator(".brand").inner_text().endswith("长三角科技创新券通用通兑平台")
    assert page.get_by_test_id("apply-button").is_visible()
    assert page.get_by_test_id("quota-button").is_visible()
    # Bootstrap comes from the package through static files: the page is styled.
    color = page.eval_on_selector(".topbar", "el => getComputedStyle(el).backgroundColor")
    assert color == "rgb(8, 58, 115)"
    screenshot(page, "home")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "home-phone")


def test_inbox_in_chromium(page, browser_context, live_server, buyer_a):
    Message.objects.create(
        recipient=buyer_a,
        kind=Message.Kind.VOUCHER_APPLICATION,
        text="您申请的科技券(通用券: 2021QMAS0A9SE8CC)已经审核通过, 请查看结果!!",
    )
    login(browser_context, live_server.url, buyer_a)
    page.goto(live_server.url + "/messages/")
    assert page.get_by_test_id("unread-count").inner_text() == "1"
    row = page.locator("table tbody tr").first
    assert "科技券申请" in row.inner_text() and "未读" in row.inner_text()
    screenshot(page, "inbox")
    row.get_by_role("link", name="查看").click()
    assert "2021QMAS0A9SE8CC" in page.content()
    page.goto(live_server.url + "/messages/")
    assert "已读" in page.locator("table tbody tr").first.inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("table tbody tr").first.get_by_role("button", name="删除").click()
    page.wait_for_load_state()
    assert "暂无数据" in page.locator("table tbody").inner_text()


def test_buyer_pages_on_a_phone(page, browser_context, live_server, buyer_a):
    """At 390 px the page's own content comes before the 买家中心 menu, and the top bar's
    links stay whole (no "站内" / "信" split)."""
    login(browser_context, live_server.url, buyer_a)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/messages/")
    title = page.locator("h1.page-title").bounding_box()
    menu = page.locator(".center-menu").bounding_box()
    assert title["y"] < menu["y"]
    line = page.locator(".topbar nav a", has_text="站内信").bounding_box()
    assert line["height"] < 30  # one line of small text
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    screenshot(page, "inbox-phone")
