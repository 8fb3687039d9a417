"""Audit rows for each kind of decision that exists: voucher applications (通过 / 驳回 /
退回修改, through the admin action so actor and IP come from the request), voucher issue,
ledger hold / release / consume, void, import, programme budget, 申请加盟, registration
data, 基本信息, policy changes in admin."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from enterprises import services as enterprise_services
from enterprises.models import Division, JoinApplication, RegionPolicy
from enterprises.selectors import enterprise_for_user
from tests.factories import EnterpriseFactory, make_programme, make_voucher, region, valid_uscc
from tests.vouchers.conftest import complete_basic_info
from vouchers import services as voucher_services
from vouchers.models import VoucherApplication


def _apply(user, programme, amount="100000.00"):
    enterprise = complete_basic_info(enterprise_for_user(user))
    return voucher_services.submit_application(
        enterprise=enterprise,
        programme_id=programme.pk,
        requested_amount=Decimal(amount),
        intended_services="检测服务",
        expected_results="提升产品质量",
        declaration=True,
        actor=user,
    )


@pytest.mark.django_db
def test_voucher_application_approval_through_admin_is_audited(client, buyer_a, wujiang_admin):
    programme = make_programme("WJI")
    application = _apply(buyer_a, programme)
    submit = AuditEntry.objects.get(action="voucher_application.submit")
    assert submit.actor == buyer_a and submit.region_id == region("WJI").pk

    client.force_login(wujiang_admin)
    response = client.post(
        reverse("admin:vouchers_voucherapplication_changelist"),
        {"action": "approve_requested", "_selected_action": [application.pk]},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code in (200, 302)
    application.refresh_from_db()
    assert application.status == VoucherApplication.Status.APPROVED
    row = AuditEntry.objects.get(action="voucher_application.approve")
    assert row.actor == wujiang_admin
    assert row.ip == "192.0.2.10"
    assert row.object_type == "vouchers.voucherapplication" and row.object_id == str(application.pk)
    assert row.before == {"status": "pending"} and row.after == {"status": "approved"}
    assert row.region_id == region("WJI").pk
    issue = AuditEntry.objects.get(action="voucher_ledger.issue")
    assert issue.after["amount"] == "100000.00" and issue.actor == wujiang_admin


@pytest.mark.django_db
def test_reject_and_return_are_audited_with_reason(buyer_a, buyer_b, wujiang_admin):
    programme = make_programme("WJI")
    first = _apply(buyer_a, programme)
    second = _apply(buyer_b, programme)
    voucher_services.reject_application(first.pk, reason="材料不全", actor=wujiang_admin)
    voucher_services.return_application(second.pk, reason="请补充说明", actor=wujiang_admin)
    reject = AuditEntry.objects.get(action="voucher_application.reject")
    assert reject.note == "材料不全" and reject.after == {"status": "rejected"}
    ret = AuditEntry.objects.get(action="voucher_application.return")
    assert ret.note == "请补充说明" and ret.object_id == str(second.pk)


@pytest.mark.django_db
def test_ledger_moves_void_and_programme_budget_are_audited(wujiang_admin):
    voucher = make_voucher(amount="1000.00")
    voucher_services.voucher_hold(voucher.pk, Decimal("300.00"), cause_type="order", cause_id=1, key="h1")
    voucher_services.voucher_consume(voucher.pk, Decimal("200.00"), cause_type="order", cause_id=1, key="c1")
    voucher_services.voucher_release(voucher.pk, Decimal("100.00"), cause_type="order", cause_id=1, key="r1")
    actions = list(AuditEntry.objects.filter(object_id=str(voucher.pk)).order_by("id").values_list("action", flat=True))
    expected = ["voucher_ledger.issue", "voucher_ledger.hold", "voucher_ledger.consume", "voucher_ledger.release"]
    assert actions == expected
    hold = AuditEntry.objects.get(action="voucher_ledger.hold")
    assert hold.after == {"amount": "300.00", "cause": "order:1", "key": "h1"}
    assert hold.region_id == voucher.region_id

    voucher_services.void_voucher(voucher.pk, actor=wujiang_admin, note="区域管理员作废")
    status = AuditEntry.objects.get(action="voucher.status")
    assert status.before == {"status": "active"} and status.after == {"status": "void"}
    assert status.actor == wujiang_admin

    programme = voucher.programme
    programme.total_budget = Decimal("20000000.00")
    voucher_services.save_programme(programme, actor=wujiang_admin)
    row = AuditEntry.objects.get(action="voucher_programme.save")
    assert row.after["total_budget"] == "20000000.00"
    assert row.before["total_budget"] == "10000000.00"


@pytest.mark.django_db
def test_expiry_by_the_scheduled_task_is_audited_as_system():
    voucher = make_voucher(amount="1000.00", valid_days=1)
    voucher_services.expire_voucher(voucher.pk, today=datetime.date.today() + datetime.timedelta(days=400))
    row = AuditEntry.objects.get(action="voucher.status", object_id=str(voucher.pk))
    assert row.after == {"status": "expired"} and row.actor is None and row.actor_label == "系统"


@pytest.mark.django_db
def test_join_application_decision_is_audited(buyer_a, wujiang_admin):
    enterprise = enterprise_for_user(buyer_a)
    application = JoinApplication.objects.create(
        enterprise=enterprise,
        applicant=buyer_a,
        institution_name="吴江检测中心",
        institution_type="检测机构",
        service_fields="检测",
        contact_person="李四",
        contact_phone="13912340000",
        address="吴江区",
        introduction="简介",
    )
    enterprise_services.decide_join_application(application.pk, wujiang_admin, approve=False, reason="资质不足")
    row = AuditEntry.objects.get(action="join_application.reject")
    assert row.actor == wujiang_admin and row.note == "资质不足"
    assert row.region_id == enterprise.region_id
    assert row.before == {"status": "pending"} and row.after == {"status": "rejected"}


@pytest.mark.django_db
def test_registration_change_and_basic_info_are_audited(buyer_a, wujiang_admin):
    enterprise = enterprise_for_user(buyer_a)
    new_uscc = valid_uscc()
    enterprise_services.change_registration_data(enterprise.pk, wujiang_admin, reason="工商变更", uscc=new_uscc)
    row = AuditEntry.objects.get(action="enterprise.registration_change")
    assert row.after == {"uscc": new_uscc} and row.note == "工商变更"
    assert row.region_id == enterprise.region_id

    enterprise_services.update_basic_info(enterprise, buyer_a, {"contact_phone": "13911112222", "employees": 60})
    info = AuditEntry.objects.get(action="enterprise.basic_info")
    assert info.after["employees"] == 60
    assert info.after["contact_phone"] == "139****2222"  # masked
    assert "legal_representative" not in info.after  # unchanged fields are not repeated


@pytest.mark.django_db
def test_policy_change_in_admin_is_audited(admin_client):
    policy = region("WJI").current_policy
    url = reverse("admin:enterprises_regionpolicy_change", args=[policy.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    data["notice_days"] = policy.notice_days + 2
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = AuditEntry.objects.get(action="region_policy.save")
    assert row.before == {"notice_days": policy.notice_days}
    assert row.after == {"notice_days": policy.notice_days + 2}
    assert row.region_id == policy.region_id
    assert RegionPolicy.objects.get(pk=policy.pk).notice_days == policy.notice_days + 2


@pytest.mark.django_db
def test_other_region_admin_does_not_see_these_rows(client, buyer_a, wujiang_admin, other_region_admin):
    EnterpriseFactory(division=Division.objects.get(code="320509"))
    programme = make_programme("WJI")
    application = _apply(buyer_a, programme)
    voucher_services.reject_application(application.pk, reason="材料不全", actor=wujiang_admin)
    client.force_login(other_region_admin)
    response = client.get(reverse("admin:accounts_auditentry_changelist"))
    assert response.status_code == 200
    assert "voucher_application.reject" not in response.text


@pytest.mark.django_db
def test_enterprise_change_in_admin_is_audited(client, buyer_a, wujiang_admin):
    enterprise = enterprise_for_user(buyer_a)
    url = reverse("admin:enterprises_enterprise_change", args=[enterprise.pk])
    client.force_login(wujiang_admin)
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    data["name"] = "吴江改名科技有限公司"
    for prefix in ("members", "enterprisemember_set", "registration_changes", "registrationchange_set"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    if response.status_code != 302:  # inline management forms of the page
        page = client.get(url)
        for formset in page.context["inline_admin_formsets"]:
            mgmt = formset.formset.management_form
            data.update({mgmt.add_prefix(k): v for k, v in mgmt.initial.items()})
            for i, f in enumerate(formset.formset.forms):
                for k, v in f.initial.items():
                    data[f.add_prefix(k)] = v.pk if hasattr(v, "pk") else v
                data[f.add_prefix("id")] = f.instance.pk
        response = client.post(url, data)
    assert response.status_code == 302
    row = AuditEntry.objects.get(action="enterprise.admin_change")
    assert row.after["name"] == "吴江改名科技有限公司" and row.actor == wujiang_admin
    assert row.region_id == enterprise.region_id
