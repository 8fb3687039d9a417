"""Hostile input (issue 10): Hypothesis posts random and hostile values — very long strings,
control characters, emoji, SQL and HTML fragments, negative and huge amounts, malformed
dates, missing and duplicated fields — to every form of the portal as a logged-in user.
No answer is a 500; a refusal changes nothing in the database; stored HTML is escaped."""

import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    " ",
    "a" * 5000,
    "张" * 300,
    "\x00",
    "\x1b[31m\r\n\t",
    "😀🚀👍🏽",
    "'; DROP TABLE accounts_user; --",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "-1",
    "-0.01",
    "0",
    "99999999999999999999.99",
    "1e309",
    "NaN",
    "Infinity",
    "12.345",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "31/12/2026",
    "null",
    "../../etc/passwd",
    "%00%0d%0a",
    "13800138000",
    "91320509MA1XXXXXXX",
]

VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))
# A field is missing, given once, or given twice (duplicated field).
FIELD = st.one_of(st.none(), VALUE, st.lists(VALUE, min_size=2, max_size=2))

# (persona, url name, kwargs-builder) for every page with a POST form; ids come from fixtures.
FORMS = [
    ("buyer_a", "accounts:profile"),
    ("buyer_a", "accounts:password"),
    ("buyer_a", "accounts:phone_change"),
    ("anonymous", "accounts:password_reset"),
    ("anonymous", "enterprises:register"),
    ("buyer_a", "enterprises:basic_info"),
    ("buyer_a", "enterprises:members"),
    ("buyer_a", "enterprises:join"),
    ("buyer_a", "vouchers:apply"),
    ("buyer_a", "orders:create"),
    ("seller", "catalog:seller_profile"),
    ("seller", "catalog:seller_sub_units"),
    ("seller", "catalog:seller_item_create"),
    ("seller", "catalog:seller_instrument_create"),
    ("seller", "catalog:seller_staff"),
    ("seller", "orders:redeem"),
    ("seller", "orders:decline"),
    ("buyer_a", "orders:refuse"),
    ("buyer_a", "orders:review"),
    ("buyer_a", "orders:difference"),
    ("buyer_a", "messaging:list"),
    ("anonymous", "catalog:search"),
    # forms of one object (ids from the access walker's world)
    ("seller", "catalog:seller_item_edit"),
    ("seller", "catalog:seller_instrument_edit"),
    ("seller", "catalog:seller_sub_unit_edit"),
    ("seller", "orders:accept"),
    ("seller", "orders:complete"),
    ("buyer_a", "vouchers:application_edit"),
    ("qpu_buyer", "redemption:create"),
    ("qpu_buyer", "redemption:edit"),
    ("qpu_buyer", "redemption:invoice_new"),
    ("qpu_buyer", "redemption:line_amount"),
]

WORLD_KWARGS = {
    "catalog:seller_item_edit": lambda w: {"item_id": w.item.pk},
    "catalog:seller_instrument_edit": lambda w: {"instrument_id": w.instrument.pk},
    "catalog:seller_sub_unit_edit": lambda w: {"sub_unit_id": w.sub_unit.pk},
    "vouchers:application_edit": lambda w: {"pk": w.voucher_application.pk},
    "redemption:edit": lambda w: {"pk": w.redemption["application"].pk},
    "redemption:invoice_new": lambda w: {"pk": w.redemption["application"].pk},
    "redemption:line_amount": lambda w: {"pk": w.redemption["application"].pk, "line_id": w.redemption["line"].pk},
}

STATS: list[tuple[str, int]] = []  # (form, status) of every request, for the report

NAME_RE = re.compile(r"""<(?:input|select|textarea)\b[^>]*\bname=["']([^"']+)["']""", re.I)


def _tables():
    names = []
    for label in ("accounts", "messaging", "enterprises", "catalog", "vouchers", "orders", "redemption", "favorites"):
        try:
            names += [m._meta.db_table for m in apps.get_app_config(label).get_models()]
        except LookupError:
            continue
    return names


def db_snapshot(tables):
    query = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()


@pytest.fixture
def order_for_forms(buyer_a, seller, wujiang_admin, institution):
    from enterprises.selectors import enterprise_for_user
    from orders import services
    from tests.factories import make_voucher, service_item
    from tests.orders.conftest import place

    item = service_item(institution, price="1000.00", regions=("WJI",))
    order = place(buyer_a, item, make_voucher(enterprise_for_user(buyer_a), amount="10000.00"))
    services.accept_order(order.pk, actor=seller, amount="1000.00")
    services.confirm_quota(order.pk, actor=wujiang_admin)
    return order


def _url(name, order, world=None):
    if name in WORLD_KWARGS:
        return reverse(name, kwargs=WORLD_KWARGS[name](world))
    if name == "orders:create":
        return reverse(name, args=[order.item_id])
    if name.startswith("orders:"):
        return reverse(name, args=[order.pk])
    return reverse(name)


@pytest.mark.parametrize("persona,name", FORMS, ids=[n for _, n in FORMS])
def test_hostile_posts_never_500_and_refusals_change_nothing(request, client, persona, name, order_for_forms):
    from tests.security.test_access_walk import World

    world = World(request)
    if persona == "qpu_buyer":
        client.force_login(world.qpu_buyer)
    elif persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = _url(name, order_for_forms, world)
    page = client.get(url)
    fields = sorted(set(NAME_RE.findall(page.content.decode()))) if page.status_code == 200 else []
    fields = [f for f in fields if f != "csrfmiddlewaretoken"] or ["q", "amount", "reason", "text"]
    tables = _tables()
    method = "get" if name == "catalog:search" else "post"

    @settings(
        max_examples=4,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.fixed_dictionaries(dict.fromkeys(fields, FIELD)))
    def run(data):
        cache.clear()  # rate limits are not what is tested here
        payload = {k: v for k, v in data.items() if v is not None}
        before = db_snapshot(tables)
        response = getattr(client, method)(url, payload)
        STATS.append((name, response.status_code))
        assert response.status_code < 500, (name, payload, response.status_code)
        if method == "post" and response.status_code != 302:
            assert db_snapshot(tables) == before, (name, payload)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            body = response.content.decode()
            assert "<script>alert(1)</script>" not in body
            assert "<img src=x onerror" not in body

    run()


def test_stored_html_is_shown_as_text(client, seller, institution, buyer_a):
    """What a user stores as HTML comes back escaped on the public shop page."""
    from catalog.models import Institution

    evil = '<script>alert("x")</script><b onmouseover=alert(1)>粗体</b>'
    Institution.objects.filter(pk=institution.pk).update(introduction=evil, qualifications=evil)
    body = client.get(reverse("catalog:shop", args=[institution.pk])).content.decode()
    assert '<script>alert("x")' not in body and "<b onmouseover" not in body
    assert "&lt;script&gt;" in body
    from messaging.services import notify

    notify(buyer_a, "system", evil)
    client.force_login(buyer_a)
    body = client.get(reverse("messaging:list")).content.decode()
    assert '<script>alert("x")' not in body and "&lt;script&gt;" in body


def test_zz_report(capsys):
    """Prints how many hostile requests each form got and how they were answered, and
    checks once more over all of them that none was a 5xx. Run alone (no form test ran
    before it in this process) it has nothing to report and skips."""
    from collections import Counter

    if not STATS:
        pytest.skip("run with the form tests")
    counts = Counter((name, "refused" if status in (200, 400, 404, 405) else str(status)) for name, status in STATS)
    with capsys.disabled():
        print(f"\nhostile form requests: {len(STATS)}; 5xx: {sum(1 for _, s in STATS if s >= 500)}")
        for (name, outcome), n in sorted(counts.items()):
            print(f"  {name:40s} {outcome:8s} {n}")
    assert not [(name, s) for name, s in STATS if s >= 500]
