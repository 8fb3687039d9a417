"""The 买家中心 and 卖家中心 menus are rendered once per key (config/partial_memo.py): the
HTML is exactly what a plain {% include %} of the partial gives, for every active entry,
and the active entry is the page's own."""

import re

import pytest
from django.template import Context, Template

from catalog.views import SELLER_MENU, seller_menu
from config import partial_memo
from config.menus import BUYER_MENU, buyer_menu

MEMO = Template("{% load partial_memo %}{% memo_partial name menu key %}")
PLAIN = Template("{% include name %}")
ACTIVE = re.compile(r'class="list-group-item list-group-item-action(?: ps-4)? active" href="[^"]*">([^<]+)<')


def _both(name: str, **context) -> tuple[str, str]:
    memo = MEMO.render(Context({"name": name, "key": context.pop("key", None), **context}))
    return memo, PLAIN.render(Context({"name": name, **context}))


@pytest.fixture(autouse=True)
def _empty_memo():
    partial_memo.clear()
    yield
    partial_memo.clear()


@pytest.mark.parametrize("menu", [None, *(label for _, entries in BUYER_MENU for label, _ in entries)])
def test_the_buyer_menu_is_the_plain_partial_for_every_entry(menu):
    for _ in range(2):  # the first render fills the memo, the second reads it
        memo, plain = _both("buyer/_menu.html", menu=menu, buyer_menu=buyer_menu)
        assert memo == plain
        assert ACTIVE.findall(memo) == ([] if menu is None else [menu])


@pytest.mark.parametrize("is_admin", [True, False])
def test_the_seller_menu_is_the_plain_partial_for_both_kinds_of_staff(is_admin):
    entries = seller_menu(is_admin)
    assert [e.label for e in entries] == [label for label, _, only in SELLER_MENU if is_admin or not only]
    for label in ("首页", "订单管理", "站内信"):
        memo, plain = _both("seller/_menu.html", menu=label, seller_menu=entries, key=entries)
        assert memo == plain and ACTIVE.findall(memo) == [label]
    # The administrators' menu and the others' are two entries, not one served to both.
    other, _ = _both(
        "seller/_menu.html", menu="首页", seller_menu=seller_menu(not is_admin), key=seller_menu(not is_admin)
    )
    assert ("用户管理" in other) is (not is_admin)


def test_a_key_is_rendered_once():
    first, _ = _both("buyer/_menu.html", menu="订单管理", key=None, buyer_menu=buyer_menu)
    # Same key, different context: the memo answers (a memoised partial must read
    # nothing outside its key; the tests above check the real ones do not).
    again = MEMO.render(Context({"name": "buyer/_menu.html", "menu": "订单管理", "key": None, "buyer_menu": []}))
    assert again == first and "订单管理" in again
