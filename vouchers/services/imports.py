"""Import of vouchers issued on another platform (青浦区: the Shanghai platform).

CSV (UTF-8, UTF-8 with BOM, or GBK as Excel saves it) with the header row
统一社会信用代码, 券号 (optional), 金额, 年度, 有效期. Every row is validated first; if any
row is bad nothing is imported and every bad row is reported with its row number."""

import csv
import datetime
import io
import re
import uuid
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

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


def read_rows(uploaded) -> list[tuple[int, dict]]:
    name = (getattr(uploaded, "name", "") or "").lower()
    if not name.endswith(".csv"):
        raise ImportFileError("请上传 CSV 文件（Excel 中“另存为 CSV”）")
    if uploaded.size > MAX_BYTES:
        raise ImportFileError("文件不能超过 2MB")
    text = _decode(uploaded.read())
    reader = csv.reader(io.StringIO(text))
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
            row = {key: (values[i].strip() if i < len(values) else "") for i, key in enumerate(fields) if key}
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
