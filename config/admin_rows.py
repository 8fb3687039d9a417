"""The admin change list's rows, built from a per-list plan (issue 9).

Django's ``items_for_result`` works every cell out from scratch: it looks the column up
on the model, the admin and the object, rebuilds a field's choices, reverses the change
URL, adds the preserved filters and formats the cell through ``format_html``, 20 rows ×
14 columns a page; that took 13–21 ms of a 45–75 ms admin list here. ``rows()`` decides
once per list what each column is (a model field, a relation, anything else), keeps the
choices, reverses the change URL once with a placeholder key, and then only reads and
escapes each row's values. The HTML is Django's, byte for byte
(tests/admin/test_admin_rows.py compares both on every registered change list). Lists it
does not cover (list_editable, popups, ``to_field``) go through Django's own code.

Used through ``{% fast_result_list cl %}`` (templates/admin/change_list.html).
"""

import datetime
from dataclasses import dataclass

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
    quote,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, numberformat, timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

# Stands for the key in the change URL reversed once per list: letters and underscores
# pass admin.utils.quote and URL encoding unchanged.
PK_PLACEHOLDER = "__csj_pk__"

FIELD, RELATION, VALUE, LOOKUP = "field", "relation", "value", "lookup"

register = template.Library()


@dataclass(frozen=True)
class Column:
    name: object  # the list_display entry: a name or a callable
    kind: str  # FIELD, RELATION (a foreign key), VALUE (an auto-created field), LOOKUP
    field: models.Field | None
    choices: dict | None  # the field's flat choices, built once
    classes: str
    tag: str  # "th" for the first link column, else "td"
    link: bool
    shape: str | None = None  # a FIELD that display_for_field formats by locale: DATETIME, NUMBER


DATETIME, NUMBER = "datetime", "number"


@dataclass(frozen=True)
class Formats:
    """The locale's formats, looked up once per list: display_for_field looks them up for
    every cell (three or four get_format calls each, ~5 µs a cell; issue 9)."""

    datetime: str
    decimal_separator: str
    grouping: object
    thousand_separator: str

    @classmethod
    def current(cls) -> "Formats":
        lang = get_language()
        return cls(
            get_format("DATETIME_FORMAT"),
            get_format("DECIMAL_SEPARATOR", lang, use_l10n=True),
            get_format("NUMBER_GROUPING", lang, use_l10n=True),
            get_format("THOUSAND_SEPARATOR", lang, use_l10n=True),
        )

    def number(self, value, decimal_pos=None) -> str:
        """formats.number_format(value, decimal_pos)."""
        return numberformat.format(
            value, self.decimal_separator, decimal_pos, self.grouping, self.thousand_separator, use_l10n=True
        )

    def datetime_(self, value) -> str:
        """formats.localize(timezone.template_localtime(value)) for a datetime."""
        return dateformat.format(timezone.template_localtime(value), self.datetime)


def _shape(field) -> str | None:
    """Which display_for_field branch a field without choices takes, where it is one of
    the two formatted here (its order: booleans and empty values come first)."""
    if field is None or getattr(field, "flatchoices", None) or isinstance(field, models.BooleanField):
        return None
    if isinstance(field, models.DateTimeField):
        return DATETIME
    if isinstance(field, (models.DecimalField, models.IntegerField, models.FloatField)):
        return NUMBER
    return None


def _kind(cl, name) -> tuple[str, models.Field | None]:
    if callable(name):
        return LOOKUP, None
    try:
        field = _get_non_gfk_field(cl.lookup_opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        return LOOKUP, None
    if field.auto_created:
        return VALUE, field
    if isinstance(field.remote_field, models.ManyToOneRel):
        return RELATION, field
    return FIELD, field


def _choices(field) -> dict | None:
    if field is None or not getattr(field, "flatchoices", None):
        return None
    try:
        return dict(field.flatchoices)
    except TypeError:  # list-like choices: display_for_field handles them per cell
        return None


def _plan(cl) -> list[Column] | None:
    """What each column is; None where Django's own code must run."""
    if cl.formset or cl.is_popup or cl.to_field:
        return None
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        kind, field = _kind(cl, name)
        # Django's link_in_col.
        if cl.list_display_links is None:
            link = False
        elif first and not cl.list_display_links:
            link = True
        else:
            link = name in cl.list_display_links
        classes = [f"field-{admin_list._coerce_field_name(name, index)}"]
        if name == "action_checkbox" and kind == LOOKUP:
            classes = ["action-checkbox"]
        if kind in (FIELD, RELATION) and isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes.append("nowrap")
        choices = _choices(field) if kind == FIELD else None
        shape = _shape(field) if kind == FIELD else None
        tag = "th" if link and first else "td"
        columns.append(Column(name, kind, field, choices, " ".join(classes), tag, link, shape))
        if link:
            first = False
    return columns


def _cell(column: Column, result, model_admin, empty: str, formats: Formats) -> tuple[object, bool]:
    """The cell's value to escape and whether it adds "nowrap", as items_for_result has them."""
    try:
        if column.kind == LOOKUP:
            _, attr, value = lookup_field(column.name, result, model_admin)
        else:
            attr, value = None, getattr(result, column.name)
    except ObjectDoesNotExist:
        return empty, False
    if column.kind in (LOOKUP, VALUE):
        empty = getattr(attr, "empty_value_display", empty)
    if isinstance(value, str) and value.strip() == "":
        value = ""
    if column.kind == RELATION:
        return (empty if value is None else value), False
    if column.kind == FIELD:
        if column.choices is not None:
            try:
                return column.choices.get(value, empty), False
            except TypeError:  # an unhashable value
                pass
        if column.shape is not None and value not in column.field.empty_values:
            if column.shape == DATETIME:
                return formats.datetime_(value), False
            return formats.number(value, getattr(column.field, "decimal_places", None)), False
        return display_for_field(value, column.field, empty, avoid_link=column.link), False
    boolean = getattr(attr, "boolean", False)
    if isinstance(attr, property) and hasattr(attr, "fget"):
        boolean = getattr(attr.fget, "boolean", False)
    return display_for_value(value, empty, boolean), isinstance(value, (datetime.date, datetime.time))


def _change_url_template(cl) -> str | None:
    """The change URL with the preserved filters, the key left as PK_PLACEHOLDER."""
    opts = cl.opts
    try:
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=(PK_PLACEHOLDER,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return None
    return add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": opts}, url)


def rows(cl) -> list:
    """The rows as Django's ``results(cl)`` yields them: one list of cells per object."""
    plan = _plan(cl)
    if plan is None:
        return list(admin_list.results(cl))
    model_admin = cl.model_admin
    empty = model_admin.get_empty_value_display()
    url_template = _change_url_template(cl) if any(column.link for column in plan) else None
    pk_attname = cl.pk_attname
    formats = Formats.current()
    out = []
    for result in cl.result_list:
        cells = []
        for column in plan:
            shown, nowrap = _cell(column, result, model_admin, empty, formats)
            classes = f"{column.classes} nowrap" if nowrap else column.classes
            text = conditional_escape(shown)
            if column.link and url_template is not None:
                url = url_template.replace(PK_PLACEHOLDER, str(quote(getattr(result, pk_attname))), 1)
                text = f'<a href="{conditional_escape(url)}">{text}</a>'
            cells.append(SafeString(f'<{column.tag} class="{classes}">{text}</{column.tag}>'))
        out.append(admin_list.ResultList(None, cells))
    return out


def result_list_context(cl) -> dict:
    """The context of admin/change_list_results.html, as Django's ``result_list`` builds it."""
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows(cl),
    }


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    """``{% fast_result_list cl %}``: Django's ``{% result_list cl %}`` with these rows."""
    return InclusionAdminNode(
        parser, token, func=result_list_context, template_name="change_list_results.html", takes_context=False
    )
