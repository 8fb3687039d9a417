"""Helpers for browser tests: Playwright drives Debian's Chromium (never a downloaded one).

In CI (CI or REQUIRE_BROWSER set) a missing browser fails the test instead of skipping it."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def require_browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)")
        pytest.skip("chromium is not installed on this machine")


def screenshot(page, name: str) -> Path:
    """Save the whole page; on a desktop-wide page also check that its tables fit."""
    if (page.viewport_size or {}).get("width", 0) >= 1366:
        fits_the_screen(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(context, live_server_url: str, user) -> None:
    """Log ``user`` in by giving the browser a session made by Django's test client."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server_url}])


@pytest.fixture(scope="session")
def _playwright_browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(_playwright_browser):
    context = _playwright_browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(15000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    yield page
    page.close()


def fits_the_screen(page) -> None:
    """Every table of the page shows all its columns, 操作 included, without scrolling
    sideways (the browser context is 1366 px wide: a common office screen)."""
    overflow = page.evaluate(
        "() => Math.max(0, ...Array.from(document.querySelectorAll('.table-responsive'),"
        " e => e.scrollWidth - e.clientWidth))"
    )
    assert overflow <= 0, f"a table is {overflow}px wider than its column"
