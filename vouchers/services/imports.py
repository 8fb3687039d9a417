"""Import of vouchers issued on another platform (青浦区: the Shanghai platform).

CSV (UTF-8, UTF-8 with BOM, or GBK as Excel saves it) or .xlsx (first sheet, read with the
standard library: no extra dependency) with the header row
统一社会信用代码, 券号 (optional), 金额, 年度, 有效期. Every row is validated first; if any
row is bad nothing is imported and every bad row is reported with its row number."""

import csv
import datetime
import io
import re
import uuid
import zipfile
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from django.db import transaction
from django.utils import timezone

from accounts import audit
from enterprises.models import Enterprise, RegionPolicy
from messaging.models import Message
from messaging.services import notify
from vouchers.exceptions import ImportFileError
from vouchers.models import Voucher, VoucherImport, VoucherProgramme
from vouchers.money import ZERO, round_money
from vouchers.services.ledger import enterprise_recipients, issue_voucher

COLUMNS = {"统一社会信用代码": "uscc", "券号": "number", "金额": "amount", "年度": "year", "有效期": "valid_until"}
REQUIRED = ("uscc", "amount", "year", "valid_until")
NUMBER_RE = re.compile(r"^[0-9A-Z]{16}$")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV 文件")


def _parse_date(text: str):
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _parse_xml(data: bytes):
    # Spreadsheet XML never needs a DTD: refusing any makes entity-expansion and external
    # entity attacks impossible (what defusedxml's forbid_dtd does), without the dependency.
    if not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<") or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ImportFileError("Excel 文件格式不受支持")
    return ElementTree.fromstring(data)  # noqa: S314 - DTDs refused above


def _xlsx_rows(raw: bytes) -> list[list[str]]:
    """The first worksheet of an .xlsx as rows of strings (standard library only: the
    shared strings and the sheet XML). Date cells stored as serial numbers are turned
    into ISO dates when they fall in a plausible range."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        if sum(info.file_size for info in archive.infolist()) > 50 * MAX_BYTES:
            raise ImportFileError("Excel 文件过大")
        names = archive.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = _parse_xml(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{_NS}t")) for si in root.iter(f"{_NS}si")]
        sheets = sorted(n for n in names if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
        if not sheets:
            raise ImportFileError("Excel 文件中没有工作表")
        root = _parse_xml(archive.read(sheets[0]))
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError):
        raise ImportFileError("无法读取 Excel 文件，请另存为 .xlsx 或 CSV 后重试") from None
    rows = []
    for row in root.iter(f"{_NS}row"):
        values: dict[int, str] = {}
        for cell in row.iter(f"{_NS}c"):
            ref = cell.get("r", "")
            letters = "".join(ch for ch in ref if ch.isalpha())
            col = 0
            for ch in letters:
                col = col * 26 + (ord(ch.upper()) - 64)
            col = (col - 1) if letters else len(values)
            kind = cell.get("t")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{_NS}t"))
            else:
                v = cell.find(f"{_NS}v")
                text = v.text if v is not None and v.text else ""
                if kind == "s" and text.isdigit() and int(text) < len(shared):
                    text = shared[int(text)]
            values[col] = text.strip()
        if values:
            rows.append([values.get(i, "") for i in range(max(values) + 1)])
    return rows


def _excel_value(key: str, value: str) -> str:
    """Numbers as Excel stores them: 2026.0 → 2026, date serials → ISO dates."""
    if key == "valid_until" and re.fullmatch(r"\d{5}(\.0+)?", value) and 20000 < float(value) < 80000:
        return (EXCEL_EPOCH + datetime.timedelta(days=int(float(value)))).isoformat()
    if key == "year" and re.fullmatch(r"\d{4}\.0+", value):
        return value.split(".")[0]
    return value


def read_rows(uploaded) -> list[tuple[int, dict]]:
    name = (getattr(uploaded, "name", "") or "").lower()
    if not name.endswith((".csv", ".xlsx")):
        raise ImportFileError("请上传 CSV 或 Excel（.xlsx）文件")
    if uploaded.size > MAX_BYTES:
        raise ImportFileError("文件不能超过 2MB")
    raw = uploaded.read()
    if name.endswith(".xlsx"):
        reader = iter(_xlsx_rows(raw))
    else:
        reader = csv.reader(io.StringIO(_decode(raw)))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise ImportFileError("文件为空") from None
    fields = [COLUMNS.get(h) for h in header]
    missing = [label for label, key in COLUMNS.items() if key in REQUIRED and key not in fields]
    if missing:
        raise ImportFileError(f"缺少列：{'、'.join(missing)}")
    rows = []
    try:
        for line_no, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            row = {
                key: _excel_value(key, values[i].strip() if i < len(values) else "")
                for i, key in enumerate(fields)
                if key
            }
            rows.append((line_no, row))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(f"一次最多导入 {MAX_ROWS} 行")
    except csv.Error:
        raise ImportFileError("CSV 文件格式有误") from None
    if not rows:
        raise ImportFileError("文件中没有数据行")
    return rows


def _validate(programme: VoucherProgramme, rows):
    today = timezone.localdate()
    usccs = {r["uscc"].upper() for _, r in rows}
    enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=usccs)}
    numbers = [r.get("number", "").upper() for _, r in rows if r.get("number")]
    taken = set(Voucher.objects.filter(number__in=numbers).values_list("number", flat=True))
    errors, good, seen, total = [], [], set(), ZERO
    for line_no, r in rows:
        problems = []
        enterprise = enterprises.get(r["uscc"].upper())
        if not r["uscc"]:
            problems.append("统一社会信用代码为空")
        elif enterprise is None:
            problems.append(f"统一社会信用代码 {r['uscc']} 的企业未在平台注册")
        elif enterprise.region_id != programme.region_id:
            problems.append(f"企业“{enterprise.name}”不属于{programme.region}")
        number = r.get("number", "").upper()
        if number:
            if not NUMBER_RE.match(number):
                problems.append("券号须为16位大写字母或数字")
            elif number in taken or number in seen:
                problems.append(f"券号 {number} 已存在")
            seen.add(number)
        amount = None
        try:
            amount = Decimal(r["amount"].replace(",", ""))
            if not amount.is_finite() or amount <= 0 or round_money(amount) != amount:
                raise InvalidOperation
            if amount > programme.max_amount:
                problems.append(f"金额超过单张面额上限{programme.max_amount}元")
        except (InvalidOperation, ValueError):
            problems.append(f"金额“{r['amount']}”无效（须大于0，最多两位小数）")
            amount = None
        if r["year"] != str(programme.year):
            problems.append(f"年度“{r['year']}”与项目年度{programme.year}不一致")
        valid_until = _parse_date(r["valid_until"])
        if valid_until is None:
            problems.append(f"有效期“{r['valid_until']}”无效（格式如 {today.year}-12-31）")
        elif valid_until < today:
            problems.append("有效期已过")
        if problems:
            errors.append(f"第{line_no}行：{'；'.join(problems)}")
        else:
            total += amount
            good.append((line_no, enterprise, number or None, round_money(amount), valid_until))
    if not errors and total > programme.budget_remaining:
        errors.append(f"导入金额合计{total}元超出项目剩余预算{programme.budget_remaining}元")
    return errors, good, total


def import_vouchers(*, programme_id, uploaded, actor) -> VoucherImport:
    """Validate the whole file, then issue every voucher in one transaction."""
    rows = read_rows(uploaded)
    with transaction.atomic():
        programme = VoucherProgramme.objects.select_for_update().select_related("region").get(pk=programme_id)
        policy = programme.region.current_policy
        if policy is None or policy.voucher_source != RegionPolicy.VoucherSource.IMPORTED:
            raise ImportFileError(f"{programme.region}的创新券在本平台申领，不能导入")
        errors, good, total = _validate(programme, rows)
        if errors:
            raise ImportFileError("导入文件有误，未导入任何数据", errors)
        batch = VoucherImport.objects.create(
            programme=programme,
            file_name=(uploaded.name or "")[:200],
            row_count=len(good),
            total_amount=total,
            imported_by=actor,
        )
        audit.record(
            "voucher_import.create",
            batch,
            after={"row_count": len(good), "total_amount": total, "file_name": batch.file_name},
            region_id=programme.region_id,
            actor=actor,
        )
        token = uuid.uuid4().hex[:8]
        for line_no, enterprise, number, amount, valid_until in good:
            voucher = issue_voucher(
                programme_id=programme.pk,
                enterprise=enterprise,
                amount=amount,
                cause_type="import",
                cause_id=batch.pk,
                key=f"import:{batch.pk}:{line_no}:{token}",
                valid_until=valid_until,
                actor=actor,
                number=number,
                source=Voucher.Source.IMPORTED,
            )
            for user in enterprise_recipients(enterprise.pk):
                notify(
                    user,
                    Message.Kind.VOUCHER,
                    f"您的科技券({voucher.kind_label}: {voucher.number})已导入平台, 金额{amount}元, 请查看!!",
                    link=voucher.get_absolute_url(),
                )
        return batch
