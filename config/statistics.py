"""统计分析: the numbers of the pilot by year and region, for regional and platform
administrators (scoped to the regions a regional administrator administers).

Every table is computed with a fixed number of aggregate queries (GROUP BY in the
database), whatever the number of vouchers, orders or applications. Apps whose models do
not exist yet contribute no table. Money is Decimal throughout.

Definitions (shown on the page in Chinese, DEFINITIONS):
- 创新券: by programme year (申请) and voucher year (发放 / 冻结 / 已使用 / 已过期 are the
  vouchers' current ledger amounts); 预算 is the region's programmes of that year.
- 订单: by the year the order was placed (Asia/Shanghai), every mode and status.
- 跨区域流向 / 热门类别 / 热门机构 / 每券元带动服务金额: orders of that year in the voucher modes
  (通兑, 通用) that carry an amount and were not cancelled, declined or closed; 服务金额 is
  the order's amount, 券支付 its voucher share.
- 兑付: applications submitted that year; 核定 is the approved amount of those approved
  (公示中, 待拨付, 已拨付); 拨付 the disbursements recorded for them.
- 中位天数: order placed → 接单 (orders of that year), and 提交 → 拨付 (applications of that year).
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from enterprises.models import Division, PilotRegion
from enterprises.selectors import administered_region_ids

ZERO = Decimal("0.00")

# 统计口径, shown under the tables (the module docstring says the same in English).
DEFINITIONS = [
    "创新券：申请按项目年度统计；发放、冻结、已使用、已过期为该年度创新券的当前台账金额；预算为该区域该年度创新券项目的预算。",
    "订单：按下单年度（北京时间）统计，含全部券类型与订单状态。",
    "跨区域流向、热门类别、热门机构、每券元带动服务金额：该年度通兑券、通用券订单中有服务金额且未取消、未拒单、未关闭的订单；"
    "服务金额为订单金额，券支付金额为订单冻结的券额度。",
    "兑付：按提交年度统计（不含草稿）；核定为公示中、待拨付、已拨付的核定金额；拨付为已登记的拨付金额。",
    "办理时长：下单→接单（该年度订单），提交→拨付（该年度提交的兑付申请），取中位数。",
]
TOP_N = 10
FLOW_EXCLUDED_STATUSES = ("cancelled", "declined", "closed")
VOUCHER_MODES = ("tongdui", "tongyong")
APPROVED_REDEMPTION_STATUSES = ("notice", "pending_payment", "paid")


class Median(Aggregate):
    """PostgreSQL's median: percentile_cont(0.5) WITHIN GROUP (ORDER BY expr)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


@dataclass
class Table:
    slug: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    chart_label: int | None = None  # column of the bar labels
    chart_value: int | None = None  # column of the bar values
    note: str = ""

    def chart_bars(self) -> list[tuple[str, Decimal]]:
        if self.chart_label is None or self.chart_value is None:
            return []
        bars = []
        for row in self.rows:
            value = row[self.chart_value]
            if isinstance(value, int | Decimal) and not isinstance(value, bool):
                bars.append((str(row[self.chart_label]), Decimal(value)))
        return bars


@dataclass
class Scope:
    year: int
    region_ids: list[int]  # the regions shown (already limited to the user's)
    regions: dict[int, str]  # id -> name, in display order


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def allowed_regions(user) -> dict[int, str]:
    """The pilot regions this staff user may see, id -> name in display order."""
    qs = PilotRegion.objects.order_by("sort_order", "code")
    if not user.is_superuser:
        qs = qs.filter(pk__in=administered_region_ids(user))
    return dict(qs.values_list("pk", "name"))


def make_scope(user, year=None, region=None, allowed: dict[int, str] | None = None) -> Scope:
    """Year and region from the query string; anything malformed falls back quietly.
    ``allowed``: ``allowed_regions(user)`` when the caller has it already."""
    regions = dict(allowed) if allowed is not None else allowed_regions(user)
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        year = timezone.localdate().year
    try:
        region = int(region)
    except (TypeError, ValueError):
        region = None
    if region in regions:
        regions = {region: regions[region]}
    return Scope(year=year, region_ids=list(regions), regions=regions)


def _days(value) -> Decimal | str:
    if value is None:
        return "—"
    if isinstance(value, datetime.timedelta):
        value = Decimal(value.total_seconds()) / Decimal(86400)
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _money(value) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


# --- the tables ----------------------------------------------------------------------


def voucher_table(scope: Scope) -> Table | None:
    Application = _model("vouchers.VoucherApplication")
    Voucher = _model("vouchers.Voucher")
    Programme = _model("vouchers.VoucherProgramme")
    if not (Application and Voucher and Programme):
        return None
    applied = {
        r["programme__region"]: r
        for r in Application.objects.filter(programme__year=scope.year, programme__region__in=scope.region_ids)
        .values("programme__region")
        .annotate(n=Count("pk"), amount=Sum("requested_amount"))
    }
    vouchers = {
        r["region"]: r
        for r in Voucher.objects.filter(year=scope.year, region__in=scope.region_ids)
        .values("region")
        .annotate(
            n=Count("pk"),
            issued=Sum("issued_amount"),
            held=Sum("held_amount"),
            consumed=Sum("consumed_amount"),
            expired=Sum("expired_amount"),
        )
    }
    budgets = {
        r["region"]: r
        for r in Programme.objects.filter(year=scope.year, region__in=scope.region_ids)
        .values("region")
        .annotate(total=Sum("total_budget"), used=Sum("budget_used"))
    }
    table = Table(
        "vouchers",
        "创新券：申请、发放、冻结、使用、过期与预算",
        [
            "区域",
            "申请数",
            "申请金额(元)",
            "发放张数",
            "发放金额(元)",
            "冻结金额(元)",
            "已使用金额(元)",
            "已过期金额(元)",
            "总预算(元)",
            "已使用预算(元)",
        ],
        chart_label=0,
        chart_value=4,
    )
    for region_id, name in scope.regions.items():
        a, v, b = applied.get(region_id, {}), vouchers.get(region_id, {}), budgets.get(region_id, {})
        table.rows.append(
            [
                name,
                a.get("n", 0),
                _money(a.get("amount")),
                v.get("n", 0),
                _money(v.get("issued")),
                _money(v.get("held")),
                _money(v.get("consumed")),
                _money(v.get("expired")),
                _money(b.get("total")),
                _money(b.get("used")),
            ]
        )
    return table


def _orders_of_year(scope: Scope):
    Order = _model("orders.Order")
    if Order is None:
        return None
    return Order.objects.filter(created_at__year=scope.year, enterprise__region__in=scope.region_ids)


def _flow_orders(scope: Scope):
    qs = _orders_of_year(scope)
    if qs is None:
        return None
    return qs.filter(mode__in=VOUCHER_MODES, amount__isnull=False).exclude(status__in=FLOW_EXCLUDED_STATUSES)


def order_tables(scope: Scope) -> list[Table]:
    qs = _orders_of_year(scope)
    if qs is None:
        return []
    Order = qs.model
    modes = dict(Order._meta.get_field("mode").choices)
    statuses = dict(Order._meta.get_field("status").choices)
    grouped = list(qs.values("mode", "status").annotate(n=Count("pk"), amount=Sum("amount")).order_by())
    by_mode_status = Table(
        "orders",
        "订单：按券类型与订单状态",
        ["券类型", "订单状态", "订单数", "服务金额(元)"],
        chart_label=None,
    )
    mode_order, status_order = list(modes), list(statuses)
    grouped.sort(key=lambda r: (mode_order.index(r["mode"]), status_order.index(r["status"])))
    for r in grouped:
        by_mode_status.rows.append([modes[r["mode"]], statuses[r["status"]], r["n"], _money(r["amount"])])
    totals = {}
    for r in grouped:
        t = totals.setdefault(r["mode"], [0, ZERO])
        t[0] += r["n"]
        t[1] += r["amount"] or ZERO
    by_mode = Table(
        "orders_by_mode", "订单：按券类型", ["券类型", "订单数", "服务金额(元)"], chart_label=0, chart_value=1
    )
    for mode in mode_order:
        if mode in totals:
            by_mode.rows.append([modes[mode], totals[mode][0], _money(totals[mode][1])])

    flows = _flow_orders(scope)
    spend = {
        r["enterprise__region"]: r
        for r in flows.values("enterprise__region")
        .annotate(amount=Sum("amount"), share=Sum("voucher_share"))
        .order_by()
    }
    leverage = Table(
        "leverage",
        "每券元带动服务金额（企业服务金额 ÷ 券支付金额）",
        ["区域", "服务金额(元)", "券支付金额(元)", "每券元带动服务金额(元)"],
        chart_label=0,
        chart_value=3,
    )
    for region_id, name in scope.regions.items():
        r = spend.get(region_id, {})
        amount, share = _money(r.get("amount")), _money(r.get("share"))
        ratio = (amount / share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if share else "—"
        leverage.rows.append([name, amount, share, ratio])
    return [by_mode, by_mode_status, leverage]


def flow_table(scope: Scope) -> Table | None:
    """The 通用通兑 flow: buyer region (rows) × the institution's province (columns), by amount."""
    flows = _flow_orders(scope)
    if flows is None:
        return None
    cells = {}
    for r in flows.values("enterprise__region", "institution__region").annotate(amount=Sum("amount")).order_by():
        province = (r["institution__region"] or "")[:2] + "0000"
        key = (r["enterprise__region"], province)
        cells[key] = cells.get(key, ZERO) + (r["amount"] or ZERO)
    provinces = sorted({p for _, p in cells})
    names = dict(Division.objects.filter(code__in=provinces).values_list("code", "name"))
    header = ["买方区域 \\ 机构所在省份", *[names.get(p, p) for p in provinces], "合计(元)"]
    table = Table("flows", "跨区域流向（服务金额，元）", header, chart_label=0, chart_value=len(header) - 1)
    for region_id, name in scope.regions.items():
        row = [_money(cells.get((region_id, p))) for p in provinces]
        table.rows.append([name, *row, _money(sum(row, ZERO))])
    return table


def top_tables(scope: Scope) -> list[Table]:
    flows = _flow_orders(scope)
    if flows is None:
        return []
    categories = Table("top_categories", f"热门服务类别（前{TOP_N}）", ["服务类别", "订单数", "服务金额(元)"], [], 0, 2)
    for r in (
        flows.exclude(category__isnull=True)
        .values("category__name")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by("-amount", "category__name")[:TOP_N]
    ):
        categories.rows.append([r["category__name"], r["n"], _money(r["amount"])])
    institutions = Table(
        "top_institutions", f"热门服务机构（前{TOP_N}）", ["服务机构", "订单数", "服务金额(元)"], [], 0, 2
    )
    for r in (
        flows.values("institution_name")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by("-amount", "institution_name")[:TOP_N]
    ):
        institutions.rows.append([r["institution_name"], r["n"], _money(r["amount"])])
    return [categories, institutions]


def redemption_table(scope: Scope) -> Table | None:
    Application = _model("redemption.RedemptionApplication")
    Disbursement = _model("redemption.Disbursement")
    if Application is None:
        return None
    base = Application.objects.filter(submitted_at__year=scope.year, enterprise__region__in=scope.region_ids).exclude(
        status="draft"
    )
    grouped = {
        r["enterprise__region"]: r
        for r in base.values("enterprise__region")
        .annotate(
            n=Count("pk"),
            applied=Sum("redeem_amount"),
            approved_n=Count("pk", filter=Q(status__in=APPROVED_REDEMPTION_STATUSES)),
            approved=Sum("approved_amount", filter=Q(status__in=APPROVED_REDEMPTION_STATUSES)),
        )
        .order_by()
    }
    paid = {}
    if Disbursement is not None:
        paid = {
            r["application__enterprise__region"]: r
            for r in Disbursement.objects.filter(application__in=base)
            .values("application__enterprise__region")
            .annotate(n=Count("pk"), amount=Sum("amount"))
            .order_by()
        }
    table = Table(
        "redemption",
        "兑付：申请、核定与拨付",
        ["区域", "申请数", "兑现金额(元)", "核定数", "核定金额(元)", "拨付数", "拨付金额(元)"],
        chart_label=0,
        chart_value=6,
    )
    for region_id, name in scope.regions.items():
        g, p = grouped.get(region_id, {}), paid.get(region_id, {})
        table.rows.append(
            [
                name,
                g.get("n", 0),
                _money(g.get("applied")),
                g.get("approved_n", 0),
                _money(g.get("approved")),
                p.get("n", 0),
                _money(p.get("amount")),
            ]
        )
    return table


def duration_table(scope: Scope) -> Table | None:
    orders = _orders_of_year(scope)
    Application = _model("redemption.RedemptionApplication")
    if orders is None and Application is None:
        return None
    accept = {}
    if orders is not None:
        accept = {
            r["enterprise__region"]: r["days"]
            for r in orders.filter(accepted_at__isnull=False)
            .values("enterprise__region")
            .annotate(
                days=Median(
                    ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField()),
                    output_field=DurationField(),
                )
            )
            .order_by()
        }
    paid = {}
    if Application is not None and _model("redemption.Disbursement") is not None:
        paid = {
            r["enterprise__region"]: r["days"]
            for r in Application.objects.filter(
                submitted_at__year=scope.year,
                enterprise__region__in=scope.region_ids,
                disbursement__isnull=False,
            )
            .values("enterprise__region")
            .annotate(
                days=Median(
                    ExpressionWrapper(
                        F("disbursement__paid_on") - TruncDate("submitted_at"),
                        output_field=DurationField(),
                    ),
                    output_field=DurationField(),
                )
            )
            .order_by()
        }
    table = Table(
        "durations",
        "办理时长（中位数，天）",
        ["区域", "下单→接单", "提交→拨付"],
        chart_label=0,
        chart_value=1,
    )
    for region_id, name in scope.regions.items():
        table.rows.append([name, _days(accept.get(region_id)), _days(paid.get(region_id))])
    return table


def all_tables(scope: Scope) -> list[Table]:
    tables: list[Table] = []
    if not scope.region_ids:
        return tables
    for produced in (
        voucher_table(scope),
        *order_tables(scope),
        flow_table(scope),
        *top_tables(scope),
        redemption_table(scope),
        duration_table(scope),
    ):
        if produced is not None:
            tables.append(produced)
    return tables


# --- Cached tables (issue 9): the aggregates scan a year of orders, so the page reads them
# from the cache; config.tasks.refresh_statistics recomputes them on a schedule. ------------


def _cache_key(scope: Scope) -> str:
    return f"statistics:v1:{scope.year}:{','.join(map(str, sorted(scope.region_ids)))}"


def cached_tables(scope: Scope, *, refresh: bool = False) -> list[Table]:
    """``all_tables(scope)``, computed at most once per STATISTICS_CACHE_SECONDS."""
    from django.conf import settings
    from django.core.cache import cache

    key = _cache_key(scope)
    tables = None if refresh else cache.get(key)
    if tables is None:
        tables = all_tables(scope)
        seconds = getattr(settings, "STATISTICS_CACHE_SECONDS", 900)
        # A new stamp with every computation: HTML rendered from older tables is not reused.
        cache.set_many({key: tables, f"{key}:stamp": time.time_ns()}, seconds)
    return tables


def cached_html(scope: Scope, variant: str, render) -> str:
    """The HTML ``render()`` makes of this scope's cached tables (the same for every
    administrator of the scope), kept until the tables are computed again: rendering nine
    tables and charts cost more than the rest of the page (issue 9). ``variant``: what
    else the HTML depends on (a normalised query string), never raw user input."""
    from django.conf import settings
    from django.core.cache import cache

    stamp = cache.get(f"{_cache_key(scope)}:stamp")
    key = f"{_cache_key(scope)}:html:{variant}:{stamp}"
    html = cache.get(key) if stamp is not None else None
    if html is None:
        html = render()
        if stamp is not None:
            cache.set(key, html, getattr(settings, "STATISTICS_CACHE_SECONDS", 900))
    return html


def refresh_all(year: int | None = None) -> int:
    """Recompute the cached tables of each region and of all regions together (what the
    regional and platform administrators open); returns the number of scopes computed."""
    regions = dict(PilotRegion.objects.order_by("sort_order", "code").values_list("pk", "name"))
    year = year or timezone.localdate().year
    scopes = [{pk: name} for pk, name in regions.items()] + ([regions] if len(regions) > 1 else [])
    for chosen in scopes:
        cached_tables(Scope(year=year, region_ids=list(chosen), regions=chosen), refresh=True)
    return len(scopes)


def year_choices(scope: Scope) -> list[int]:
    this = timezone.localdate().year
    years = set(range(this - 4, this + 1)) | {scope.year}
    return sorted(years, reverse=True)
