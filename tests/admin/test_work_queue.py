"""The admin home page as a work queue: scoped counts, each linking to its filtered list."""

import re

import pytest
from django.urls import reverse

from config.admin_home import work_queue
from tests.admin.data import build, has_model

pytestmark = pytest.mark.django_db


def counts(user) -> dict[str, int]:
    return {item.label: item.count for item in work_queue(user)}


def test_regional_admin_queue_counts(wujiang_admin):
    build()
    got = counts(wujiang_admin)
    assert got["创新券申请待审核"] == 1  # 吴江's pending one; 嘉善's is approved anyway
    assert got["订单待额度确认"] == 1  # q1
    if has_model("redemption.RedemptionApplication"):
        assert got["兑付申请待区域审核"] == 1  # r2 (嘉善's j1 not counted)
        assert got["兑付申请待指派专家"] == 1  # r4
        assert got["公示3天内结束"] == 1  # r5 ends in 2 days, r6 in 10
        assert got["待拨付"] == 1  # r7


def test_other_region_admin_sees_their_own_numbers(other_region_admin):
    build()
    got = counts(other_region_admin)
    assert got["创新券申请待审核"] == 0
    assert got["订单待额度确认"] == 0
    if has_model("redemption.RedemptionApplication"):
        assert got["兑付申请待区域审核"] == 1  # j1


def test_index_page_links_to_filtered_lists(client, wujiang_admin, django_assert_max_num_queries):
    build()
    client.force_login(wujiang_admin)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.text
    assert "工作台" in html and "统计分析" in html
    link = re.search(r'href="([^"]+)" data-queue="创新券申请待审核"', html).group(1).replace("&amp;", "&")
    assert link.startswith(reverse("admin:vouchers_voucherapplication_changelist")) and "status__exact=pending" in link
    listing = client.get(link)
    assert listing.status_code == 200 and "吴江甲公司" in listing.text
    order_link = re.search(r'href="([^"]+)" data-queue="订单待额度确认"', html).group(1).replace("&amp;", "&")
    page = client.get(order_link)
    assert page.status_code == 200 and "CSJ-STAT-000007" in page.text


def test_every_queue_link_opens(client, wujiang_admin, admin_client):
    build()
    client.force_login(wujiang_admin)
    for item in work_queue(wujiang_admin):
        if item.url:
            response = client.get(item.url)
            assert response.status_code == 200, (item.label, item.url)
            assert "?e=1" not in response.get("Location", "")


def test_platform_admin_sees_everything(admin_user):
    build()
    got = counts(admin_user)
    if has_model("redemption.RedemptionApplication"):
        assert got["兑付申请待区域审核"] == 2


def test_enterprise_users_get_no_queue(buyer_a):
    assert work_queue(buyer_a) == []


def test_expert_sees_what_waits_for_their_score(client):
    from tests.redemption.conftest import make_expert

    data = build()
    expert = make_expert("expert_queue")
    if not has_model("redemption.ExpertAssignment"):
        assert counts(expert) == {}
        return
    from redemption.models import ExpertAssignment

    ExpertAssignment.objects.create(application=data["redemption"]["r4"], expert=expert)
    (item,) = work_queue(expert)
    assert item.label == "待我评审" and item.count == 1 and item.url
    client.force_login(expert)
    assert client.get(reverse("admin:index")).status_code == 200
