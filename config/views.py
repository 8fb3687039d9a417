"""Project-wide pages: the public home page, the 买家中心 首页 and a health check.
They only read, through the selectors of the apps."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from config.menus import url_or_none
from enterprises.models import PilotRegion, RegionPolicy
from enterprises.selectors import division_with_parents, enterprise_for_user
from messaging.selectors import inbox_for_user
from vouchers.selectors import buyer_summary


def home(request):
    regions = list(PilotRegion.objects.filter(is_active=True).select_related("division__parent__parent"))
    # Each region's policy in force today, in one query (no query per region).
    current = {
        p.region_id: p
        for p in RegionPolicy.objects.filter(region__in=regions, effective_from__lte=timezone.localdate())
        .order_by("region_id", "-effective_from", "-id")
        .distinct("region_id")
    }
    for region in regions:
        region._current_policy = current.get(region.pk)
    # 我要申领 / 额度查询 lead to the voucher pages; until they exist, to the 买家中心.
    fallback = reverse("buyer_home")
    context = {
        "regions": regions,
        "apply_url": url_or_none("vouchers:apply") or fallback,
        "quota_url": url_or_none("vouchers:quota") or fallback,
    }
    return render(request, "home.html", context)


@login_required
def buyer_home(request):
    enterprise = enterprise_for_user(request.user)
    if enterprise is not None:
        enterprise.division = division_with_parents(enterprise.division_id)  # 注册所在地 in one query
    latest_messages = list(inbox_for_user(request.user)[:5])
    voucher_summary = buyer_summary(enterprise)
    return render(
        request,
        "buyer/home.html",
        {
            "enterprise": enterprise,
            "latest_messages": latest_messages,
            "voucher_summary": voucher_summary,
            "menu": "首页",
        },
    )


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
