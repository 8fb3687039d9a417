"""Reads of the vouchers app and the access helpers every view uses."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from enterprises.selectors import require_enterprise
from vouchers.models import LedgerEntry, Voucher, VoucherApplication, VoucherHold, VoucherProgramme
from vouchers.money import ZERO

_SIGNS = {
    # kind: (issued, held, consumed, expired, voided)
    LedgerEntry.Kind.ISSUE: (1, 0, 0, 0, 0),
    LedgerEntry.Kind.HOLD: (0, 1, 0, 0, 0),
    LedgerEntry.Kind.RELEASE: (0, -1, 0, 0, 0),
    LedgerEntry.Kind.CONSUME: (0, -1, 1, 0, 0),
    LedgerEntry.Kind.REVERSE: (0, 1, -1, 0, 0),
    LedgerEntry.Kind.EXPIRE: (0, 0, 0, 1, 0),
    LedgerEntry.Kind.VOID: (0, 0, 0, 0, 1),
}
_FIELDS = ("issued_amount", "held_amount", "consumed_amount", "expired_amount", "voided_amount")


def ledger_differences() -> list[str]:
    """Every inconsistency between stored amounts and the ledger (empty list: all good).
    Checks each voucher's amounts, each cause's hold, and each programme's budget."""
    problems: list[str] = []
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(_FIELDS, ZERO))
    for row in LedgerEntry.objects.values("voucher_id", "kind").annotate(total=Sum("amount")):
        for field, sign in zip(_FIELDS, _SIGNS[row["kind"]], strict=True):
            if sign:
                sums[row["voucher_id"]][field] += sign * row["total"]
    for v in Voucher.objects.order_by("pk").iterator():
        expected = sums.get(v.pk, dict.fromkeys(_FIELDS, ZERO))
        for field in _FIELDS:
            if getattr(v, field) != expected[field]:
                problems.append(f"{v.number}: {field} 存储 {getattr(v, field)}，流水合计 {expected[field]}")
        remaining = sum((expected[f] * (1 if f == "issued_amount" else -1) for f in _FIELDS), ZERO)
        if v.remaining_amount != remaining:
            problems.append(f"{v.number}: remaining_amount 存储 {v.remaining_amount}，流水计算 {remaining}")
    signed = Case(
        When(kind__in=[LedgerEntry.Kind.HOLD, LedgerEntry.Kind.REVERSE], then="amount"),
        When(kind__in=[LedgerEntry.Kind.RELEASE, LedgerEntry.Kind.CONSUME], then=-1 * F("amount")),
        default=Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )
    cause_sums = {
        (r["voucher_id"], r["cause_type"], r["cause_id"]): r["total"]
        for r in LedgerEntry.objects.values("voucher_id", "cause_type", "cause_id").annotate(total=Sum(signed))
    }
    rows = {(h.voucher_id, h.cause_type, h.cause_id): h.amount for h in VoucherHold.objects.all()}
    for k in set(cause_sums) | set(rows):
        if cause_sums.get(k, ZERO) != rows.get(k, ZERO):
            stored, summed = rows.get(k, ZERO), cause_sums.get(k, ZERO)
            problems.append(f"创新券#{k[0]} {k[1]}#{k[2]}: 冻结明细 {stored}，流水合计 {summed}")
    for p in VoucherProgramme.objects.annotate(
        issued=Sum("vouchers__issued_amount"),
        back=Sum("vouchers__expired_amount") + Sum("vouchers__voided_amount"),
    ):
        expected = (p.issued or ZERO) - (p.back or ZERO)
        if p.budget_used != expected:
            problems.append(f"项目 {p}: 已使用预算 {p.budget_used}，创新券合计 {expected}")
    return problems


# --- access helpers for the enterprise's pages --------------------------------------


def applications_for_enterprise(enterprise):
    return (
        VoucherApplication.objects.filter(enterprise=enterprise)
        .select_related("programme", "programme__region", "voucher")
        .order_by("-submitted_at", "-id")
    )


def application_for_user(user, pk) -> VoucherApplication:
    """An application of the user's own enterprise; anything else is a 404."""
    enterprise = require_enterprise(user)
    return get_object_or_404(applications_for_enterprise(enterprise), pk=pk)


def vouchers_for_enterprise(enterprise):
    return Voucher.objects.filter(enterprise=enterprise).select_related("region").order_by("-created_at", "-id")


def voucher_for_user(user, pk) -> Voucher:
    enterprise = require_enterprise(user)
    return get_object_or_404(vouchers_for_enterprise(enterprise), pk=pk)


def usable_vouchers(enterprise, day=None):
    """Vouchers the enterprise can use now (有效, something left, within validity): what
    an order may choose from."""
    day = day or timezone.localdate()
    return vouchers_for_enterprise(enterprise).filter(
        status=Voucher.Status.ACTIVE, remaining_amount__gt=0, valid_until__gte=day
    )


def entries_for_voucher(voucher):
    return voucher.entries.select_related("actor").order_by("-created_at", "-id")


def open_programmes(enterprise, day=None):
    """Programmes of the enterprise's region open for applications today."""
    if enterprise is None or enterprise.region_id is None:
        return VoucherProgramme.objects.none()
    day = day or timezone.localdate()
    return (
        VoucherProgramme.objects.filter(region_id=enterprise.region_id, is_active=True)
        .filter(apply_start__lte=day, apply_end__gte=day)
        .select_related("region")
        .order_by("-year", "id")
    )


def applied_programme_ids(enterprise) -> set[int]:
    return set(
        VoucherApplication.objects.filter(
            enterprise=enterprise, status__in=["pending", "returned", "approved"]
        ).values_list("programme_id", flat=True)
    )


def buyer_summary(enterprise) -> dict | None:
    """The 买家中心 首页 summary: vouchers, remaining amount, pending applications."""
    if enterprise is None:
        return None
    totals = Voucher.objects.filter(enterprise=enterprise).aggregate(
        count=Count("pk", filter=Q(status__in=[Voucher.Status.ACTIVE, Voucher.Status.USED_UP])),
        remaining=Sum("remaining_amount", filter=Q(status=Voucher.Status.ACTIVE)),
        held=Sum("held_amount"),
    )
    pending = VoucherApplication.objects.filter(
        enterprise=enterprise, status__in=[VoucherApplication.Status.PENDING, VoucherApplication.Status.RETURNED]
    ).count()
    return {
        "voucher_count": totals["count"] or 0,
        "remaining": totals["remaining"] or ZERO,
        "held": totals["held"] or ZERO,
        "pending_applications": pending,
    }
