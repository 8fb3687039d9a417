"""Personas shared by every test (DESIGN §3): buyer A, buyer B of another enterprise,
the seller, and an administrator of another region."""

import os

import pytest

from accounts.models import User
from tests.browser_support import _playwright_browser, browser_context, page  # noqa: F401
from tests.factories import UserFactory, enterprise_user, region_admin

# Playwright's sync API runs an event loop in the test thread (LIBRARY_NOTES: Browser tests).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def buyer_a(db) -> User:
    """Administrator of an enterprise registered in 吴江区 (通兑)."""
    return enterprise_user("buyer_a")


@pytest.fixture
def buyer_b(db) -> User:
    """Administrator of another enterprise, also in 吴江区."""
    return enterprise_user("buyer_b")


@pytest.fixture
def institution(db):
    """The seller's institution (苏州恒通检测有限公司, 吴江区), with the category taxonomy."""
    from tests.factories import institution_factory

    return institution_factory(name="苏州恒通检测有限公司")


@pytest.fixture
def seller(db, institution) -> User:
    """A service institution's user: administrator (InstitutionStaff) of ``institution``."""
    from catalog.models import InstitutionStaff

    user = UserFactory(username="seller", role=User.Role.INSTITUTION)
    InstitutionStaff.objects.get_or_create(user=user, defaults={"institution": institution, "is_admin": True})
    return user


@pytest.fixture
def wujiang_admin(db) -> User:
    return region_admin("admin_wujiang", "WJI")


@pytest.fixture
def other_region_admin(db) -> User:
    """Administrator of 嘉善县: must never see 吴江区 data."""
    return region_admin("admin_jiashan", "JSN")


@pytest.fixture
def live_db(transactional_db):
    """A transactional database (for the live server and threads) with the reference
    data that every flush removes: divisions and pilot regions."""
    from django.apps import apps

    from enterprises.reference_data import load_reference_data

    load_reference_data(apps)


@pytest.fixture(autouse=True)
def _statistics_uncached(settings):
    """统计分析 caches its tables for production (issue 9); tests see every change at once
    (tests/bench/test_query_counts.py turns the cache on where it is the subject)."""
    settings.STATISTICS_CACHE_SECONDS = 0
    settings.PAGE_CACHE_SECONDS = 0  # the public page cache (config/page_cache.py) likewise
