"""The audit trail (审计日志): every decision and every change to money, status,
registration data or policy is one append-only AuditEntry row.

Services call, inside their transaction::

    from accounts import audit

    audit.record(
        "voucher_application.approve",
        application,
        before={"status": old},
        after={"status": application.status},
        region_id=application.programme.region_id,
        note=reason,
    )

The actor and client IP come from the current request, kept in a context variable by
``AuditContextMiddleware`` (so services need no request argument); background tasks and
commands may wrap their work in ``audit.acting_as(user=None, label="系统任务")``. An
explicit ``actor=`` wins over both.

Sensitive values are masked before they are stored: 证件号码 (ID numbers) and mobile
numbers, recognised by the key name and by their shape anywhere in a string.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models

from accounts.models import AuditEntry

# --- context: who acts, from where --------------------------------------------------


@dataclass
class _Context:
    request: Any = None
    user: Any = None
    label: str = ""
    ip: str | None = None


_context: ContextVar[_Context | None] = ContextVar("audit_context", default=None)


def client_ip(request) -> str | None:
    """The client's IP as allauth sees it: X-Forwarded-For only counts behind
    ALLAUTH_TRUSTED_PROXY_COUNT trusted proxies, otherwise REMOTE_ADDR."""
    try:
        from allauth.account.adapter import get_adapter

        ip = get_adapter(request).get_client_ip(request)
    except Exception:  # a malformed header must never break the request
        ip = request.META.get("REMOTE_ADDR")
    return ip or None


class AuditContextMiddleware:
    """Keeps the current request (its user, its client IP) for accounts.audit.record()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _context.set(_Context(request=request))
        try:
            return self.get_response(request)
        finally:
            _context.reset(token)


@contextlib.contextmanager
def acting_as(user=None, *, label: str = "", ip: str | None = None):
    """Attribute the audit rows written inside the block (tasks, commands, tests)."""
    token = _context.set(_Context(user=user, label=label, ip=ip))
    try:
        yield
    finally:
        _context.reset(token)


def _current_actor_and_ip() -> tuple[Any, str, str | None]:
    ctx = _context.get()
    if ctx is None:
        return None, "", None
    if ctx.request is not None:
        user = getattr(ctx.request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        return user, "", client_ip(ctx.request)
    return ctx.user, ctx.label, ctx.ip


# --- masking -------------------------------------------------------------------------

SENSITIVE_KEY_PARTS = ("id_number", "idcard", "id_card", "证件", "身份证", "phone", "mobile", "手机", "电话")
# A resident ID: 6-digit area, a birth date (19xx/20xx), 3 digits and the check digit. The
# date keeps 18-digit 统一社会信用代码 (public registration data) from being taken for one.
_ID_RE = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})((?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
_MOBILE_RE = re.compile(r"(?<!\d)(1\d{2})(\d{4})(\d{4})(?!\d)")


def mask_value(text: str) -> str:
    """5001**********3397 for an ID number, 138****0000 for a mobile number."""
    if len(text) == 11 and text.isdigit():
        return text[:3] + "****" + text[-4:]
    if len(text) < 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def _mask_in_text(text: str) -> str:
    text = _ID_RE.sub(lambda m: m.group(0)[:4] + "*" * 10 + m.group(0)[-4:], text)
    return _MOBILE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def _is_sensitive(key: str) -> bool:
    k = str(key).lower()
    return any(part in k for part in SENSITIVE_KEY_PARTS)


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.fields.files.FieldFile):
        return bool(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return str(value)


def mask(data):
    """A JSON-safe copy of ``data`` with ID numbers and mobile numbers masked."""
    if data is None:
        return None
    data = _jsonable(data)

    def walk(value, key=None):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str) and value:
            if key is not None and _is_sensitive(key):
                return mask_value(value)
            return _mask_in_text(value)
        return value

    return walk(data)


def snapshot(obj, fields) -> dict:
    """{field: value} of a model instance, for before/after (FKs by id)."""
    out = {}
    for name in fields:
        try:
            field = obj._meta.get_field(name)
        except Exception:
            out[name] = getattr(obj, name, None)
            continue
        out[name] = getattr(obj, field.attname) if getattr(field, "attname", None) else getattr(obj, name)
    return out


# --- writing -------------------------------------------------------------------------


def record(
    action: str,
    obj=None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    region_id: int | None = None,
    note: str = "",
    actor=None,
    object_label: str | None = None,
) -> AuditEntry:
    """Append one audit row. Call it inside the service's transaction so the row exists
    exactly when the change does."""
    ctx_user, ctx_label, ip = _current_actor_and_ip()
    user = actor if actor is not None else ctx_user
    if user is not None and not getattr(user, "pk", None):
        user = None
    label = ""
    if user is not None:
        label = f"{getattr(user, 'real_name', '') or user.get_username()}（{user.get_username()}）"
    else:
        label = ctx_label or "系统"
    object_type = object_id = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(obj.pk) if obj.pk is not None else ""
        if region_id is None:
            region_id = _region_id_of(obj)
        if object_label is None:
            object_label = str(obj)
    return AuditEntry.objects.create(
        actor=user,
        actor_label=label[:200],
        ip=ip,
        action=action[:64],
        object_type=object_type,
        object_id=object_id,
        object_label=_mask_in_text(object_label or "")[:200],
        region_id=region_id,
        before=mask(before),
        after=mask(after),
        note=_mask_in_text(note or ""),
    )


def record_changes(action: str, obj, before: dict, after: dict, **kwargs) -> AuditEntry | None:
    """record() with only the keys whose value changed; nothing when nothing changed."""
    before, after = _jsonable(before or {}), _jsonable(after or {})
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    if not keys:
        return None
    return record(action, obj, before={k: before.get(k) for k in keys}, after={k: after.get(k) for k in keys}, **kwargs)


def record_form_change(action: str, obj, form, *, change: bool, **kwargs) -> AuditEntry | None:
    """For admin save_model/save_formset: the form's changed fields, initial → cleaned."""
    fields = [f for f in form.changed_data if f in form.cleaned_data]
    if change and not fields:
        return None
    before = {f: form.initial.get(f) for f in fields} if change else None
    after = {f: form.cleaned_data.get(f) for f in fields}
    return record(action, obj, before=before, after=after, **kwargs)


def _region_id_of(obj) -> int | None:
    """The object's own region_id when it has one (no query); otherwise the caller says."""
    value = getattr(obj, "region_id", None)
    return value if isinstance(value, int) else None


def entries_for(obj):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
