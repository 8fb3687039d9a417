import pytest
from django.urls import reverse

from accounts.models import User
from enterprises import selectors, services
from enterprises.exceptions import MemberError
from enterprises.models import EnterpriseMember
from tests.accounts.helpers import image_upload
from tests.factories import EnterpriseFactory, UserFactory, enterprise_user

pytestmark = pytest.mark.django_db

BASIC = {
    "legal_representative": "沈一鸣",
    "established_on": "2015-06-01",
    "registered_capital": "500.00",
    "industry": "软件和信息技术服务业",
    "employees": "120",
    "rd_staff": "30",
    "last_year_revenue": "8000.50",
    "last_year_rd_spend": "600.00",
    "is_high_tech": "on",
    "high_tech_cert_no": "GR202132001234",
    "is_tech_sme": "",
    "tech_sme_no": "",
    "contact_person": "沈一鸣",
    "contact_phone": "0512-63000000",
    "address": "苏州市吴江区中山南路1号",
    "introduction": "专注于智能制造电子产品研发。",
}


def test_basic_info_completes(client, buyer_a):
    client.force_login(buyer_a)
    enterprise = buyer_a.enterprise_membership.enterprise
    body = client.get(reverse("enterprises:basic_info")).content.decode()
    assert "基本信息完整度" in body and enterprise.uscc in body and "不可自行修改" in body
    r = client.post(reverse("enterprises:basic_info"), BASIC)
    assert r.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.basic_info_complete and str(enterprise.registered_capital) == "500.00"
    assert "100%" in client.get(reverse("enterprises:basic_info")).content.decode()


def test_registration_data_cannot_be_changed_on_the_page(client, buyer_a):
    client.force_login(buyer_a)
    enterprise = buyer_a.enterprise_membership.enterprise
    client.post(reverse("enterprises:basic_info"), {**BASIC, "uscc": "91000000000000000X", "division": "310101"})
    enterprise.refresh_from_db()
    assert enterprise.division_id == "320509" and enterprise.uscc != "91000000000000000X"


@pytest.mark.parametrize(
    "field,value",
    [
        ("registered_capital", "-1"),
        ("registered_capital", "abc"),
        ("employees", "-5"),
        ("rd_staff", "500"),
        ("established_on", "2999-01-01"),
        ("contact_phone", "电话"),
        ("high_tech_cert_no", ""),
        ("legal_representative", ""),
    ],
)
def test_basic_info_errors(client, buyer_a, field, value):
    client.force_login(buyer_a)
    r = client.post(reverse("enterprises:basic_info"), {**BASIC, field: value})
    assert r.status_code == 200
    assert field in r.context["form"].errors
    enterprise = buyer_a.enterprise_membership.enterprise
    enterprise.refresh_from_db()
    assert not enterprise.basic_info_complete


def test_operator_sees_basic_info_read_only(client, buyer_a):
    enterprise = buyer_a.enterprise_membership.enterprise
    operator = enterprise_user("op1", enterprise, is_admin=False)
    client.force_login(operator)
    r = client.get(reverse("enterprises:basic_info"))
    assert "仅可查看" in r.content.decode()
    client.post(reverse("enterprises:basic_info"), BASIC)
    enterprise.refresh_from_db()
    assert enterprise.legal_representative == ""
    with pytest.raises(MemberError):
        services.update_basic_info(enterprise, operator, {"industry": "x"})


def test_user_without_enterprise_gets_404(client):
    user = UserFactory(username="loner")
    client.force_login(user)
    for name in ("enterprises:basic_info", "enterprises:members", "enterprises:join"):
        assert client.get(reverse(name)).status_code == 404


def test_members_add_disable_enable_remove(client, buyer_a):
    client.force_login(buyer_a)
    enterprise = buyer_a.enterprise_membership.enterprise
    r = client.post(
        reverse("enterprises:members"),
        {
            "username": "operator_1",
            "real_name": "李四",
            "phone": "13566667777",
            "password1": "Op3r@tor99",
            "password2": "Op3r@tor99",
        },
    )
    assert r.status_code == 302
    op = User.objects.get(username="operator_1")
    member = EnterpriseMember.objects.get(user=op)
    assert member.enterprise == enterprise and not member.is_admin
    assert client.login(username="operator_1", password="Op3r@tor99")
    client.force_login(buyer_a)
    client.post(reverse("enterprises:member_disable", args=[member.pk]))
    op.refresh_from_db()
    assert not op.is_active
    client.post(reverse("enterprises:member_enable", args=[member.pk]))
    op.refresh_from_db()
    assert op.is_active
    client.post(reverse("enterprises:member_remove", args=[member.pk]))
    op.refresh_from_db()
    assert not op.is_active and not EnterpriseMember.objects.filter(pk=member.pk).exists()


def test_operator_form_errors(client, buyer_a, buyer_b):
    client.force_login(buyer_a)
    r = client.post(
        reverse("enterprises:members"),
        {"username": "buyer_b", "real_name": "", "phone": buyer_b.phone, "password1": "1", "password2": "2"},
    )
    errors = r.context["form"].errors
    assert {"username", "real_name", "phone", "password2"} <= set(errors)


def test_operator_cannot_manage_users(client, buyer_a):
    enterprise = buyer_a.enterprise_membership.enterprise
    operator = enterprise_user("op2", enterprise, is_admin=False)
    other = enterprise_user("op3", enterprise, is_admin=False)
    client.force_login(operator)
    assert "只有单位管理员可以管理用户" in client.get(reverse("enterprises:members")).content.decode()
    other_member = other.enterprise_membership
    assert client.post(reverse("enterprises:member_disable", args=[other_member.pk])).status_code == 404
    other.refresh_from_db()
    assert other.is_active
    with pytest.raises(Exception):
        selectors.require_enterprise_admin(operator)


def test_admin_cannot_touch_other_enterprises_members(client, buyer_a, buyer_b):
    client.force_login(buyer_a)
    member_b = buyer_b.enterprise_membership
    client.post(reverse("enterprises:member_disable", args=[member_b.pk]))
    client.post(reverse("enterprises:member_remove", args=[member_b.pk]))
    buyer_b.refresh_from_db()
    assert buyer_b.is_active and EnterpriseMember.objects.filter(pk=member_b.pk).exists()


def test_transfer_admin_swaps_atomically(client, buyer_a):
    enterprise = buyer_a.enterprise_membership.enterprise
    operator = enterprise_user("op4", enterprise, is_admin=False)
    client.force_login(buyer_a)
    r = client.post(reverse("enterprises:member_transfer", args=[operator.enterprise_membership.pk]))
    assert r.status_code == 302
    assert EnterpriseMember.objects.filter(enterprise=enterprise, is_admin=True).get().user == operator
    assert not EnterpriseMember.objects.get(user=buyer_a).is_admin
    from accounts.models import AuditEntry

    assert AuditEntry.objects.filter(action="enterprise.admin_transfer").exists()
    # the former administrator is now an operator
    assert "只有单位管理员" in client.get(reverse("enterprises:members")).content.decode()


def test_members_page_query_count_is_flat(client, buyer_a, django_assert_max_num_queries):
    enterprise = buyer_a.enterprise_membership.enterprise
    for n in range(12):
        enterprise_user(f"many{n}", enterprise, is_admin=False)
    client.force_login(buyer_a)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("enterprises:members"))
    assert r.status_code == 200
    assert client.get(reverse("enterprises:members"), {"page": "abc"}).status_code == 200
    assert client.get(reverse("enterprises:members"), {"page": "999"}).status_code == 200


def test_licence_visible_to_own_users_and_region_admins_only(
    client, buyer_a, buyer_b, wujiang_admin, other_region_admin
):
    enterprise = buyer_a.enterprise_membership.enterprise
    enterprise.licence.save("x", image_upload("PNG"), save=True)
    url = reverse("enterprises:licence", args=[enterprise.pk])
    client.force_login(buyer_a)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and r["X-Content-Type-Options"] == "nosniff"
    assert "private" in r["Cache-Control"]
    operator = enterprise_user("op5", enterprise, is_admin=False)
    client.force_login(operator)
    assert client.get(url).status_code == 200
    client.force_login(wujiang_admin)
    assert client.get(url).status_code == 200
    for outsider in (buyer_b, other_region_admin):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(buyer_b)
    assert client.get(reverse("enterprises:licence", args=[999999])).status_code == 404
    # enterprise without a licence
    e2 = EnterpriseFactory()
    client.force_login(buyer_a)
    assert client.get(reverse("enterprises:licence", args=[e2.pk])).status_code == 404


def test_complete_page_only_for_users_without_enterprise(client, buyer_a, wujiang_admin):
    client.force_login(buyer_a)
    assert client.get(reverse("enterprises:complete")).status_code == 302
    client.force_login(wujiang_admin)
    assert client.get(reverse("enterprises:complete")).status_code == 404


def test_basic_info_query_count(client, buyer_a, django_assert_max_num_queries):
    client.force_login(buyer_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("enterprises:basic_info")).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["enterprises:basic_info", "enterprises:members", "enterprises:join", "accounts:profile", "accounts:password"],
)
def test_an_empty_post_shows_errors_and_changes_nothing(client, buyer_a, name):
    client.force_login(buyer_a)
    r = client.post(reverse(name), {})
    assert r.status_code == 200
    assert r.context["form"].errors
