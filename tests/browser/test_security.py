"""The Content-Security-Policy in a real browser: the main pages and the Django admin work
under it with no violation reported (no inline script or style is blocked)."""

import pytest

from tests.browser_support import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


def _violations(page):
    found = []
    page.on("console", lambda msg: found.append(msg.text) if "Content Security Policy" in msg.text else None)
    return found


def test_pages_run_under_the_csp_without_violations(page, browser_context, live_server, buyer_a, admin_user):
    violations = _violations(page)
    for path in ["/", "/accounts/login/", "/enterprise/register/", "/catalog/search/", "/account/password/reset/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    login(browser_context, live_server.url, buyer_a)
    for path in ["/buyer/", "/account/profile/", "/orders/", "/messages/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    login(browser_context, live_server.url, admin_user)
    for path in ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{buyer_a.pk}/change/"]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    screenshot(page, "security-admin-under-csp")
    assert not violations, violations
