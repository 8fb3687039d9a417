"""Pages: 兑付管理 list and form with its htmx dialogs, private files (404 for those not
allowed), the expert page, the public 公示 page, admin actions and exports."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from redemption import services
from redemption.models import RedemptionApplication, Status
from tests.redemption.conftest import add_invoice, completed_order, draft, png_bytes
from vouchers.selectors import ledger_differences

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(qpu_buyer, qpu_item, qpu_voucher, seller, qpu_admin):
    return completed_order(qpu_buyer, qpu_item, qpu_voucher, seller=seller, admin=qpu_admin, quantity=2)


@pytest.fixture
def submitted(qpu_buyer, qpu_voucher, order):
    application = draft(qpu_buyer, qpu_voucher)
    (line,) = services.add_orders(application.pk, actor=qpu_buyer, selections=[(order.pk, None)])
    add_invoice(application, qpu_buyer, "6000.00", line=line)
    return services.submit_application(application.pk, actor=qpu_buyer)


def test_list_and_window_message(client, qpu_buyer, qpu_voucher):
    client.force_login(qpu_buyer)
    response = client.get(reverse("redemption:list"))
    assert response.status_code == 200 and "新增" in response.content.decode()
    policy = qpu_voucher.region.current_policy
    policy.redemption_window_start = datetime.date(2020, 1, 1)
    policy.redemption_window_end = datetime.date(2020, 6, 30)
    policy.save()
    body = client.get(reverse("redemption:list")).content.decode()
    assert "2020-01-01" in body and "2020-06-30" in body and "兑付周期" in body
    assert client.post(reverse("redemption:create"), {"voucher": qpu_voucher.pk}).status_code == 200
    assert not RedemptionApplication.objects.exists()


def test_form_flow_with_dialogs(client, qpu_buyer, qpu_voucher, order):
    client.force_login(qpu_buyer)
    response = client.post(reverse("redemption:create"), {"voucher": qpu_voucher.pk})
    application = RedemptionApplication.objects.get()
    assert response.url == reverse("redemption:edit", args=[application.pk])
    page = client.get(response.url).content.decode()
    assert "券剩余金额(元)" in page and "选择订单" in page and 'maxlength="200"' in page
    dialog = client.get(reverse("redemption:order_dialog", args=[application.pk]), HTTP_HX_REQUEST="true")
    assert order.number in dialog.content.decode()
    filtered = client.get(reverse("redemption:order_dialog", args=[application.pk]), {"number": "nothing"})
    assert order.number not in filtered.content.decode()
    lines = client.post(reverse("redemption:orders_add", args=[application.pk]), {"order": [order.pk]})
    assert "6000.00" in lines.content.decode() and "redemption:close" in lines["HX-Trigger"]
    line = application.lines.get()
    bad = client.post(
        reverse("redemption:invoice_new", args=[application.pk]),
        {
            "line": line.pk,
            "code": "031001900111",
            "number": "12345678",
            "issued_on": "2026-01-05",
            "amount": "6000.00",
            "image": SimpleUploadedFile("f.png", b"not an image", content_type="image/png"),
        },
    )
    assert "只能上传" in bad.content.decode()
    big = client.post(
        reverse("redemption:invoice_new", args=[application.pk]),
        {
            "line": line.pk,
            "code": "031001900111",
            "number": "12345678",
            "issued_on": "2026-01-05",
            "amount": "6000.00",
            "image": SimpleUploadedFile("f.png", b"\x89PNG\r\n\x1a\n" + b"0" * 600 * 1024),
        },
    )
    assert "500KB" in big.content.decode()
    good = client.post(
        reverse("redemption:invoice_new", args=[application.pk]),
        {
            "line": line.pk,
            "code": "031001900111",
            "number": "12345678",
            "issued_on": "2026-01-05",
            "amount": "6000.00",
            "image": SimpleUploadedFile("f.png", png_bytes(), content_type="image/png"),
        },
    )
    assert good.status_code == 200 and 'hx-swap-oob="true"' in good.content.decode()
    line.refresh_from_db()
    assert line.invoice is not None
    attach = client.post(
        reverse("redemption:attachment_new", args=[application.pk]),
        {"file": SimpleUploadedFile("../../合同.pdf", b"%PDF-1.4\n0000", content_type="application/pdf")},
    )
    assert "合同.pdf" in attach.content.decode()
    assert application.attachments.get().file.name.startswith("private/redemption/")
    response = client.post(
        reverse("redemption:edit", args=[application.pk]), {"effect": "效" * 201, "innovation": "x", "submit": "1"}
    )
    assert response.status_code == 200  # too long: stays, nothing submitted
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    response = client.post(
        reverse("redemption:edit", args=[application.pk]),
        {"effect": "通过认证", "innovation": "新结构", "note": "", "submit": "1"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.EXPERT_REVIEW and application.redeem_amount == Decimal("3000.00")
    detail = client.get(reverse("redemption:detail", args=[application.pk])).content.decode()
    assert "待专家评审" in detail


def test_rule_message_shown_in_dialog(client, qpu_buyer, qpu_voucher, order):
    client.force_login(qpu_buyer)
    application = draft(qpu_buyer, qpu_voucher)
    (line,) = services.add_orders(application.pk, actor=qpu_buyer, selections=[(order.pk, None)])
    invoice = add_invoice(application, qpu_buyer, "100.00")
    response = client.post(reverse("redemption:line_invoice", args=[application.pk, line.pk]), {"invoice": invoice.pk})
    body = response.content.decode()
    assert "规则②" in body and order.number in body


def test_files_only_for_those_allowed(
    client, submitted, qpu_buyer, qpu_buyer_b, qpu_admin, other_region_admin, expert, expert_b
):
    services.assign_experts(submitted.pk, [expert.pk], actor=qpu_admin)
    urls = [
        reverse("redemption:attachment_file", args=[submitted.attachments.get().pk]),
        reverse("redemption:invoice_file", args=[submitted.invoices.get().pk]),
    ]
    for user, allowed in (
        (qpu_buyer, True),
        (qpu_buyer_b, False),
        (expert, True),
        (expert_b, False),
        (qpu_admin, True),
        (other_region_admin, False),
    ):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == (200 if allowed else 404), (user.username, url)
            if allowed:
                assert response["Content-Disposition"].startswith("attachment")
                assert response["X-Content-Type-Options"] == "nosniff"
    client.logout()
    assert client.get(urls[0]).status_code == 302  # login first


def test_other_enterprise_gets_404(client, submitted, qpu_buyer_b):
    client.force_login(qpu_buyer_b)
    for name in ("detail", "edit", "order_dialog", "invoice_dialog"):
        assert client.get(reverse(f"redemption:{name}", args=[submitted.pk])).status_code == 404
    assert client.get("/redemption/99999999999999999999/").status_code == 404


def test_expert_sees_only_assignments(client, submitted, qpu_admin, expert, expert_b):
    services.assign_experts(submitted.pk, [expert.pk], actor=qpu_admin)
    client.force_login(expert_b)
    assert client.get(reverse("redemption:expert_review", args=[submitted.pk])).status_code == 404
    assert submitted.number not in client.get(reverse("redemption:expert_list")).content.decode()
    client.force_login(expert)
    assert submitted.number in client.get(reverse("redemption:expert_list")).content.decode()
    url = reverse("redemption:expert_review", args=[submitted.pk])
    page = client.get(url).content.decode()
    assert "服务成效体现" in page and "发票" in page
    response = client.post(url, {"score": "88", "recommended_amount": "3000.00", "opinion": "同意", "no_conflict": ""})
    assert "请声明无利益冲突" in response.content.decode()
    response = client.post(
        url, {"score": "88", "recommended_amount": "3000.00", "opinion": "同意", "no_conflict": "on"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Status.REGION_REVIEW


def _approve(application, admin, expert, amount="2500.00"):
    services.assign_experts(application.pk, [expert.pk], actor=admin)
    services.submit_review(
        application.pk, expert=expert, score=90, opinion="好", recommended_amount=amount, no_conflict=True
    )
    services.approve_application(application.pk, actor=admin, amount=amount)


def test_public_notice_page(client, submitted, qpu_admin, expert, django_assert_max_num_queries):
    _approve(submitted, qpu_admin, expert)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("redemption:notice_list"))
    body = response.content.decode()
    assert submitted.enterprise.name in body and "2500.00" in body and "苏州恒通检测有限公司" in body
    assert submitted.enterprise.uscc not in body and "139" not in body  # no personal data
    assert client.get(reverse("redemption:notice_list"), {"page": "abc", "region": "x'"}).status_code == 200
    assert "兑付公示" in client.get(reverse("home")).content.decode()


def test_list_query_count_flat(client, qpu_buyer, qpu_voucher, django_assert_max_num_queries):
    for _ in range(12):
        services.create_application(user=qpu_buyer, voucher_id=qpu_voucher.pk)
    client.force_login(qpu_buyer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("redemption:list"))
    assert response.status_code == 200 and "共 12 条" in response.content.decode()


def test_order_dialog_query_count_flat(
    client, qpu_buyer, qpu_item, qpu_voucher, seller, qpu_admin, django_assert_max_num_queries
):
    from orders import services as order_services

    for _ in range(11):
        order_services.place_order(user=qpu_buyer, item_id=qpu_item.pk, voucher_id=qpu_voucher.pk)
    application = draft(qpu_buyer, qpu_voucher)
    client.force_login(qpu_buyer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("redemption:order_dialog", args=[application.pk]))
    assert "共 11 条" in response.content.decode()


def _admin_approve(client, application, amount):
    """审核通过 in the admin change list, with 核定金额 ``amount``."""
    data = {"action": "approve_action", ACTION_CHECKBOX_NAME: [application.pk], "apply": "1", "amount": amount}
    return client.post(reverse("admin:redemption_redemptionapplication_changelist"), data)


def test_admin_scoping_actions_and_exports(client, submitted, qpu_admin, other_region_admin, expert):
    change = reverse("admin:redemption_redemptionapplication_change", args=[submitted.pk])
    changelist = reverse("admin:redemption_redemptionapplication_changelist")
    client.force_login(other_region_admin)
    assert client.get(change).status_code == 404
    client.force_login(qpu_admin)
    assert client.get(change).status_code == 200
    response = client.post(
        changelist,
        {"action": "assign_experts_action", ACTION_CHECKBOX_NAME: [submitted.pk], "apply": "1", "experts": [expert.pk]},
    )
    assert response.status_code == 302
    assert submitted.assignments.filter(expert=expert).exists()
    services.submit_review(
        submitted.pk, expert=expert, score=90, opinion="好", recommended_amount="3000.00", no_conflict=True
    )
    assert "不能超过兑现金额" in _admin_approve(client, submitted, "3000.01").content.decode()
    _admin_approve(client, submitted, "2800.00")
    submitted.refresh_from_db()
    assert submitted.status == Status.NOTICE and submitted.approved_amount == Decimal("2800.00")
    csv_response = client.post(changelist, {"action": "export_csv", ACTION_CHECKBOX_NAME: [submitted.pk]})
    assert submitted.number in csv_response.content.decode("utf-8-sig")
    zip_response = client.post(changelist, {"action": "export_zip", ACTION_CHECKBOX_NAME: [submitted.pk]})
    with zipfile.ZipFile(io.BytesIO(zip_response.content)) as archive:
        names = archive.namelist()
    assert any(n.startswith("附件/") for n in names) and any(n.startswith("发票/") for n in names)
    services.end_notice_periods(today=datetime.date.today() + datetime.timedelta(days=10))
    response = client.post(
        changelist,
        {
            "action": "disburse_action",
            ACTION_CHECKBOX_NAME: [submitted.pk],
            "apply": "1",
            "paid_on": datetime.date.today().isoformat(),
            "bank_reference": "ICBC-0001",
            "batch": "第一批",
        },
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.PAID


def test_claim_files_for_institution_expert_and_admin(
    client, buyer_a, buyer_b, seller, wujiang_admin, other_region_admin, institution, expert, expert_b
):
    from enterprises.selectors import enterprise_for_user
    from tests.factories import make_voucher, service_item

    voucher = make_voucher(enterprise_for_user(buyer_a), amount="10000.00")
    item = service_item(institution, price="2000.00", regions=("WJI",))
    claim = _tongdui_claim(buyer_a, seller, wujiang_admin, item, voucher, amount="1000.00")
    order = claim.lines.get().order
    services.assign_experts(claim.pk, [expert.pk], actor=wujiang_admin)
    url = reverse("redemption:claim_file", args=[claim.pk, "proof"])
    for user, allowed in (
        (seller, True),
        (expert, True),
        (wujiang_admin, True),
        (expert_b, False),
        (buyer_b, False),
        (other_region_admin, False),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == (200 if allowed else 404), user.username
        if allowed:
            assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(seller)
    listing = client.get(reverse("redemption:claim_list")).content.decode()
    detail_url = reverse("redemption:claim_detail", args=[claim.pk])
    assert claim.number in listing and detail_url in listing
    # The institution follows its claim: the order, its files and every review step.
    services.submit_review(
        claim.pk, expert=expert, score=80, opinion="好", recommended_amount="1000.00", no_conflict=True
    )
    services.reject_application(claim.pk, actor=wujiang_admin, reason="服务结果证明与订单内容不符")
    detail = client.get(detail_url).content.decode()
    assert order.number in detail and "服务结果证明与订单内容不符" in detail and "已驳回" in detail
    assert reverse("redemption:claim_file", args=[claim.pk, "proof"]) in detail
    assert voucher.number not in detail and "券剩余金额" not in detail  # the buyer's voucher stays theirs
    for user in (buyer_b, other_region_admin, expert_b):
        client.force_login(user)
        assert client.get(detail_url).status_code == 404
    client.force_login(seller)
    assert client.get(reverse("redemption:claim_file", args=[claim.pk, "other"])).status_code == 404
    client.force_login(expert)
    page = client.get(reverse("redemption:expert_review", args=[claim.pk])).content.decode()
    assert "服务结果证明" in page


def test_quick_list_only_where_the_policy_has_it(client, qpu_buyer, mas_buyer, quick_parts):
    from enterprises.selectors import enterprise_for_user
    from tests.factories import make_voucher

    client.force_login(qpu_buyer)
    assert "未开通快速兑付" in client.get(reverse("redemption:quick_list")).content.decode()
    client.force_login(mas_buyer)
    voucher = make_voucher(enterprise_for_user(mas_buyer), amount="5000.00")
    assert "新增" in client.get(reverse("redemption:quick_list")).content.decode()
    response = client.post(
        reverse("redemption:quick_create"),
        {"voucher": voucher.pk, "institution": quick_parts["institution_id"], "category": quick_parts["category_id"]},
    )
    application = RedemptionApplication.objects.get(kind="quick")
    assert response.url == reverse("redemption:edit", args=[application.pk])
    assert "发票管理" in client.get(response.url).content.decode()
    dialog = client.get(reverse("redemption:invoice_dialog", args=[application.pk]))
    assert "新增发票" in dialog.content.decode()


def test_garbage_input_never_500(client, qpu_buyer, qpu_voucher):
    application = draft(qpu_buyer, qpu_voucher)
    client.force_login(qpu_buyer)
    response = client.post(reverse("redemption:orders_add", args=[application.pk]), {"order": ["abc", "-1"]})
    assert response.status_code == 200 and "不存在" in response.content.decode()
    assert client.post(reverse("redemption:orders_add", args=[application.pk]), {}).status_code == 200
    assert client.get(reverse("redemption:invoice_dialog", args=[application.pk]), {"line": "x"}).status_code == 404
    response = client.post(reverse("redemption:line_invoice", args=[application.pk, 999999]), {"invoice": "zz"})
    assert response.status_code == 404
    assert client.get(reverse("redemption:order_dialog", args=[application.pk]), {"page": "9999"}).status_code == 200
    assert client.post(reverse("redemption:create"), {"voucher": "abc"}).status_code == 200


def test_expert_admin_lists_only_own_assignments(client, submitted, qpu_admin, expert, expert_b):
    services.assign_experts(submitted.pk, [expert.pk], actor=qpu_admin)
    url = reverse("admin:redemption_expertassignment_changelist")
    client.force_login(expert)
    body = client.get(url).content.decode()
    assert submitted.enterprise.name in body and reverse("redemption:expert_review", args=[submitted.pk]) in body
    client.force_login(expert_b)
    assert submitted.enterprise.name not in client.get(url).content.decode()


def test_admin_objection_then_a_lower_amount(client, submitted, qpu_admin, expert):
    """异议成立 in the admin; the 审核通过 form then offers at most the amount held again."""
    changelist = reverse("admin:redemption_redemptionapplication_changelist")
    services.assign_experts(submitted.pk, [expert.pk], actor=qpu_admin)
    services.submit_review(
        submitted.pk, expert=expert, score=90, opinion="好", recommended_amount="3000.00", no_conflict=True
    )
    services.approve_application(submitted.pk, actor=qpu_admin, amount="2800.00")
    client.force_login(qpu_admin)
    client.post(
        changelist,
        {"action": "objection_action", ACTION_CHECKBOX_NAME: [submitted.pk], "apply": "1", "reason": "收到举报"},
    )
    submitted.refresh_from_db()
    assert submitted.status == Status.REGION_REVIEW and submitted.consumed_amount == 0
    form = client.post(changelist, {"action": "approve_action", ACTION_CHECKBOX_NAME: [submitted.pk]})
    assert "核定金额最多2800.00元" in form.content.decode()
    assert "超出该申请冻结的券额度2800.00元" in _admin_approve(client, submitted, "2800.01").content.decode()
    _admin_approve(client, submitted, "2000.00")
    submitted.refresh_from_db()
    assert submitted.status == Status.NOTICE and submitted.approved_amount == Decimal("2000.00")
    assert ledger_differences() == []


def test_an_expert_does_not_see_another_experts_score(client, submitted, qpu_admin, expert, expert_b):
    """Reviews are independent: the review page shows the application, not the history
    with the other experts' names, scores and amounts."""
    services.assign_experts(submitted.pk, [expert.pk, expert_b.pk], actor=qpu_admin)
    services.submit_review(
        submitted.pk, expert=expert, score=61, opinion="一般", recommended_amount="1234.00", no_conflict=True
    )
    client.force_login(expert_b)
    page = client.get(reverse("redemption:expert_review", args=[submitted.pk])).content.decode()
    assert submitted.number in page and "提交评审" in page
    assert "61分" not in page and "1234.00" not in page and "审核记录" not in page


def _tongdui_claim(buyer, seller, admin, item, voucher, amount="500.00") -> RedemptionApplication:
    """A 通兑 order through to the institution's 机构兑付 claim."""
    from config.uploads import clean_attachment
    from orders import services as order_services
    from tests.orders.conftest import TONGDUI_DETAILS, pdf_upload

    order = order_services.place_order(user=buyer, item_id=item.pk, voucher_id=voucher.pk, details=TONGDUI_DETAILS)
    order_services.accept_order(order.pk, actor=seller)
    order_services.confirm_quota(order.pk, actor=admin)
    order_services.request_redemption(order.pk, actor=seller, amount=amount, proof=clean_attachment(pdf_upload()))
    order_services.agree_redemption(order.pk, actor=buyer)
    return RedemptionApplication.objects.get(kind="claim", lines__order=order)


def test_claim_list_query_count_does_not_grow_with_claims(client, buyer_a, seller, wujiang_admin, institution):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enterprises.selectors import enterprise_for_user
    from tests.factories import make_voucher, service_item

    voucher = make_voucher(enterprise_for_user(buyer_a), amount="10000.00")
    item = service_item(institution, price="1000.00", regions=("WJI",))
    claims = [_tongdui_claim(buyer_a, seller, wujiang_admin, item, voucher)]
    client.force_login(seller)
    url = reverse("redemption:claim_list")
    client.get(url)  # the user and their staff row, remembered from here on

    def page():
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(url).content.decode()
        return len(ctx.captured_queries), body

    few, _ = page()
    claims += [_tongdui_claim(buyer_a, seller, wujiang_admin, item, voucher) for _ in range(3)]
    page()  # the new claims' notices reset the seller's cached 站内信 count: counted once here
    many, body = page()
    assert all(reverse("redemption:claim_detail", args=[c.pk]) in body for c in claims)
    assert many == few, f"{few} queries with one claim, {many} with four"
