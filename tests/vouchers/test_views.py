"""The enterprise's pages: 创新券申请, 我要申领, 额度查询, voucher detail; access and bad input."""

from decimal import Decimal

import pytest
from django.urls import reverse

from enterprises.models import PilotRegion
from enterprises.selectors import enterprise_for_user
from tests.factories import EnterpriseFactory, enterprise_user, make_voucher
from tests.vouchers.conftest import complete_basic_info
from vouchers.models import VoucherApplication
from vouchers.services import voucher_hold

pytestmark = pytest.mark.django_db


def form_data(prog, **kw):
    data = {
        "programme": prog.pk,
        "requested_amount": "120000.00",
        "intended_services": "产品检测",
        "expected_results": "通过认证",
        "declaration": "on",
    }
    data.update(kw)
    return data


def test_apply_from_the_form(client, ready_buyer, wujiang_programme):
    client.force_login(ready_buyer)
    page = client.get(reverse("vouchers:apply"))
    assert page.status_code == 200 and wujiang_programme.title in page.text
    response = client.post(reverse("vouchers:apply"), form_data(wujiang_programme))
    app = VoucherApplication.objects.get()
    assert response.status_code == 302 and response.url == reverse("vouchers:application_detail", args=[app.pk])
    listing = client.get(reverse("vouchers:application_list"))
    assert "待审核" in listing.text and "120000.00" in listing.text
    # The programme is no longer offered.
    assert "没有开放申领" in client.get(reverse("vouchers:apply")).text


@pytest.mark.parametrize(
    "override, message",
    [
        ({"requested_amount": "abc"}, "请输入有效的金额"),
        ({"requested_amount": "-5"}, "申请金额必须大于0"),
        ({"requested_amount": "1.234"}, "金额最多两位小数"),
        ({"requested_amount": "600000"}, "面额上限"),
        ({"declaration": ""}, "请阅读并勾选承诺声明"),
        ({"intended_services": ""}, "请填写拟购买服务"),
        ({"programme": "999999"}, "请选择本区域开放申领的创新券"),
        ({"programme": "x"}, "请选择本区域开放申领的创新券"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(client, ready_buyer, wujiang_programme, override, message):
    client.force_login(ready_buyer)
    response = client.post(reverse("vouchers:apply"), form_data(wujiang_programme, **override))
    assert response.status_code == 200 and message in response.text
    assert not VoucherApplication.objects.exists()


def test_incomplete_basic_info_explains_and_links(client, buyer_a, wujiang_programme):
    client.force_login(buyer_a)
    page = client.get(reverse("vouchers:apply"))
    assert "企业用户必须先完善企业基本信息，才能申领创新券。" in page.text
    assert "法定代表人" in page.text
    response = client.post(reverse("vouchers:apply"), form_data(wujiang_programme))
    assert response.status_code == 200 and not VoucherApplication.objects.exists()


def test_qingpu_shows_where_to_apply(client):
    enterprise = complete_basic_info(EnterpriseFactory(region=PilotRegion.objects.get(code="QPU")))
    user = enterprise_user("qp_user", enterprise)
    client.force_login(user)
    page = client.get(reverse("vouchers:apply"))
    assert "上海创新券平台申领创新券" in page.text and "提交申请" not in page.text


def test_non_enterprise_user_gets_404(client, wujiang_admin):
    client.force_login(wujiang_admin)
    for name in ("vouchers:apply", "vouchers:application_list", "vouchers:quota"):
        assert client.get(reverse(name)).status_code == 404


def test_login_required(client):
    assert client.get(reverse("vouchers:quota")).status_code == 302


def test_quota_and_detail_with_ledger(client, ready_buyer, buyer_b, django_assert_max_num_queries):
    enterprise = enterprise_for_user(ready_buyer)
    vouchers = [make_voucher(enterprise, "1000.00") for _ in range(12)]
    voucher_hold(vouchers[0].pk, Decimal("300.00"), cause_type="order", cause_id=5, key="k1")
    client.force_login(ready_buyer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("vouchers:quota"))
    assert page.status_code == 200
    labels = ("券号", "类型", "年度", "发放金额(元)", "已冻结(元)", "已使用(元)", "券剩余金额(元)", "有效期", "状态")
    assert all(label in page.text for label in labels)
    assert "共 12 条" in page.text
    assert client.get(reverse("vouchers:quota") + "?page=zzz").status_code == 200
    assert client.get(reverse("vouchers:quota") + "?page=999").status_code == 200
    with django_assert_max_num_queries(12):
        detail = client.get(reverse("vouchers:detail", args=[vouchers[0].pk]))
    assert vouchers[0].number in detail.text and "冻结" in detail.text and "订单 #5" in detail.text
    # Another enterprise's voucher / application is a 404.
    client.force_login(buyer_b)
    assert client.get(reverse("vouchers:detail", args=[vouchers[0].pk])).status_code == 404
    assert client.get(reverse("vouchers:detail", args=[999999])).status_code == 404


def test_application_pages_of_another_enterprise_are_404(client, ready_buyer, buyer_b, wujiang_programme):
    client.force_login(ready_buyer)
    client.post(reverse("vouchers:apply"), form_data(wujiang_programme))
    app = VoucherApplication.objects.get()
    client.force_login(buyer_b)
    assert client.get(reverse("vouchers:application_detail", args=[app.pk])).status_code == 404
    assert client.get(reverse("vouchers:application_edit", args=[app.pk])).status_code == 404


def test_application_list_query_count(client, ready_buyer, django_assert_max_num_queries):
    from tests.factories import make_programme
    from vouchers.services import submit_application

    enterprise = enterprise_for_user(ready_buyer)
    for _ in range(11):
        p = make_programme("WJI")
        submit_application(
            enterprise=enterprise,
            programme_id=p.pk,
            requested_amount=Decimal("10"),
            intended_services="a",
            expected_results="b",
            declaration=True,
            actor=ready_buyer,
        )
    client.force_login(ready_buyer)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("vouchers:application_list"))
    assert page.status_code == 200 and "共 11 条" in page.text


def test_returned_application_can_be_edited(client, ready_buyer, wujiang_programme, wujiang_admin):
    from vouchers.services import return_application

    client.force_login(ready_buyer)
    client.post(reverse("vouchers:apply"), form_data(wujiang_programme))
    app = VoucherApplication.objects.get()
    assert client.get(reverse("vouchers:application_edit", args=[app.pk])).status_code == 302
    return_application(app.pk, reason="金额过高", actor=wujiang_admin)
    page = client.get(reverse("vouchers:application_edit", args=[app.pk]))
    assert "金额过高" in page.text
    response = client.post(
        reverse("vouchers:application_edit", args=[app.pk]),
        {"requested_amount": "50000", "intended_services": "检测", "expected_results": "好", "declaration": "on"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "pending" and app.requested_amount == Decimal("50000.00")


def test_buyer_home_summary(client, ready_buyer):
    enterprise = enterprise_for_user(ready_buyer)
    make_voucher(enterprise, "1000.00")
    client.force_login(ready_buyer)
    page = client.get(reverse("buyer_home"))
    assert 'data-testid="voucher-summary"' in page.text and "1000.00" in page.text
