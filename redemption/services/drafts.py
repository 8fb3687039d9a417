"""Writing a draft: 新增 (通用 / 快速兑付), the texts, 选择订单, 发票, 其它附件, and the
four order–invoice rules of DESIGN §7 (checked on every link and again at 提交)."""

import re
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Institution, ServiceCategory
from config.uploads import safe_display_name
from enterprises.selectors import enterprise_for_user
from orders.models import Order, OrderMode, OrderStatus
from redemption.exceptions import InvalidInput, InvalidTransition, InvoiceRuleViolation, NotAllowed
from redemption.models import ApplicationOrder, Attachment, Invoice, Kind, RedemptionApplication
from redemption.services.common import (
    clean_money,
    clean_text,
    history,
    is_applicant,
    lock_application,
    pk_or_error,
    require_window,
)
from vouchers.models import Voucher

# Orders that may be put into a 通用 application (DESIGN §4: served offline without 接单 too).
SELECTABLE_ORDER_STATUSES = (OrderStatus.COMPLETED, OrderStatus.IN_SERVICE, OrderStatus.PENDING_ACCEPT)
MAX_ATTACHMENTS = 20
MAX_INVOICES = 50
INVOICE_CODE_RE = re.compile(r"^\d{10,12}$")
INVOICE_NUMBER_RE = re.compile(r"^\d{8,20}$")


def amount_is_confirmed(order: Order) -> bool:
    """一口价 orders and orders the seller accepted online have a confirmed amount (§7)."""
    return bool(order.amount is not None and (order.amount_confirmed or order.price_type == "fixed"))


def _usable_voucher(enterprise, voucher_id, today) -> Voucher:
    voucher = (
        Voucher.objects.filter(pk=pk_or_error(voucher_id, "创新券"), enterprise=enterprise)
        .select_related("region")
        .first()
    )
    if voucher is None:
        raise InvalidInput("请选择本单位的创新券", "voucher")
    if voucher.kind != "tongyong":
        raise InvalidInput("兑付申请只能使用通用券", "voucher")
    if voucher.status not in (Voucher.Status.ACTIVE, Voucher.Status.USED_UP) or voucher.valid_until < today:
        raise InvalidInput(f"创新券{voucher.number}已失效，不能申请兑付", "voucher")
    return voucher


def _editable(application_id, actor) -> RedemptionApplication:
    application = lock_application(application_id)
    if not is_applicant(actor, application):
        raise NotAllowed("您无权修改该兑付申请")
    if not application.is_editable:
        raise InvalidTransition(f"兑付申请当前状态为“{application.get_status_display()}”，不能修改")
    return application


@transaction.atomic
def create_application(
    *, user, kind: str = Kind.GENERAL, voucher_id, institution_id=None, category_id=None, today=None
) -> RedemptionApplication:
    """新增: a draft 通用 application (inside the 兑付周期) or a 快速兑付 (regions whose
    policy has it; one institution and one third-level category)."""
    today = today or timezone.localdate()
    enterprise = enterprise_for_user(user)
    if enterprise is None:
        raise NotAllowed("只有企业用户可以申请兑付")
    if not enterprise.region_id:
        raise NotAllowed("贵单位注册所在地不在试点区域，不能申请兑付")
    policy = enterprise.region.policy_on(today)
    if policy is None or policy.mode != "tongyong":
        raise NotAllowed(f"{enterprise.region.name}为通兑模式，兑付由服务机构发起，企业无需填写兑付申请")
    if kind not in (Kind.GENERAL, Kind.QUICK):
        raise InvalidInput("兑付类型有误")
    require_window(policy, today)
    voucher = _usable_voucher(enterprise, voucher_id, today)
    institution = category = None
    if kind == Kind.QUICK:
        if not policy.quick_redemption:
            raise NotAllowed(f"{enterprise.region.name}未开通快速兑付")
        institution = Institution.objects.filter(pk=pk_or_error(institution_id, "服务机构")).first()
        if institution is None:
            raise InvalidInput("请选择服务机构", "institution")
        category = ServiceCategory.objects.filter(pk=pk_or_error(category_id, "服务类型"), is_active=True).first()
        if category is None or category.level != 3:
            raise InvalidInput("请选择第三级服务类型", "category")
    application = RedemptionApplication.objects.create(
        kind=kind,
        enterprise=enterprise,
        voucher=voucher,
        policy=policy,
        institution=institution,
        category=category,
        created_by=user,
    )
    history(application, action="新增", actor=user, note="草稿", from_status="")
    return application


@transaction.atomic
def save_texts(application_id, *, actor, effect="", innovation="", note="", voucher_id=None) -> RedemptionApplication:
    """保存草稿: the three text fields (≤ 200 each); the voucher while no order is chosen."""
    application = _editable(application_id, actor)
    application.effect = clean_text(effect, "服务成效体现", field="effect")
    application.innovation = clean_text(innovation, "创新性体现", field="innovation")
    application.note = clean_text(note, "备注信息", field="note")
    if voucher_id not in (None, "") and str(voucher_id) != str(application.voucher_id):
        if application.lines.exists():
            raise InvalidInput("已选择订单，不能更换券号；请先删除订单", "voucher")
        application.voucher = _usable_voucher(application.enterprise, voucher_id, timezone.localdate())
    recompute_total(application)
    application.save()
    return application


def recompute_total(application: RedemptionApplication) -> None:
    """服务总金额: the orders' 服务金额 (通用) or the invoices' amounts (快速兑付)."""
    if application.kind == Kind.QUICK:
        rows = application.invoices.all()
    else:
        rows = application.lines.all()
    application.service_total = sum((row.amount for row in rows), start=application.service_total * 0)


# --- orders ---------------------------------------------------------------------------------


@transaction.atomic
def add_orders(application_id, *, actor, selections) -> list[ApplicationOrder]:
    """选择订单 → 申请兑付: ``selections`` is [(order_id, amount or None)]. The amount is
    the order's own where it is confirmed, else the one the enterprise entered."""
    application = _editable(application_id, actor)
    if application.kind != Kind.GENERAL:
        raise InvalidInput("快速兑付无需选择订单")
    if not selections:
        raise InvalidInput("请选择订单")
    created = []
    for order_id, amount in selections:
        order = (
            Order.objects.select_for_update(of=("self",))
            .filter(pk=pk_or_error(order_id, "订单"), enterprise_id=application.enterprise_id)
            .first()
        )
        if order is None:
            raise InvalidInput("订单不存在")
        if order.mode != OrderMode.TONGYONG or order.voucher_id != application.voucher_id:
            raise InvalidInput(f"订单{order.number}不是使用该创新券（{application.voucher.number}）的通用券订单")
        if order.status not in SELECTABLE_ORDER_STATUSES:
            raise InvalidInput(f"订单{order.number}当前状态为“{order.get_status_display()}”，不能申请兑付")
        other = ApplicationOrder.objects.filter(order=order, is_open=True).exclude(application=application).first()
        if other is not None:
            raise InvalidInput(f"订单{order.number}已在其他兑付申请中，一笔订单只能在一个兑付申请中")
        if amount_is_confirmed(order):
            value = order.amount
        else:
            if amount in (None, "") and order.amount is not None:
                amount = order.amount
            value = clean_money(amount, f"订单{order.number}的服务金额")
        line = ApplicationOrder.objects.filter(application=application, order=order).first()
        if line is None:
            try:
                with transaction.atomic():
                    line = ApplicationOrder.objects.create(application=application, order=order, amount=value)
            except IntegrityError:
                raise InvalidInput(f"订单{order.number}已在其他兑付申请中，一笔订单只能在一个兑付申请中") from None
        else:
            line.amount = value
            line.save(update_fields=["amount"])
            if line.invoice_id:
                check_invoice_rules(application, invoice_ids={line.invoice_id})
        created.append(line)
    recompute_total(application)
    application.save(update_fields=["service_total", "updated_at"])
    return created


@transaction.atomic
def update_line_amount(application_id, line_id, *, actor, amount) -> ApplicationOrder:
    application = _editable(application_id, actor)
    line = application.lines.select_related("order").filter(pk=pk_or_error(line_id, "订单")).first()
    if line is None:
        raise InvalidInput("订单不存在")
    if amount_is_confirmed(line.order):
        raise InvalidInput(f"订单{line.order.number}的服务金额已确认，不能修改")
    line.amount = clean_money(amount, f"订单{line.order.number}的服务金额")
    line.save(update_fields=["amount"])
    if line.invoice_id:
        check_invoice_rules(application, invoice_ids={line.invoice_id})
    recompute_total(application)
    application.save(update_fields=["service_total", "updated_at"])
    return line


@transaction.atomic
def remove_order(application_id, line_id, *, actor) -> None:
    application = _editable(application_id, actor)
    deleted, _ = application.lines.filter(pk=pk_or_error(line_id, "订单")).delete()
    if not deleted:
        raise InvalidInput("订单不存在")
    recompute_total(application)
    application.save(update_fields=["service_total", "updated_at"])


# --- invoices ---------------------------------------------------------------------------------


def _clean_invoice_numbers(code, number) -> tuple[str, str]:
    code = (code or "").strip()
    number = (number or "").strip()
    if not INVOICE_CODE_RE.match(code):
        raise InvalidInput("发票代码应为10-12位数字", "code")
    if not INVOICE_NUMBER_RE.match(number):
        raise InvalidInput("发票号码应为8-20位数字", "number")
    return code, number


def invoice_taken(code: str, number: str) -> bool:
    return Invoice.objects.filter(code=code, number=number, is_claimed=True).exists()


@transaction.atomic
def add_invoice(application_id, *, actor, code, number, issued_on, amount, image, note="", line_id=None) -> Invoice:
    """新增发票 (``image`` is the output of config.uploads.clean_image, jpg/png ≤ 500 KB).
    With ``line_id`` the new invoice is linked to that order at once."""
    application = _editable(application_id, actor)
    code, number = _clean_invoice_numbers(code, number)
    if issued_on in (None, ""):
        raise InvalidInput("请选择发票日期", "issued_on")
    if issued_on > timezone.localdate():
        raise InvalidInput("发票日期不能晚于今天", "issued_on")
    amount = clean_money(amount, "发票金额", field="amount")
    if not image:
        raise InvalidInput("请上传发票图片", "image")
    note = clean_text(note, "备注信息", field="note")
    if application.invoices.count() >= MAX_INVOICES:
        raise InvalidInput(f"一个兑付申请最多{MAX_INVOICES}张发票")
    if invoice_taken(code, number):
        raise InvalidInput(f"发票（代码{code}，号码{number}）已在平台上申请过兑付，同一张发票只能兑付一次", "number")
    invoice = Invoice(application=application, code=code, number=number, issued_on=issued_on, amount=amount, note=note)
    invoice.image.save(image.name, image, save=False)
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        invoice.image.delete(save=False)
        raise InvalidInput(
            f"发票（代码{code}，号码{number}）已在平台上申请过兑付，同一张发票只能兑付一次", "number"
        ) from None
    if line_id not in (None, ""):
        _link(application, line_id, invoice)
    if application.kind == Kind.QUICK:
        recompute_total(application)
        application.save(update_fields=["service_total", "updated_at"])
    return invoice


def _delete_file_on_commit(fieldfile) -> None:
    """Remove a stored file only once the deletion of its row is committed: a failure
    later in the transaction must leave the file the database still points at."""
    if fieldfile:
        transaction.on_commit(lambda storage=fieldfile.storage, name=fieldfile.name: storage.delete(name))


@transaction.atomic
def delete_invoice(application_id, invoice_id, *, actor) -> None:
    application = _editable(application_id, actor)
    invoice = application.invoices.filter(pk=pk_or_error(invoice_id, "发票")).first()
    if invoice is None:
        raise InvalidInput("发票不存在")
    application.lines.filter(invoice=invoice).update(invoice=None)
    _delete_file_on_commit(invoice.image)
    invoice.delete()
    recompute_total(application)
    application.save(update_fields=["service_total", "updated_at"])


@transaction.atomic
def link_invoice(application_id, line_id, invoice_id, *, actor) -> ApplicationOrder:
    """发票 of an order: link it to one of the application's invoices (rules ①–④)."""
    application = _editable(application_id, actor)
    invoice = application.invoices.filter(pk=pk_or_error(invoice_id, "发票")).first()
    if invoice is None:
        raise InvalidInput("发票不存在")
    return _link(application, line_id, invoice)


@transaction.atomic
def unlink_invoice(application_id, line_id, *, actor) -> ApplicationOrder:
    application = _editable(application_id, actor)
    line = application.lines.filter(pk=pk_or_error(line_id, "订单")).first()
    if line is None:
        raise InvalidInput("订单不存在")
    line.invoice = None
    line.save(update_fields=["invoice"])
    return line


def _link(application, line_id, invoice: Invoice) -> ApplicationOrder:
    line = application.lines.select_related("order", "invoice").filter(pk=pk_or_error(line_id, "订单")).first()
    if line is None:
        raise InvalidInput("订单不存在")
    if line.invoice_id == invoice.pk:
        return line
    if line.invoice_id is not None:
        raise InvoiceRuleViolation(
            f"规则①：订单{line.order.number}已对应发票{line.invoice.number}，单笔订单不能对应多张发票；"
            "如需多张发票，请先补下单（差价订单），再为差价订单上传发票"
        )
    line.invoice = invoice
    line.save(update_fields=["invoice"])
    check_invoice_rules(application, invoice_ids={invoice.pk})
    return line


def check_invoice_rules(application: RedemptionApplication, *, invoice_ids=None, complete: bool = False) -> None:
    """The four order–invoice rules of DESIGN §7 over the application's orders (only the
    given invoices if ``invoice_ids``). ``complete``: every order must have its invoice
    and every 差价订单 its original order in the same application (at 提交)."""
    lines = list(application.lines.select_related("order", "order__parent", "invoice"))
    by_invoice = defaultdict(list)
    for line in lines:
        if line.invoice_id and (invoice_ids is None or line.invoice_id in invoice_ids):
            by_invoice[line.invoice_id].append(line)
    for group in by_invoice.values():
        invoice = group[0].invoice
        # Rule ④: an original order and its difference orders never share an invoice.
        families = defaultdict(list)
        for line in group:
            families[line.order.parent_id or line.order_id].append(line)
        for members in families.values():
            if len(members) > 1:
                diff = next((m for m in members if m.order.parent_id), members[-1])
                parent_number = diff.order.parent.number if diff.order.parent_id else members[0].order.number
                raise InvoiceRuleViolation(
                    f"规则④：差价订单{diff.order.number}与原订单{parent_number}（或其其他差价订单）使用了同一张发票"
                    f"{invoice.number}；第一张发票对应原订单，多出的发票一张对应一笔差价订单"
                )
        total = sum((line.amount for line in group), start=invoice.amount * 0)
        if len(group) == 1 and total > invoice.amount:
            raise InvoiceRuleViolation(
                f"规则②：订单{group[0].order.number}的服务金额{group[0].amount}元大于发票{invoice.number}的"
                f"金额{invoice.amount}元（单笔订单对应一张发票的，订单金额不得大于发票金额）"
            )
        if len(group) > 1 and total > invoice.amount:
            numbers = "、".join(line.order.number for line in group)
            raise InvoiceRuleViolation(
                f"规则③：订单{numbers}共用发票{invoice.number}，订单总金额{total}元大于发票金额{invoice.amount}元"
                "（多笔订单对应一张发票的，订单总金额不得大于发票金额）"
            )
    if complete:
        in_application = {line.order_id for line in lines}
        for line in lines:
            if line.invoice_id is None:
                raise InvoiceRuleViolation(f"订单{line.order.number}尚未上传发票，请点击“发票”添加")
            if line.order.parent_id and line.order.parent_id not in in_application:
                raise InvoiceRuleViolation(
                    f"规则④：差价订单{line.order.number}须与原订单{line.order.parent.number}在同一兑付申请中申请兑付"
                )


# --- attachments ---------------------------------------------------------------------------------


@transaction.atomic
def add_attachment(application_id, *, actor, content, original_name: str) -> Attachment:
    """其它附件: ``content`` is the output of config.uploads.clean_attachment."""
    application = _editable(application_id, actor)
    if application.attachments.count() >= MAX_ATTACHMENTS:
        raise InvalidInput(f"最多上传{MAX_ATTACHMENTS}个附件", "attachment")
    attachment = Attachment(
        application=application, display_name=safe_display_name(original_name), size=content.size or 0
    )
    attachment.file.save(content.name, content, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def delete_attachment(application_id, attachment_id, *, actor) -> None:
    application = _editable(application_id, actor)
    attachment = application.attachments.filter(pk=pk_or_error(attachment_id, "附件")).first()
    if attachment is None:
        raise InvalidInput("附件不存在")
    _delete_file_on_commit(attachment.file)
    attachment.delete()


@transaction.atomic
def delete_draft(application_id, *, actor) -> None:
    application = _editable(application_id, actor)
    if application.submitted_at is not None:
        raise InvalidTransition("已提交过的兑付申请不能删除")
    for invoice in application.invoices.all():
        _delete_file_on_commit(invoice.image)
    for attachment in application.attachments.all():
        _delete_file_on_commit(attachment.file)
    application.history.all().delete()
    application.lines.all().delete()
    application.delete()
