"""Redemption (兑付, DESIGN §4, §6, §7; manual §5.6, §4.6).

One model, ``RedemptionApplication``, carries the three kinds: the enterprise's 通用
application (orders + invoices), 快速兑付 (an institution and a third-level category,
invoices, no orders) and the institution's 通兑 claim created when a buyer 同意兑付.
All three go through the same pipeline, the table ``TRANSITIONS`` below; the one move
function is ``redemption.services.pipeline._move``.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from config.menus import pk_url
from enterprises.models import EnterpriseRegionCopy

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
TEXT_LIMIT = 200
CAUSE = "redemption"


def private_upload_to(instance, filename: str) -> str:
    # Generated, unguessable keys; the extension is the one the validator decided from content.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if ext not in ("pdf", "doc", "docx", "jpg", "png", "zip", "rar"):
        ext = "bin"
    return f"private/redemption/{uuid.uuid4().hex}.{ext}"


class Kind(models.TextChoices):
    GENERAL = "general", "通用兑付"
    QUICK = "quick", "快速兑付"
    CLAIM = "claim", "机构兑付（通兑）"


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    EXPERT_REVIEW = "expert_review", "待专家评审"
    REGION_REVIEW = "region_review", "待区域审核"
    NOTICE = "notice", "公示中"
    PENDING_PAYMENT = "pending_payment", "待拨付"
    PAID = "paid", "已拨付"
    REJECTED = "rejected", "已驳回"


@dataclass(frozen=True)
class Move:
    action: str  # the words the users see
    actor: str  # "applicant" | "expert" | "admin" | "system"
    source: str
    target: str


S = Status

# DESIGN §4, the redemption table. Each row: (action, actor, from, to).
TRANSITIONS = {
    "submit": Move("提交", "applicant", S.DRAFT, S.EXPERT_REVIEW),
    "scored": Move("专家评审完成", "expert", S.EXPERT_REVIEW, S.REGION_REVIEW),
    "approve": Move("审核通过", "admin", S.REGION_REVIEW, S.NOTICE),
    "return": Move("退回修改", "admin", S.REGION_REVIEW, S.DRAFT),
    "reject": Move("审核不通过", "admin", S.REGION_REVIEW, S.REJECTED),
    "notice_end": Move("公示期满", "system", S.NOTICE, S.PENDING_PAYMENT),
    "objection": Move("异议成立", "admin", S.NOTICE, S.REGION_REVIEW),
    "disburse": Move("拨付", "admin", S.PENDING_PAYMENT, S.PAID),
}

# Statuses in which the application holds money on the voucher.
HOLDING_STATUSES = (S.EXPERT_REVIEW, S.REGION_REVIEW)
# Statuses in which the applicant may edit.
EDITABLE_STATUSES = (S.DRAFT,)


def allowed_targets(source: str) -> set[str]:
    return {m.target for m in TRANSITIONS.values() if m.source == source}


class RedemptionApplication(EnterpriseRegionCopy):
    Kind = Kind
    Status = Status

    kind = models.CharField("兑付类型", max_length=10, choices=Kind.choices, default=Kind.GENERAL)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="redemption_applications",
        verbose_name="企业",
    )
    voucher = models.ForeignKey(
        "vouchers.Voucher", on_delete=models.PROTECT, related_name="redemption_applications", verbose_name="券号"
    )
    policy = models.ForeignKey(
        "enterprises.RegionPolicy",
        on_delete=models.PROTECT,
        related_name="redemption_applications",
        verbose_name="适用政策版本",
    )
    institution = models.ForeignKey(
        "catalog.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redemption_applications",
        verbose_name="服务机构",
    )
    category = models.ForeignKey(
        "catalog.ServiceCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="服务类型（三级）",
    )
    service_total = models.DecimalField("服务总金额(元)", **MONEY, default=ZERO)
    redeem_amount = models.DecimalField("兑现金额(元)", **MONEY, default=ZERO)
    approved_amount = models.DecimalField("核定金额(元)", **MONEY, null=True, blank=True)
    # 核定金额 already consumed from the voucher (stays after an objection: the ledger
    # has no reversal of a consumption).
    consumed_amount = models.DecimalField("已使用券额度(元)", **MONEY, default=ZERO)

    effect = models.TextField("服务成效体现", max_length=TEXT_LIMIT, blank=True)
    innovation = models.TextField("创新性体现", max_length=TEXT_LIMIT, blank=True)
    note = models.TextField("备注信息", max_length=TEXT_LIMIT, blank=True)

    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    reason = models.CharField("审核意见", max_length=500, blank=True)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="申请人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "兑付申请"
        verbose_name_plural = "兑付申请"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("assign_experts", "可以指派专家"),
            ("decide_redemption", "可以审核兑付申请"),
            ("disburse_redemption", "可以拨付"),
            ("export_redemption", "可以导出兑付申请"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(service_total__gte=0), name="redemption_total_nonneg"),
            models.CheckConstraint(condition=models.Q(redeem_amount__gte=0), name="redemption_redeem_nonneg"),
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True)
                | models.Q(approved_amount__gte=0, approved_amount__lte=models.F("redeem_amount")),
                name="redemption_approved_le_redeem",
            ),
        ]
        indexes = [
            # The admin change list sorts by this (bench: 218 ms → 3 ms at 50,000 rows).
            models.Index(fields=["-created_at", "-id"], name="redemption_app_recent_idx"),
            models.Index(fields=["enterprise", "-created_at"], name="redemption_enterprise_idx"),
            models.Index(fields=["status", "notice_end"], name="redemption_status_idx"),
            models.Index(fields=["region", "-created_at", "-id"], name="redemption_region_recent_idx"),
            models.Index(fields=["region", "status", "-created_at", "-id"], name="redemption_region_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number}"

    def get_absolute_url(self) -> str:
        # pk_url: list pages call this for every row without reversing each time.
        return pk_url("redemption:quick_detail" if self.kind == Kind.QUICK else "redemption:detail", self.pk)

    @property
    def number(self) -> str:
        return f"DF{self.created_at:%Y%m%d}{self.pk:06d}" if self.pk and self.created_at else "DF（新）"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES and self.kind != Kind.CLAIM

    def can(self, action: str) -> bool:
        move = TRANSITIONS.get(action)
        return bool(move and move.source == self.status)


class ApplicationStatusChange(models.Model):
    application = models.ForeignKey(
        RedemptionApplication, on_delete=models.CASCADE, related_name="history", verbose_name="兑付申请"
    )
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices)
    action = models.CharField("操作", max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    note = models.CharField("说明", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "兑付申请状态记录"
        verbose_name_plural = "兑付申请状态记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class Invoice(models.Model):
    """发票. (发票代码, 发票号码) is claimed once on the whole platform: unique among the
    invoices still claimed (``is_claimed``; a rejected application gives them back)."""

    application = models.ForeignKey(
        RedemptionApplication, on_delete=models.CASCADE, related_name="invoices", verbose_name="兑付申请"
    )
    code = models.CharField("发票代码", max_length=12)
    number = models.CharField("发票号码", max_length=20)
    issued_on = models.DateField("发票日期")
    amount = models.DecimalField("发票金额(元)", **MONEY)
    image = models.FileField("发票图片", upload_to=private_upload_to)
    note = models.CharField("备注信息", max_length=TEXT_LIMIT, blank=True)
    is_claimed = models.BooleanField("占用中", default=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "发票"
        verbose_name_plural = "发票"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "number"], condition=models.Q(is_claimed=True), name="invoice_claimed_once"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="invoice_amount_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.code}-{self.number}"


class ApplicationOrder(models.Model):
    """An order in a 通用 application (or the order of a 通兑 claim), with the 服务金额
    used and its invoice (one order, at most one invoice: DESIGN §7 rule ①). An order is
    in one open application only (``is_open``; a rejected application lets it go)."""

    application = models.ForeignKey(
        RedemptionApplication, on_delete=models.CASCADE, related_name="lines", verbose_name="兑付申请"
    )
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name="订单")
    amount = models.DecimalField("服务金额(元)", **MONEY)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.SET_NULL, null=True, blank=True, related_name="lines", verbose_name="发票"
    )
    is_open = models.BooleanField("在途", default=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "兑付订单"
        verbose_name_plural = "兑付订单"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=models.Q(is_open=True), name="order_one_open_app"),
            models.UniqueConstraint(fields=["application", "order"], name="application_order_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="application_order_amount_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.order_id}"


class Attachment(models.Model):
    """其它附件 (服务合同, 服务结果证明 ...): private, stored under a generated name."""

    application = models.ForeignKey(
        RedemptionApplication, on_delete=models.CASCADE, related_name="attachments", verbose_name="兑付申请"
    )
    file = models.FileField("附件", upload_to=private_upload_to)
    display_name = models.CharField("文件名", max_length=100)
    size = models.PositiveIntegerField("大小(字节)", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.display_name


class ExpertAssignment(models.Model):
    """An expert (专家) assigned to review an application, and their review."""

    application = models.ForeignKey(
        RedemptionApplication, on_delete=models.CASCADE, related_name="assignments", verbose_name="兑付申请"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="redemption_assignments", verbose_name="专家"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="指派人"
    )
    score = models.PositiveSmallIntegerField(
        "评分", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    opinion = models.TextField("评审意见", max_length=500, blank=True)
    recommended_amount = models.DecimalField("建议金额(元)", **MONEY, null=True, blank=True)
    no_conflict = models.BooleanField("无利益冲突声明", default=False)
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)
    submitted_at = models.DateTimeField("评审时间", null=True, blank=True)

    class Meta:
        verbose_name = "专家评审"
        verbose_name_plural = "专家评审"
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="expert_assigned_once"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="expert_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.application_id}"


class Disbursement(models.Model):
    """拨付: recorded by the regional administrator, individually or for a batch."""

    application = models.OneToOneField(
        RedemptionApplication, on_delete=models.PROTECT, related_name="disbursement", verbose_name="兑付申请"
    )
    paid_on = models.DateField("拨付日期")
    amount = models.DecimalField("拨付金额(元)", **MONEY)
    bank_reference = models.CharField("银行流水号", max_length=64)
    batch = models.CharField("拨付批次", max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "拨付记录"
        verbose_name_plural = "拨付记录"
        ordering = ["-paid_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="disbursement_amount_pos")]

    def __str__(self) -> str:
        return f"{self.application} {self.amount}"
