"""统计分析 on a known data set (tests/admin/data.py); every expected number is worked
out by hand in the comments."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from config import statistics as stats
from tests.admin.data import build, has_model

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def data(db):
    return build()


def tables_for(user, **query):
    scope = stats.make_scope(user, query.get("year"), query.get("region"))
    return {t.slug: t for t in stats.all_tables(scope)}


def row(table, label):
    return next(r for r in table.rows if r[0] == label)


def test_vouchers_by_region(data, admin_user):
    t = tables_for(admin_user)["vouchers"]
    # 吴江区: 1 application of 8000; vouchers 10000 + 5000; v1 held 3000 then consumed 2000 of it
    # → held 1000, consumed 2000; budget 1,000,000 of which 15,000 drawn.
    assert row(t, "吴江区")[1:] == [1, D("8000.00"), 2, D("15000.00"), D("1000.00"), D("2000.00"), D("0.00")] + [
        D("1000000.00"),
        D("15000.00"),
    ]
    # 嘉善县: 1 application of 7000, one voucher of 4000.
    assert row(t, "嘉善县")[1:5] == [1, D("7000.00"), 1, D("4000.00")]
    assert row(t, "嘉善县")[8:] == [D("500000.00"), D("4000.00")]


def test_orders_by_mode_and_status(data, admin_user):
    tables = tables_for(admin_user)
    by_mode = {r[0]: r[1:] for r in tables["orders_by_mode"].rows}
    # this year: 通兑 o1 6000 + o2 2000 + o3 1000 (cancelled) + q1 800; 通用 o4; 无券 o5; o6 is last year.
    assert by_mode == {
        "通兑券": [4, D("9800.00")],
        "通用券": [1, D("3000.00")],
        "无券": [1, D("500.00")],
    }
    detail = {(r[0], r[1]): r[2:] for r in tables["orders"].rows}
    assert detail[("通兑券", "已取消")] == [1, D("1000.00")]
    assert detail[("通兑券", "待额度确认")] == [1, D("800.00")]
    assert detail[("通兑券", "已完成")] == [1, D("6000.00")]


def test_cross_region_flow_matrix(data, admin_user):
    t = tables_for(admin_user)["flows"]
    assert t.header == ["买方区域 \\ 机构所在省份", "上海市", "江苏省", "合计(元)"]
    # 吴江区 → 上海 o1 6000; → 江苏 o2 2000 + q1 800 (o3 cancelled, o5 无券, o6 last year excluded).
    assert row(t, "吴江区")[1:] == [D("6000.00"), D("2800.00"), D("8800.00")]
    assert row(t, "嘉善县")[1:] == [D("3000.00"), D("0.00"), D("3000.00")]


def test_top_categories_institutions_and_leverage(data, admin_user):
    tables = tables_for(admin_user)
    assert [r[1:] for r in tables["top_institutions"].rows] == [[2, D("9000.00")], [2, D("2800.00")]]
    assert [r[0] for r in tables["top_institutions"].rows] == ["上海青浦检测所", "吴江本地检测所"]
    assert [r[1:] for r in tables["top_categories"].rows] == [[3, D("8800.00")], [1, D("3000.00")]]
    # 吴江区: 8800 of service for 3000 + 1000 + 0 of voucher → 2.20; 嘉善县 3000 / 1000 → 3.00.
    assert row(tables["leverage"], "吴江区")[1:] == [D("8800.00"), D("4000.00"), D("2.20")]
    assert row(tables["leverage"], "嘉善县")[3] == D("3.00")


def test_median_days(data, admin_user):
    t = tables_for(admin_user)["durations"]
    # 吴江区 接单 after 2, 4 and 1 days → median 2.0; 嘉善县 1 day.
    assert row(t, "吴江区")[1] == D("2.0")
    assert row(t, "嘉善县")[1] == D("1.0")
    if has_model("redemption.Disbursement"):
        assert row(t, "吴江区")[2] == D("10.0")  # submitted 03-01, paid 03-11
        assert row(t, "嘉善县")[2] == "—"


@pytest.mark.skipif(not has_model("redemption.RedemptionApplication"), reason="redemption app not built yet")
def test_redemption_by_region(data, admin_user):
    t = tables_for(admin_user)["redemption"]
    # 吴江区, drafts excluded: r1 3000, r2 1000, r4 600, r5 500, r6 400, r7 300 → 6, 5800;
    # 核定 (公示中/待拨付/已拨付): r1 2500 + r5 500 + r6 400 + r7 300 → 4, 3700; paid r1 2500.
    assert row(t, "吴江区")[1:] == [6, D("5800.00"), 4, D("3700.00"), 1, D("2500.00")]
    assert row(t, "嘉善县")[1:] == [1, D("900.00"), 0, D("0.00"), 0, D("0.00")]


def test_regional_admin_sees_only_their_regions(data, wujiang_admin):
    tables = tables_for(wujiang_admin, region=str(data["e3"].region_id))  # asks for 嘉善县: ignored
    assert [r[0] for r in tables["flows"].rows] == ["吴江区"]
    assert [r[0] for r in tables["vouchers"].rows] == ["吴江区"]
    assert all(r[0] != "嘉善丙公司" for r in tables["top_institutions"].rows)
    # 嘉善县's order o4 (上海青浦检测所 3000) is not counted for 吴江区's administrator.
    assert tables["top_institutions"].rows[0][1:] == [1, D("6000.00")]


def test_year_filter(data, admin_user):
    last = tables_for(admin_user, year=str(data["year"] - 1))
    assert row(last["flows"], "吴江区")[-1] == D("9999.00")


def test_page_renders_with_charts_and_bounded_queries(data, client, wujiang_admin, django_assert_max_num_queries):
    client.force_login(wujiang_admin)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("admin:statistics"))
    assert response.status_code == 200
    html = response.text
    assert "统计分析" in html and "跨区域流向" in html
    assert "嘉善县" not in html  # neither a row nor a region choice of another region
    assert "<svg" in html and "<script>" not in html  # server-rendered chart, no inline script
    assert "导出CSV" in html


def test_page_query_count_does_not_grow_with_rows(client, admin_user, django_assert_max_num_queries):
    build()
    client.force_login(admin_user)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("admin:statistics")).status_code == 200


def test_csv_export(data, client, wujiang_admin):
    client.force_login(wujiang_admin)
    response = client.get(reverse("admin:statistics_export", args=["flows"]) + f"?year={data['year']}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["买方区域 \\ 机构所在省份", "上海市", "江苏省", "合计(元)"]
    assert rows[1] == ["吴江区", "6000.00", "2800.00", "8800.00"]
    assert len(rows) == 2


def test_bad_input_and_access(data, client, wujiang_admin, buyer_a):
    client.force_login(wujiang_admin)
    assert client.get(reverse("admin:statistics") + "?year=abc&region=%00x").status_code == 200
    assert client.get(reverse("admin:statistics") + "?year=99999").status_code == 200
    assert client.get(reverse("admin:statistics_export", args=["nope"])).status_code == 404
    client.force_login(buyer_a)  # not staff: the admin login page, never the numbers
    response = client.get(reverse("admin:statistics"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_rendered_tables_follow_the_next_computation(data, client, admin_user, settings):
    from config.statistics import refresh_all
    from orders.models import Order

    settings.STATISTICS_CACHE_SECONDS = 900
    refresh_all(data["year"])
    client.force_login(admin_user)
    url = reverse("admin:statistics") + f"?year={data['year']}"
    first = _sections(client.get(url).text)
    assert first == _sections(client.get(url).text)  # served from the cached HTML
    Order.objects.filter(pk=data["orders"]["o2"].pk).update(amount=D("2100.00"))
    assert "8900.00" not in client.get(url).text  # still the computed tables
    refresh_all(data["year"])  # the beat task
    assert "8900.00" in client.get(url).text


def test_export_links_carry_only_a_valid_region(data, client, admin_user):
    client.force_login(admin_user)  # all regions: a malformed choice means all of them
    html = client.get(reverse("admin:statistics") + "?region=%3Cx%3E&year=2025").text
    assert "导出CSV" in _sections(html) and "region=" not in _sections(html)


def _sections(html: str) -> str:
    """The tables and charts: between the filter form and 统计口径."""
    return html.split('<form method="get" class="stat-filter"')[1].split("</form>", 1)[1].split("统计口径")[0]
