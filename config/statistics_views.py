"""统计分析 in the admin (/admin/statistics/): tables, server-rendered SVG bar charts and a
CSV export of each table. Staff only (wrapped in admin_view by config/admin_site.py) and
scoped to the regions the user administers (all of them for a platform administrator)."""

from decimal import Decimal

from django.contrib import admin
from django.http import Http404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from config import statistics as stats
from config.admin_audit import csv_response

CHART_WIDTH = 640
LABEL_WIDTH = 170
BAR_HEIGHT = 22
VALUE_WIDTH = 110


def svg_bar_chart(bars: list[tuple[str, Decimal]], title: str) -> str:
    """A horizontal bar chart as inline SVG (no JavaScript, no external library)."""
    if not bars or not any(v > 0 for _, v in bars):
        return ""
    top = max(v for _, v in bars)
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = BAR_HEIGHT * len(bars) + 8
    rows = []
    for i, (label, value) in enumerate(bars):
        y = 4 + i * BAR_HEIGHT
        width = int(span * value / top) if top > 0 and value > 0 else 0
        rows.append((y + 15, label[:14], LABEL_WIDTH, y + 3, max(width, 0), LABEL_WIDTH + width + 6, y + 15, value))
    body = format_html_join(
        "",
        '<text x="4" y="{}" font-size="13" fill="#333">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="15" fill="#417690"></rect>'
        '<text x="{}" y="{}" font-size="12" fill="#333">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="stat-chart" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}"'
        ' role="img" aria-label="{}">{}</svg>',
        CHART_WIDTH,
        height,
        CHART_WIDTH,
        height,
        title,
        body,
    )


def statistics(request):
    all_regions = stats.allowed_regions(request.user)
    scope = stats.make_scope(request.user, request.GET.get("year"), request.GET.get("region"), all_regions)
    tables = stats.cached_tables(scope)  # issue 9: cached, refreshed by config.tasks
    selected_region = scope.region_ids[0] if len(scope.region_ids) == 1 and "region" in request.GET else None
    # The export links repeat the (normalised) choice; a malformed region means all of them.
    query = urlencode({"year": scope.year, **({"region": selected_region} if selected_region else {})})

    def render_sections() -> str:
        sections = [
            {
                "table": t,
                "chart": svg_bar_chart(t.chart_bars(), t.title),
                "export_url": reverse("admin:statistics_export", args=[t.slug]) + "?" + query,
            }
            for t in tables
        ]
        return render_to_string("admin/_statistics_sections.html", {"sections": sections})

    context = {
        **admin.site.each_context(request),
        "title": "统计分析",
        "scope": scope,
        "all_regions": all_regions,
        "selected_region": selected_region,
        "years": stats.year_choices(scope),
        # Rendered by our own template (autoescaped) and kept in the cache as text.
        "sections_html": mark_safe(stats.cached_html(scope, query, render_sections)),  # noqa: S308
        "definitions": stats.DEFINITIONS,
    }
    return TemplateResponse(request, "admin/statistics.html", context)


def export(request, table):
    scope = stats.make_scope(request.user, request.GET.get("year"), request.GET.get("region"))
    for t in stats.all_tables(scope):
        if t.slug == table:
            return csv_response(f"statistics-{t.slug}-{scope.year}.csv", t.header, t.rows)
    raise Http404("没有该统计表")
