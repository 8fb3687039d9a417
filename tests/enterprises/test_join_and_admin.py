import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from enterprises import services
from enterprises.exceptions import TransitionNotAllowed
from enterprises.models import Enterprise, JoinApplication, RegistrationChange
from messaging.models import Message
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db

HOOK_CALLS = []


def record_hook(application):
    assert transaction.get_connection().in_atomic_block
    HOOK_CALLS.append((application.pk, application.status))


def failing_hook(application):
    raise RuntimeError("catalogue down")


def pdf(name="资质证书.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * 100, content_type="application/pdf")


JOIN = {
    "institution_name": "吴江检测服务中心",
    "institution_type": "检验检测机构",
    "service_fields": "电子检测、可靠性试验",
    "contact_person": "赵六",
    "contact_phone": "0512-63000001",
    "address": "苏州市吴江区",
    "introduction": "CNAS 认可实验室。",
}


def submit(client, user, **extra):
    client.force_login(user)
    return client.post(reverse("enterprises:join"), {**JOIN, "file1": pdf(), **extra})


def test_submit_join_application(client, buyer_a):
    r = submit(client, buyer_a)
    assert r.status_code == 302
    app = JoinApplication.objects.get()
    assert app.status == "pending" and app.files.count() == 1
    assert app.files.get().file.name.startswith("private/join/")
    assert app.history.get().to_status == "pending"
    body = client.get(reverse("enterprises:join")).content.decode()
    assert "待审核" in body and "填写加盟申请" not in body
    # a second one while pending is refused
    client.post(reverse("enterprises:join"), {**JOIN, "file1": pdf()})
    assert JoinApplication.objects.count() == 1


def test_join_form_errors(client, buyer_a):
    client.force_login(buyer_a)
    exe = SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"0" * 50)
    r = client.post(reverse("enterprises:join"), {**JOIN, "contact_phone": "abc", "file1": exe})
    errors = r.context["form"].errors
    assert "contact_phone" in errors and "file1" in errors
    r = client.post(reverse("enterprises:join"), {**JOIN})
    assert "file1" in r.context["form"].errors
    assert not JoinApplication.objects.exists()


def test_join_file_is_private(client, buyer_a, buyer_b, wujiang_admin, other_region_admin):
    submit(client, buyer_a)
    f = JoinApplication.objects.get().files.get()
    url = reverse("enterprises:join_file", args=[f.pk])
    for allowed in (buyer_a, wujiang_admin):
        client.force_login(allowed)
        assert client.get(url).status_code == 200
    for outsider in (buyer_b, other_region_admin):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_approve_runs_the_hooks_in_the_transaction_and_notifies(client, buyer_a, wujiang_admin, settings):
    settings.JOIN_APPROVED_HOOKS = ["tests.enterprises.test_join_and_admin.record_hook"]
    HOOK_CALLS.clear()
    submit(client, buyer_a)
    app = JoinApplication.objects.get()
    services.decide_join_application(app.pk, wujiang_admin, approve=True)
    app.refresh_from_db()
    assert app.status == "approved" and app.decided_by == wujiang_admin
    assert HOOK_CALLS == [(app.pk, "approved")]
    assert Message.objects.filter(recipient=buyer_a, kind="join", text__contains="审核通过").exists()
    assert [h.to_status for h in app.history.all()] == ["pending", "approved"]
    with pytest.raises(TransitionNotAllowed):
        services.decide_join_application(app.pk, wujiang_admin, approve=False, reason="晚了")


def test_a_failing_hook_rolls_the_approval_back(client, buyer_a, wujiang_admin, settings):
    settings.JOIN_APPROVED_HOOKS = ["tests.enterprises.test_join_and_admin.failing_hook"]
    submit(client, buyer_a)
    app = JoinApplication.objects.get()
    with pytest.raises(RuntimeError):
        services.decide_join_application(app.pk, wujiang_admin, approve=True)
    app.refresh_from_db()
    assert app.status == "pending" and app.history.count() == 1


def test_reject_needs_a_reason(client, buyer_a, wujiang_admin):
    submit(client, buyer_a)
    app = JoinApplication.objects.get()
    with pytest.raises(TransitionNotAllowed):
        services.decide_join_application(app.pk, wujiang_admin, approve=False, reason=" ")
    services.decide_join_application(app.pk, wujiang_admin, approve=False, reason="资质文件不全")
    app.refresh_from_db()
    assert app.status == "rejected" and app.reason == "资质文件不全"
    assert Message.objects.filter(recipient=buyer_a, text__contains="资质文件不全").exists()
    # after a rejection the enterprise may apply again
    assert submit(client, buyer_a).status_code == 302
    assert JoinApplication.objects.count() == 2


def test_admin_actions_scoped(client, buyer_a, wujiang_admin, other_region_admin):
    submit(client, buyer_a)
    app = JoinApplication.objects.get()
    changelist = reverse("admin:enterprises_joinapplication_changelist")
    client.force_login(other_region_admin)
    assert app.institution_name not in client.get(changelist).content.decode()
    assert client.get(reverse("admin:enterprises_joinapplication_change", args=[app.pk])).status_code == 404
    client.post(changelist, {"action": "approve_selected", "_selected_action": [app.pk]})
    app.refresh_from_db()
    assert app.status == "pending"

    client.force_login(wujiang_admin)
    assert app.institution_name in client.get(changelist).content.decode()
    assert client.get(reverse("admin:enterprises_joinapplication_change", args=[app.pk])).status_code == 200
    # 驳回 asks for a reason first
    r = client.post(changelist, {"action": "reject_selected", "_selected_action": [app.pk]})
    assert "驳回原因" in r.content.decode()
    r = client.post(changelist, {"action": "reject_selected", "_selected_action": [app.pk], "apply": "1", "reason": ""})
    app.refresh_from_db()
    assert app.status == "pending"
    client.post(
        changelist, {"action": "reject_selected", "_selected_action": [app.pk], "apply": "1", "reason": "不符合条件"}
    )
    app.refresh_from_db()
    assert app.status == "rejected" and app.reason == "不符合条件"


def test_admin_approve_action(client, buyer_a, wujiang_admin):
    submit(client, buyer_a)
    app = JoinApplication.objects.get()
    client.force_login(wujiang_admin)
    client.post(
        reverse("admin:enterprises_joinapplication_changelist"),
        {"action": "approve_selected", "_selected_action": [app.pk]},
    )
    app.refresh_from_db()
    assert app.status == "approved"


def test_enterprise_admin_is_scoped(client, buyer_a, wujiang_admin, other_region_admin):
    enterprise = buyer_a.enterprise_membership.enterprise
    changelist = reverse("admin:enterprises_enterprise_changelist")
    change = reverse("admin:enterprises_enterprise_change", args=[enterprise.pk])
    client.force_login(other_region_admin)
    assert enterprise.name not in client.get(changelist).content.decode()
    assert client.get(change).status_code == 404
    assert client.get(reverse("admin:enterprises_enterprise_registration", args=[enterprise.pk])).status_code == 404
    client.force_login(wujiang_admin)
    assert enterprise.name in client.get(changelist).content.decode()
    body = client.get(change).content.decode()
    assert "修改注册信息" in body
    # uscc / division are read-only on the change form: posting them changes nothing
    client.post(change, {"name": enterprise.name, "uscc": valid_uscc(77), "division": "310101"})
    enterprise.refresh_from_db()
    assert enterprise.division_id == "320509" and enterprise.uscc != valid_uscc(77)


def test_user_admin_is_scoped(client, buyer_a, buyer_b, wujiang_admin, other_region_admin):
    changelist = reverse("admin:accounts_user_changelist")
    client.force_login(wujiang_admin)
    body = client.get(changelist).content.decode()
    assert "buyer_a" in body and "buyer_b" in body
    client.force_login(other_region_admin)
    assert client.get(changelist).status_code == 200
    assert "buyer_a" not in client.get(changelist).content.decode()
    assert client.get(reverse("admin:accounts_user_change", args=[buyer_a.pk])).status_code == 404


def test_registration_change_needs_a_reason_and_is_recorded(client, buyer_a, wujiang_admin):
    enterprise = buyer_a.enterprise_membership.enterprise
    url = reverse("admin:enterprises_enterprise_registration", args=[enterprise.pk])
    client.force_login(wujiang_admin)
    assert client.get(url).status_code == 200
    new_uscc = valid_uscc(4242)
    data = {"uscc": new_uscc, "province": "320000", "city": "320500", "district": "320509", "reason": ""}
    r = client.post(url, data)
    assert r.status_code == 200 and "reason" in r.context["form"].errors
    enterprise.refresh_from_db()
    assert enterprise.uscc != new_uscc
    # moving outside the administrator's regions is refused
    r = client.post(url, {**data, "reason": "工商变更", "province": "330000", "city": "330400", "district": "330421"})
    assert r.status_code == 200 and "district" in r.context["form"].errors
    r = client.post(url, {**data, "reason": "工商变更"})
    assert r.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.uscc == new_uscc
    change = RegistrationChange.objects.get(enterprise=enterprise)
    assert change.field == "uscc" and change.reason == "工商变更" and change.actor == wujiang_admin
    assert Message.objects.filter(recipient=buyer_a, text__contains="注册信息").exists()


def test_registration_change_by_platform_admin_moves_region(buyer_a, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    enterprise = buyer_a.enterprise_membership.enterprise
    from enterprises.models import Division

    services.change_registration_data(enterprise.pk, root, reason="迁址", division=Division.objects.get(code="330421"))
    enterprise.refresh_from_db()
    assert enterprise.region.code == "JSN"
    assert RegistrationChange.objects.get(enterprise=enterprise).field == "division"
    assert Enterprise.objects.filter(pk=enterprise.pk, division_id="330421").exists()


def test_join_page_query_count_is_flat(client, buyer_a, wujiang_admin, django_assert_max_num_queries):
    for _ in range(12):
        submit(client, buyer_a)
        app = JoinApplication.objects.filter(status="pending").get()
        services.decide_join_application(app.pk, wujiang_admin, approve=False, reason="补充材料")
    client.force_login(buyer_a)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("enterprises:join"))
    assert r.content.decode().count("补充材料") == 10  # 10 rows a page
    assert client.get(reverse("enterprises:join"), {"page": "-1"}).status_code == 200


def test_operator_cannot_apply_to_join(client, buyer_a):
    from tests.factories import enterprise_user

    operator = enterprise_user("op_join", buyer_a.enterprise_membership.enterprise, is_admin=False)
    submit(client, operator)
    assert not JoinApplication.objects.exists()


def test_region_admin_sees_the_history_inline(client, buyer_a, wujiang_admin):
    submit(client, buyer_a)
    app = JoinApplication.objects.get()
    services.decide_join_application(app.pk, wujiang_admin, approve=False, reason="历史记录可见")
    client.force_login(wujiang_admin)
    body = client.get(reverse("admin:enterprises_joinapplication_change", args=[app.pk])).content.decode()
    assert "状态记录" in body and "历史记录可见" in body
