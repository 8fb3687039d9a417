"""The admin change list's action bar, with its two widgets rendered once per process
(issue 9).

Django renders the 操作 <select> and the hidden "select across" input through the form
renderer's templates (an option template per action) on every change list: ~0.5 ms of
the 兑付 list's eight actions here. A widget's HTML is a function of what ``render``
is given and of the widget itself (its class, template, attributes and choices) in the
current language; ``MemoSelect`` and ``MemoHiddenInput`` remember it under exactly those.
Anything unhashable in them (a callable attribute, say) renders as usual.

``RegionScopedAdmin.action_form`` is ``MemoActionForm``; tests/admin/test_admin_actions.py
compares its HTML with Django's ActionForm.
"""

from django import forms
from django.contrib.admin import helpers
from django.utils.translation import get_language

from config.memo import BoundedMemo

# One entry per change list and language (its actions, checked or not): a few hundred.
_WIDGETS = BoundedMemo(512)


def _frozen(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


class MemoWidgetMixin:
    def _memo_key(self, name, value, attrs, renderer) -> tuple | None:
        key = (
            type(self),
            self.template_name,
            name,
            _frozen(value),
            _frozen(attrs or {}),
            _frozen(self.attrs),
            self.is_required,
            _frozen(getattr(self, "choices", ())),
            type(renderer),
            get_language(),
        )
        try:
            hash(key)
        except TypeError:
            return None
        return key

    def render(self, name, value, attrs=None, renderer=None):
        key = self._memo_key(name, value, attrs, renderer)
        if key is None:
            return super().render(name, value, attrs, renderer)
        html = _WIDGETS.get(key)
        if html is None:
            html = _WIDGETS.put(key, super().render(name, value, attrs, renderer))
        return html


class MemoSelect(MemoWidgetMixin, forms.Select):
    pass


class MemoHiddenInput(MemoWidgetMixin, forms.HiddenInput):
    pass


class MemoActionForm(helpers.ActionForm):
    """Django's ActionForm, its widgets remembered."""

    action = forms.ChoiceField(label=helpers.ActionForm.base_fields["action"].label, widget=MemoSelect)
    select_across = forms.BooleanField(
        label="",
        required=False,
        initial=0,
        widget=MemoHiddenInput({"class": "select-across"}),
    )


def clear() -> None:
    _WIDGETS.clear()
