"""The region-scoped change lists' action bar (config/admin_actions.py) and row checkboxes
(RegionScopedAdmin.action_checkbox) are Django's own HTML, built faster (issue 9)."""

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.urls import reverse

from config import admin_actions
from orders.models import Order
from redemption.models import RedemptionApplication
from tests.admin.data import build

pytestmark = pytest.mark.django_db

LISTS = ["admin:orders_order_changelist", "admin:redemption_redemptionapplication_changelist"]


def _djangos(action_form) -> str:
    """Django's ActionForm with the same choices, rendered by Django's widgets."""
    form = helpers.ActionForm(auto_id=None)
    form.fields["action"].choices = action_form.fields["action"].choices
    return str(form["action"]) + str(form["select_across"])


@pytest.mark.parametrize("url_name", LISTS)
def test_the_action_bar_is_djangos(client, wujiang_admin, url_name):
    build()
    admin_actions.clear()
    client.force_login(wujiang_admin)
    for _ in range(2):  # rendered, then remembered
        response = client.get(reverse(url_name))
        action_form = response.context["action_form"]
        assert isinstance(action_form, admin_actions.MemoActionForm)
        select, hidden = str(action_form["action"]), str(action_form["select_across"])
        assert select + hidden == _djangos(action_form)
        page = response.content.decode()
        assert select in page and hidden in page
    assert len(admin_actions._WIDGETS) == 2  # the select and the hidden input, once each


def test_a_changed_choice_is_a_new_entry():
    """Two lists with different actions never share a <select>."""
    admin_actions.clear()
    first, second = admin_actions.MemoActionForm(auto_id=None), admin_actions.MemoActionForm(auto_id=None)
    first.fields["action"].choices = [("", "---------"), ("confirm", "确认额度")]
    second.fields["action"].choices = [("", "---------"), ("approve", "审核通过")]
    assert "确认额度" in str(first["action"]) and "审核通过" in str(second["action"])
    assert "确认额度" not in str(second["action"])


@pytest.mark.parametrize(
    "obj",
    [Order(pk=7, number="A<b>&\"c'"), RedemptionApplication(pk=8)],  # the first escaped in its label
    ids=["order", "redemption"],
)
def test_the_row_checkbox_is_djangos(obj):
    model_admin = admin.site._registry[type(obj)]
    ours = model_admin.action_checkbox(obj)
    assert ours == admin.ModelAdmin.action_checkbox(model_admin, obj)
    assert "<b>" not in ours
