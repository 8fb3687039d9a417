"""config.menus.pk_url (issue 9): the row links of list pages without a reverse() per
row, always equal to what reverse() / ``{% url %}`` give."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import engines
from django.urls import NoReverseMatch, reverse, set_script_prefix

from config.menus import pk_url

NAMES = [
    "orders:buyer_detail",
    "orders:cancel",
    "orders:agree",
    "orders:seller_detail",
    "orders:complete",
    "messaging:detail",
    "messaging:delete",
    "vouchers:detail",
    "redemption:detail",
    "redemption:quick_detail",
    "redemption:edit",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 7, 10, 918273645546372819, 2**63 - 1])
def test_same_as_reverse(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_same_under_a_script_prefix():
    try:
        set_script_prefix("/portal/")
        assert pk_url("orders:buyer_detail", 12) == reverse("orders:buyer_detail", args=[12]) == "/portal/orders/12/"
    finally:
        set_script_prefix("/")
    assert pk_url("orders:buyer_detail", 12) == "/orders/12/"


def test_template_filter_renders_like_the_url_tag():
    engine = engines["django"]
    mine = engine.from_string("{% load pk_urls %}{{ pk|pk_url:'orders:buyer_detail' }}")
    django = engine.from_string("{% url 'orders:buyer_detail' pk %}")
    assert mine.render({"pk": 42}) == django.render({"pk": 42}) == "/orders/42/"


@pytest.mark.parametrize("name", ["orders:buyer_list", "favorites:toggle"])
def test_urls_without_exactly_one_argument_are_refused(name):
    with pytest.raises(NoReverseMatch):
        pk_url(name, 1)


def test_a_converter_that_does_not_write_the_pk_as_is_is_refused(settings):
    from django.urls import path, register_converter

    class Padded:
        regex = "[0-9]+"

        def to_python(self, value):
            return int(value)

        def to_url(self, value):
            return f"{int(value):08d}"

    register_converter(Padded, "padded_test")
    settings.ROOT_URLCONF = type("urls", (), {"urlpatterns": [path("x/<padded_test:pk>/", lambda r: None, name="x")]})
    with pytest.raises(ImproperlyConfigured):
        pk_url("x", 1)


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2026, 11, 30, 16, 30, 5, tzinfo=datetime.UTC),  # 2026-12-01 00:30:05 in Shanghai
        datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        datetime.date(2026, 2, 28),
        None,
    ],
)
def test_strftime_shows_what_the_date_filter_shows(value):
    engine = engines["django"]
    fast = engine.from_string('{% load pk_urls %}{{ v|strftime:"%Y-%m-%d" }}|{{ v|strftime:"%Y-%m-%d %H:%M:%S" }}')
    django = engine.from_string('{{ v|date:"Y-m-d" }}|{{ v|date:"Y-m-d H:i:s" }}')
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        fast = engine.from_string('{% load pk_urls %}{{ v|strftime:"%Y-%m-%d" }}')
        django = engine.from_string('{{ v|date:"Y-m-d" }}')
    assert fast.render({"v": value}) == django.render({"v": value})
