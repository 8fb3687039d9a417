"""The admin change lists' rows (config.admin_rows) are Django's own HTML, cell for cell,
on every registered change list, with and without filters to preserve, and the page
really renders them."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.urls import reverse

import config.urls  # noqa: F401  (config/admin_site.py completes the registry when the URLconf loads)
from config.admin_rows import rows
from tests.admin.data import build

pytestmark = pytest.mark.django_db


def _change_lists():
    return sorted(
        (model._meta.label_lower, f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    )


def _as_text(result_rows):
    return [[str(cell) for cell in row] for row in result_rows]


@pytest.mark.parametrize("label, url_name", _change_lists())
@pytest.mark.parametrize("query", ["", "?o=-1&q=%E5%90%B4%E6%B1%9F"])
def test_rows_are_djangos(client, admin_user, label, url_name, query):
    build()
    client.force_login(admin_user)
    response = client.get(reverse(url_name) + query)
    assert response.status_code == 200, label
    cl = response.context["cl"]
    ours = _as_text(rows(cl))
    assert ours == _as_text(admin_list.results(cl)), label
    # Each row is on the page as built (the template uses these rows, not Django's).
    html = response.content.decode()
    for row in ours:
        assert "".join(row) in html.replace("\n", ""), label


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:orders_order_changelist",
        "admin:redemption_redemptionapplication_changelist",
        "admin:vouchers_voucher_changelist",
        "admin:enterprises_enterprise_changelist",
    ],
)
def test_the_compared_lists_have_rows(client, admin_user, url_name):
    """The comparison above means something only where there are rows to compare."""
    build()
    client.force_login(admin_user)
    cl = client.get(reverse(url_name) + ("?status=all" if "order" in url_name else "")).context["cl"]
    assert len(rows(cl)) == len(cl.result_list) > 0


def test_rows_cover_fields_methods_links_and_empty_values(client, admin_user):
    """The orders list has every kind of column: a link column, choices, a relation, a
    date, a decimal and admin methods; the preserved filter goes into every link."""
    data = build()
    client.force_login(admin_user)
    response = client.get(reverse("admin:orders_order_changelist") + "?status=all")
    cl = response.context["cl"]
    text = _as_text(rows(cl))
    assert len(text) == len(cl.result_list) > 0
    first_order = data["orders"]["q1"]
    link = f'href="{reverse("admin:orders_order_change", args=(first_order.pk,))}?_changelist_filters=status%3Dall"'
    assert any(link in "".join(row) for row in text)
    assert any('class="field-status"' in cell for row in text for cell in row)


@pytest.mark.parametrize("language", ["zh-hans", "en", "de"])
@pytest.mark.parametrize("thousands", [False, True])
def test_per_list_formats_are_djangos(settings, language, thousands):
    """Formats (looked up once per list) formats numbers and datetimes as
    display_for_field does, in any language and with grouping on or off."""
    import datetime
    from decimal import Decimal

    from django.utils import formats, timezone, translation

    from config.admin_rows import Formats

    settings.USE_THOUSAND_SEPARATOR = thousands
    when = timezone.make_aware(datetime.datetime(2026, 3, 4, 5, 6, 7))
    with translation.override(language):
        ours = Formats.current()
        for value, places in [(Decimal("1234567.50"), 2), (Decimal("-0.10"), 2), (Decimal("3.5"), 2), (1234567, None)]:
            assert ours.number(value, places) == formats.number_format(value, places)
        assert ours.datetime_(when) == formats.localize(timezone.template_localtime(when))
