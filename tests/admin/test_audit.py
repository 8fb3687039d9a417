"""The audit trail: actor/IP from the request, masking, append-only, scoped admin + CSV."""

import pytest
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from accounts import audit
from accounts.models import AuditEntry
from tests.factories import region, valid_id_number


def _through_middleware(request, fn):
    def view(req):
        fn()
        return HttpResponse("ok")

    return audit.AuditContextMiddleware(view)(request)


@pytest.mark.django_db
def test_record_takes_actor_and_ip_from_the_request(wujiang_admin):
    request = RequestFactory().post("/x", REMOTE_ADDR="10.1.2.3")
    request.user = wujiang_admin
    _through_middleware(request, lambda: audit.record("test.action", wujiang_admin, note="备注"))
    row = AuditEntry.objects.get()
    assert row.actor == wujiang_admin
    assert row.ip == "10.1.2.3"
    assert row.object_type == "accounts.user"
    assert row.object_id == str(wujiang_admin.pk)
    assert "admin_wujiang" in row.actor_label


@pytest.mark.django_db
def test_forwarded_for_is_ignored_without_trusted_proxies(wujiang_admin):
    request = RequestFactory().post("/x", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    request.user = wujiang_admin
    _through_middleware(request, lambda: audit.record("test.action"))
    assert AuditEntry.objects.get().ip == "10.0.0.9"


@pytest.mark.django_db
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_forwarded_for_counts_behind_a_trusted_proxy(wujiang_admin):
    request = RequestFactory().post("/x", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    request.user = wujiang_admin
    _through_middleware(request, lambda: audit.record("test.action"))
    assert AuditEntry.objects.get().ip == "1.2.3.4"


@pytest.mark.django_db
def test_outside_a_request_the_actor_is_the_system_or_acting_as(wujiang_admin):
    audit.record("task.run")
    with audit.acting_as(wujiang_admin, ip="127.0.0.1"):
        audit.record("task.run")
    rows = list(AuditEntry.objects.order_by("id"))
    assert rows[0].actor is None and rows[0].actor_label == "系统"
    assert rows[1].actor == wujiang_admin and rows[1].ip == "127.0.0.1"


@pytest.mark.django_db
def test_sensitive_values_are_masked():
    id_number = valid_id_number(7)
    audit.record(
        "enterprise.registration_change",
        before={"id_number": id_number, "contact_phone": "13912345678", "name": "甲"},
        after={"legal_person": {"证件号码": id_number}, "text": f"联系人证件{id_number}，电话13800001111"},
        note=f"手机号 13700002222 证件 {id_number}",
    )
    row = AuditEntry.objects.get()
    dumped = str(row.before) + str(row.after) + row.note
    assert id_number not in dumped
    assert "13912345678" not in dumped and "13800001111" not in dumped and "13700002222" not in dumped
    assert row.before["id_number"] == id_number[:4] + "*" * 10 + id_number[-4:]
    assert row.before["contact_phone"] == "139****5678"
    assert row.before["name"] == "甲"
    assert "138****1111" in row.after["text"]


@pytest.mark.django_db
def test_values_are_stored_json_safe(wujiang_admin):
    import datetime
    from decimal import Decimal

    audit.record("x.y", before={"amount": Decimal("12.50"), "day": datetime.date(2026, 1, 2), "user": wujiang_admin})
    assert AuditEntry.objects.get().before == {"amount": "12.50", "day": "2026-01-02", "user": wujiang_admin.pk}


@pytest.mark.django_db
def test_rows_cannot_be_updated_or_deleted_in_the_database():
    row = audit.record("x.y", note="原文")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=row.pk).update(note="改写")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        row.note = "改写"
        row.save()
    assert AuditEntry.objects.get(pk=row.pk).note == "原文"


@pytest.fixture
def rows_of_two_regions(db):
    wji = audit.record("voucher_application.approve", region_id=region("WJI").pk, object_label="吴江的申请")
    jsn = audit.record("voucher_application.approve", region_id=region("JSN").pk, object_label="嘉善的申请")
    return wji, jsn


def test_regional_admin_sees_only_rows_of_their_regions(client, wujiang_admin, rows_of_two_regions):
    wji, jsn = rows_of_two_regions
    client.force_login(wujiang_admin)
    response = client.get(reverse("admin:accounts_auditentry_changelist"))
    assert response.status_code == 200
    assert "吴江的申请" in response.text and "嘉善的申请" not in response.text
    assert client.get(reverse("admin:accounts_auditentry_change", args=[wji.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_auditentry_change", args=[jsn.pk])).status_code == 404
    export = client.get(reverse("admin:accounts_auditentry_export"))
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export.status_code == 200
    assert body.splitlines()[0].startswith("时间,操作人,IP地址,操作")
    assert "吴江的申请" in body and "嘉善的申请" not in body


def test_platform_admin_sees_all_and_export_follows_filters(admin_client, rows_of_two_regions):
    response = admin_client.get(reverse("admin:accounts_auditentry_changelist"))
    assert "吴江的申请" in response.text and "嘉善的申请" in response.text
    assert "导出CSV" in response.text
    export = admin_client.get(reverse("admin:accounts_auditentry_export") + f"?region={region('JSN').pk}")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "嘉善的申请" in body and "吴江的申请" not in body


def test_garbage_filters_do_not_break_the_list(admin_client, rows_of_two_regions):
    url = reverse("admin:accounts_auditentry_changelist")
    assert admin_client.get(url + "?region=abc&p=zz").status_code in (200, 302)
    assert admin_client.get(reverse("admin:accounts_auditentry_export") + "?region=x").status_code == 200


def test_audit_log_cannot_be_edited_or_deleted_through_admin(admin_client, wujiang_admin, rows_of_two_regions):
    wji, _ = rows_of_two_regions
    change = reverse("admin:accounts_auditentry_change", args=[wji.pk])
    delete = reverse("admin:accounts_auditentry_delete", args=[wji.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert admin_client.post(change, {"note": "改写"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    changelist = admin_client.post(
        reverse("admin:accounts_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [wji.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=wji.pk, note="").exists()
    assert AuditEntry.objects.count() == 2


def test_audit_list_query_count_is_bounded(admin_client, django_assert_max_num_queries, db):
    for i in range(30):
        audit.record("x.y", region_id=region("WJI").pk, object_label=f"对象{i}")
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("admin:accounts_auditentry_changelist")).status_code == 200
