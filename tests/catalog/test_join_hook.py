"""申请加盟 approved → the enterprise becomes a service institution, the applicant its
administrator in 卖家中心 (catalog.services.on_join_approved in JOIN_APPROVED_HOOKS)."""

import pytest
from django.conf import settings
from django.urls import reverse

from catalog.models import Institution, InstitutionStaff
from enterprises.models import JoinApplication
from enterprises.selectors import enterprise_for_user
from enterprises.services import decide_join_application

pytestmark = pytest.mark.django_db


def test_hook_is_configured():
    assert "catalog.services.on_join_approved" in settings.JOIN_APPROVED_HOOKS


def test_approval_creates_the_institution(client, buyer_a, wujiang_admin):
    enterprise = enterprise_for_user(buyer_a)
    application = JoinApplication.objects.create(
        enterprise=enterprise,
        applicant=buyer_a,
        institution_name="吴江智检科技服务中心",
        institution_type="检验检测机构",
        service_fields="汽车电子检测",
        contact_person="沈工",
        contact_phone="0512-63009999",
        address="苏州市吴江区中山南路 1 号",
        introduction="提供汽车电子检测服务。",
    )
    decide_join_application(application.pk, wujiang_admin, approve=True)
    institution = Institution.objects.get(join_application=application)
    assert institution.uscc == enterprise.uscc and institution.region_id == enterprise.division_id
    assert institution.name == "吴江智检科技服务中心" and "汽车电子检测" in institution.qualifications
    staff = InstitutionStaff.objects.get(user=buyer_a)
    assert staff.institution == institution and staff.is_admin
    # Running the hook again changes nothing.
    from catalog.services import on_join_approved

    assert on_join_approved(application) == institution
    assert Institution.objects.count() == 1
    client.force_login(buyer_a)
    assert client.get(reverse("catalog:seller_home")).status_code == 200
