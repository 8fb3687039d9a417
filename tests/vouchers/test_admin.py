"""Regional review in admin: 通过 / 驳回 / 退回修改, scoping to the administrator's regions,
programmes, and the import of vouchers for imported-source regions."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enterprises.models import PilotRegion
from enterprises.selectors import enterprise_for_user
from messaging.models import Message
from tests.factories import EnterpriseFactory, enterprise_user, make_programme, region_admin
from tests.vouchers.conftest import complete_basic_info
from vouchers.models import Voucher, VoucherImport, VoucherProgramme
from vouchers.selectors import ledger_differences
from vouchers.services import submit_application

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def application(ready_buyer, wujiang_programme):
    return submit_application(
        enterprise=enterprise_for_user(ready_buyer),
        programme_id=wujiang_programme.pk,
        requested_amount=D("100000.00"),
        intended_services="检测",
        expected_results="成效",
        declaration=True,
        actor=ready_buyer,
    )


def review_url(app):
    return reverse("admin:vouchers_application_review", args=[app.pk])


def test_admin_approves_on_the_review_page(client, wujiang_admin, application, ready_buyer):
    client.force_login(wujiang_admin)
    listing = client.get(reverse("admin:vouchers_voucherapplication_changelist"))
    assert listing.status_code == 200 and application.enterprise.name in listing.text
    assert client.get(reverse("admin:vouchers_voucherapplication_change", args=[application.pk])).status_code == 200
    page = client.get(review_url(application))
    assert page.status_code == 200 and "核定金额" in page.text
    bad = client.post(review_url(application), {"decision": "approve", "granted_amount": "100000.01"})
    assert bad.status_code == 200 and "不能超过申请金额" in bad.text
    assert not Voucher.objects.exists()
    response = client.post(review_url(application), {"decision": "approve", "granted_amount": "90000"})
    assert response.status_code == 302
    voucher = Voucher.objects.get()
    assert voucher.issued_amount == D("90000.00") and voucher.enterprise == application.enterprise
    assert Message.objects.filter(recipient=ready_buyer, text__contains=voucher.number).exists()


@pytest.mark.parametrize("decision, status", [("reject", "rejected"), ("return", "returned")])
def test_admin_rejects_or_returns_with_reason(client, wujiang_admin, application, decision, status):
    client.force_login(wujiang_admin)
    missing = client.post(review_url(application), {"decision": decision, "reason": ""})
    assert missing.status_code == 200 and "请填写原因" in missing.text
    client.post(review_url(application), {"decision": decision, "reason": "材料不全"})
    application.refresh_from_db()
    assert application.status == status and application.reason == "材料不全"
    assert application.decided_by == wujiang_admin


def test_other_region_admin_cannot_see_or_act(client, other_region_admin, application):
    client.force_login(other_region_admin)
    listing = client.get(reverse("admin:vouchers_voucherapplication_changelist"))
    assert listing.status_code == 200 and application.enterprise.name not in listing.text
    assert client.get(reverse("admin:vouchers_voucherapplication_change", args=[application.pk])).status_code == 404
    assert client.get(review_url(application)).status_code == 404
    assert client.post(review_url(application), {"decision": "approve", "granted_amount": "1"}).status_code == 404
    # Through the bulk actions: the selection is filtered to the admin's regions.
    client.post(
        reverse("admin:vouchers_voucherapplication_changelist"),
        {"action": "approve_requested", "_selected_action": [application.pk]},
    )
    client.post(
        reverse("admin:vouchers_voucherapplication_changelist"),
        {"action": "reject_selected", "_selected_action": [application.pk], "apply": "1", "reason": "x"},
    )
    application.refresh_from_db()
    assert application.status == "pending" and not Voucher.objects.exists()


def test_bulk_actions(client, wujiang_admin, application):
    client.force_login(wujiang_admin)
    url = reverse("admin:vouchers_voucherapplication_changelist")
    ask = client.post(url, {"action": "return_selected", "_selected_action": [application.pk]})
    assert ask.status_code == 200 and "请填写原因" in ask.text
    client.post(url, {"action": "return_selected", "_selected_action": [application.pk], "apply": "1", "reason": ""})
    application.refresh_from_db()
    assert application.status == "pending"
    client.post(url, {"action": "return_selected", "_selected_action": [application.pk], "apply": "1", "reason": "改"})
    application.refresh_from_db()
    assert application.status == "returned"
    # 通过 on a returned application is refused with a message, nothing issued.
    response = client.post(url, {"action": "approve_requested", "_selected_action": [application.pk]}, follow=True)
    assert "不能变为" in response.text and not Voucher.objects.exists()


def test_approve_action(client, wujiang_admin, application):
    client.force_login(wujiang_admin)
    url = reverse("admin:vouchers_voucherapplication_changelist")
    client.post(url, {"action": "approve_requested", "_selected_action": [application.pk]})
    assert Voucher.objects.get().issued_amount == D("100000.00")


def test_voucher_and_programme_admin_are_scoped(client, wujiang_admin, other_region_admin, application):
    from vouchers.services import approve_application

    voucher = approve_application(application.pk, granted_amount=D("100"), actor=wujiang_admin)
    client.force_login(other_region_admin)
    assert client.get(reverse("admin:vouchers_voucher_change", args=[voucher.pk])).status_code == 404
    assert voucher.number not in client.get(reverse("admin:vouchers_voucher_changelist")).text
    programme = application.programme
    assert client.get(reverse("admin:vouchers_voucherprogramme_change", args=[programme.pk])).status_code == 404
    client.force_login(wujiang_admin)
    assert client.get(reverse("admin:vouchers_voucher_change", args=[voucher.pk])).status_code == 200


def test_programme_admin_takes_kind_from_policy_and_scopes_regions(client, other_region_admin):
    client.force_login(other_region_admin)
    add = reverse("admin:vouchers_voucherprogramme_add")
    year = timezone.localdate().year
    data = {
        "region": PilotRegion.objects.get(code="WJI").pk,
        "year": year,
        "title": "越权项目",
        "max_amount": "1000",
        "apply_start": f"{year}-01-01",
        "apply_end": f"{year}-12-31",
        "total_budget": "10000",
        "is_active": "on",
    }
    response = client.post(add, data)
    assert response.status_code == 200 and not VoucherProgramme.objects.exists()  # 吴江区 is not a valid choice
    data["region"] = PilotRegion.objects.get(code="JSN").pk
    data["title"] = "嘉善县创新券"
    assert client.post(add, data).status_code == 302
    programme = VoucherProgramme.objects.get()
    assert programme.kind == "tongdui" and programme.budget_used == 0
    data["apply_end"] = f"{year - 1}-12-31"
    bad = client.post(reverse("admin:vouchers_voucherprogramme_change", args=[programme.pk]), data)
    assert "申领截止日期不能早于开始日期" in bad.text


# --- import (青浦区) ---------------------------------------------------------------------


@pytest.fixture
def qingpu():
    admin = region_admin("admin_qingpu", "QPU")
    programme = make_programme("QPU", budget="1000000.00", max_amount="500000.00")
    enterprises = [complete_basic_info(EnterpriseFactory(region=PilotRegion.objects.get(code="QPU"))) for _ in range(2)]
    enterprise_user("qp_owner", enterprises[0])
    return admin, programme, enterprises


def csv_file(text: str, name="vouchers.csv", encoding="utf-8-sig"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_import_good_file(client, qingpu):
    admin, programme, (e1, e2) = qingpu
    year = programme.year
    body = (
        "统一社会信用代码,券号,金额,年度,有效期\n"
        f"{e1.uscc},{year}UQPU0A9SE8CC,100000,{year},{year}-12-31\n"
        f"{e2.uscc},,50000.50,{year},{year}/12/31\n"
    )
    client.force_login(admin)
    url = reverse("admin:vouchers_voucherimport_upload")
    assert client.get(url).status_code == 200
    response = client.post(url, {"programme": programme.pk, "file": csv_file(body, encoding="gb18030")})
    assert response.status_code == 302
    batch = VoucherImport.objects.get()
    assert batch.row_count == 2 and batch.total_amount == D("150000.50")
    v1 = Voucher.objects.get(enterprise=e1)
    assert v1.number == f"{year}UQPU0A9SE8CC" and v1.source == "imported" and v1.kind == "tongyong"
    v2 = Voucher.objects.get(enterprise=e2)
    assert len(v2.number) == 16 and v2.number.startswith(f"{year}UQPU")
    programme.refresh_from_db()
    assert programme.budget_used == D("150000.50")
    assert Message.objects.filter(recipient__username="qp_owner", text__contains=v1.number).exists()
    assert ledger_differences() == []


def test_import_with_bad_rows_imports_nothing(client, qingpu):
    admin, programme, (e1, e2) = qingpu
    year = programme.year
    body = (
        "统一社会信用代码,券号,金额,年度,有效期\n"
        f"{e1.uscc},,100000,{year},{year}-12-31\n"
        f"913100000000000000,,100,{year},{year}-12-31\n"
        f"{e2.uscc},BAD,abc,{year - 1},2000-01-01\n"
        f"{e2.uscc},,600000,{year},明年\n"
    )
    client.force_login(admin)
    response = client.post(
        reverse("admin:vouchers_voucherimport_upload"), {"programme": programme.pk, "file": csv_file(body)}
    )
    assert response.status_code == 200
    text = response.text
    assert "未导入任何数据" in text
    assert "第3行" in text and "未在平台注册" in text
    assert "第4行" in text and "券号须为16位" in text and "金额“abc”无效" in text and "年度" in text
    assert "第5行" in text and "面额上限" in text and "有效期“明年”无效" in text
    assert "第2行" not in text
    assert not Voucher.objects.exists() and not VoucherImport.objects.exists()


@pytest.mark.parametrize(
    "body, name, message",
    [
        ("", "v.csv", "文件为空"),
        ("名称,金额\n", "v.csv", "缺少列"),
        ("统一社会信用代码,金额,年度,有效期\n", "v.csv", "没有数据行"),
        ("a,b", "v.xlsx", "无法读取 Excel 文件"),
        ("a,b", "v.xls", "请上传 CSV 或 Excel（.xlsx）文件"),
    ],
)
def test_import_bad_files(client, qingpu, body, name, message):
    admin, programme, _ = qingpu
    client.force_login(admin)
    response = client.post(
        reverse("admin:vouchers_voucherimport_upload"), {"programme": programme.pk, "file": csv_file(body, name)}
    )
    assert response.status_code == 200 and message in response.text
    assert not Voucher.objects.exists()


def test_import_not_for_local_regions(client, wujiang_admin, wujiang_programme):
    client.force_login(wujiang_admin)
    response = client.post(
        reverse("admin:vouchers_voucherimport_upload"),
        {"programme": wujiang_programme.pk, "file": csv_file("统一社会信用代码,金额,年度,有效期\n")},
    )
    assert response.status_code == 200 and "请选择可导入的创新券项目" in response.text


def test_admin_lists_do_not_grow_with_rows(client, wujiang_admin, django_assert_max_num_queries):
    from tests.factories import make_voucher

    programme = make_programme("WJI")
    for i in range(15):
        enterprise = complete_basic_info(EnterpriseFactory())
        user = enterprise_user(f"many_{i}", enterprise)
        submit_application(
            enterprise=enterprise,
            programme_id=programme.pk,
            requested_amount=D("10"),
            intended_services="a",
            expected_results="b",
            declaration=True,
            actor=user,
        )
        make_voucher(enterprise, "100.00", programme=programme)
    client.force_login(wujiang_admin)
    for name in ("voucherapplication", "voucher", "voucherprogramme"):
        with django_assert_max_num_queries(20):
            response = client.get(reverse(f"admin:vouchers_{name}_changelist"))
        assert response.status_code == 200


def xlsx_file(rows, *, shared=False, name="vouchers.xlsx"):
    """A minimal .xlsx: the first row's strings as shared strings (when asked), the rest inline."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    strings, sheet_rows = [], []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif shared and r == 1:
                strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}">'
            f"<sheetData>{''.join(sheet_rows)}</sheetData></worksheet>",
        )
        if strings:
            sis = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
            z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{ns}">{sis}</sst>')
    return SimpleUploadedFile(
        name, buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_import_xlsx(client, qingpu):
    import datetime

    admin, programme, (e1, e2) = qingpu
    year = programme.year
    serial = (datetime.date(year, 12, 31) - datetime.date(1899, 12, 30)).days
    rows = [
        ["统一社会信用代码", "券号", "金额", "年度", "有效期"],
        [e1.uscc, "", 100000, float(year), serial],
        [e2.uscc, "", "2500.5", str(year), f"{year}-12-31"],
    ]
    client.force_login(admin)
    url = reverse("admin:vouchers_voucherimport_upload")
    response = client.post(url, {"programme": programme.pk, "file": xlsx_file(rows, shared=True)})
    assert response.status_code == 302, response.text
    v1 = Voucher.objects.get(enterprise=e1)
    assert v1.issued_amount == D("100000.00") and v1.valid_until == datetime.date(year, 12, 31)
    assert Voucher.objects.get(enterprise=e2).issued_amount == D("2500.50")
    # A sheet with a bad row imports nothing and names the row.
    rows = [rows[0], [e1.uscc, "", 100, year, f"{year}-12-31"], ["bad", "", 0, year, "x"]]
    response = client.post(url, {"programme": programme.pk, "file": xlsx_file(rows)})
    assert response.status_code == 200 and "第3行" in response.text and Voucher.objects.count() == 2
