"""Acceptance in Chromium (issue 4): search 检测 from the home page, open an item, 收藏 it,
see it in 项目收藏列表, open the shop and 收藏 the institution; a seller creates an item in
卖家中心 and finds it by search."""

import pytest

from tests.browser_support import login, screenshot
from tests.factories import instrument, service_item

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def test_buyer_searches_and_collects(page, browser_context, live_server, buyer_a, institution):
    item = service_item(institution, name="汽车电子EMC检测服务", regions=("WJI", "JSN"))
    service_item(institution, name="专利价值评估", description="专利评估")
    instrument(institution, name="3 米法电波暗室")
    login(browser_context, live_server.url, buyer_a)

    page.goto(live_server.url + "/")
    assert page.get_by_test_id("home-catalog").is_visible()
    page.locator(".hero-search input[name=q]").fill("检测")
    page.locator(".hero-search button[type=submit]").click()
    page.wait_for_url("**/catalog/search/**")
    cards = page.get_by_test_id("item-card")
    # Both items match: the institution's name (苏州恒通检测有限公司) is searched too.
    assert cards.count() == 2
    assert "共 2 个服务项目" in page.get_by_test_id("result-count").inner_text()
    assert "汽车电子EMC检测服务" in cards.first.inner_text()  # the name match ranks first
    screenshot(page, "catalog-search")

    cards.first.get_by_role("link", name="汽车电子EMC检测服务").first.click()
    page.wait_for_url(f"**/catalog/items/{item.pk}/")
    assert "吴江区" in page.get_by_test_id("region-tags").inner_text()
    button = page.get_by_test_id("favorite-button")
    assert button.inner_text().strip() == "☆ 收藏"
    url_before = page.url
    button.click()
    page.get_by_text("★ 已收藏").wait_for()
    assert page.url == url_before  # htmx: no page reload
    screenshot(page, "catalog-item")

    page.get_by_role("link", name="买家中心").click()
    page.get_by_role("link", name="项目收藏列表").click()
    row = page.get_by_test_id("favorite-row").first
    assert "汽车电子EMC检测服务" in row.inner_text()
    screenshot(page, "favorites-items")
    row.get_by_role("link", name="汽车电子EMC检测服务").click()
    page.wait_for_url(f"**/catalog/items/{item.pk}/")

    page.get_by_test_id("institution-card").get_by_role("link", name="进入店铺").click()
    assert page.get_by_test_id("shop-name").inner_text() == institution.name
    page.get_by_test_id("favorite-button").click()
    page.get_by_text("★ 已收藏").wait_for()
    screenshot(page, "catalog-shop")
    page.goto(live_server.url + "/favorites/institutions/")
    assert institution.name in page.locator("table tbody").inner_text()


def test_seller_creates_an_item_and_finds_it(page, browser_context, live_server, seller, institution):
    login(browser_context, live_server.url, seller)
    page.goto(live_server.url + "/catalog/search/")
    page.get_by_role("link", name="卖家中心").click()
    assert institution.name in page.get_by_test_id("seller-institution").inner_text()
    page.get_by_role("navigation", name="卖家中心菜单").get_by_role("link", name="服务项目").click()
    page.get_by_test_id("new-item").click()
    page.get_by_label("项目名称").fill("毫米波雷达 EMC 摸底测试")
    page.get_by_label("服务类别").select_option(label="检验检测 > 汽车电子 > EMC 测试")
    page.get_by_label("一口价").check()
    page.get_by_label("价格(元)").fill("12000")
    page.get_by_label("服务周期").fill("10个工作日")
    page.get_by_label("服务内容").fill("77 GHz 毫米波雷达的传导与辐射发射摸底测试。")
    page.get_by_label("吴江区").check()
    page.get_by_label("嘉善县").check()
    screenshot(page, "seller-item-form")
    page.get_by_role("button", name="发布").click()
    page.get_by_text("服务项目已发布。").wait_for()
    screenshot(page, "seller-item-saved")

    page.locator(".header-search input[name=q]").fill("毫米波")
    page.locator(".header-search button[type=submit]").click()
    card = page.get_by_test_id("item-card")
    assert card.count() == 1 and "毫米波雷达 EMC 摸底测试" in card.inner_text()
    assert "¥12000.00" in card.inner_text()
    screenshot(page, "seller-item-found")
