"""Voucher programmes, 创新券申请, vouchers and the voucher ledger (DESIGN §4, §6).

The ledger rule: a voucher's stored amounts are the running sums of its append-only
``LedgerEntry`` rows and always satisfy

    remaining = issued − held − consumed − expired − voided   (every term ≥ 0)

``VoucherHold`` keeps what each cause (an order, an application, a redemption) holds on a
voucher, so a release or consume never exceeds the cause's own hold, and the database lets
a cause hold on one voucher only. ``manage.py check_vouchers`` verifies all of it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from enterprises.models import MONEY, Enterprise, PilotRegion, RegionPolicy

ZERO = Decimal("0.00")


class VoucherProgramme(models.Model):
    """What a pilot region offers in a year: the voucher type follows the region's policy,
    the budget is drawn on by every voucher issued and gets back what expires unused."""

    region = models.ForeignKey(
        PilotRegion, on_delete=models.PROTECT, related_name="voucher_programmes", verbose_name="试点区域"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=100)
    kind = models.CharField("创新券类型", max_length=10, choices=RegionPolicy.Mode.choices)
    max_amount = models.DecimalField("单张面额上限(元)", **MONEY)
    apply_start = models.DateField("申领开始日期")
    apply_end = models.DateField("申领截止日期")
    total_budget = models.DecimalField("总预算(元)", **MONEY)
    # Net amount drawn: issued minus what came back by expiry or void (row-locked updates).
    budget_used = models.DecimalField("已使用预算(元)", **MONEY, default=ZERO)
    description = models.TextField("申领说明", max_length=2000, blank=True)
    is_active = models.BooleanField("开放申领", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "创新券项目"
        verbose_name_plural = "创新券项目"
        ordering = ["-year", "region__sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_amount__gt=0), name="programme_max_positive"),
            models.CheckConstraint(condition=models.Q(total_budget__gte=0), name="programme_budget_nonneg"),
            models.CheckConstraint(
                condition=models.Q(budget_used__gte=0, budget_used__lte=models.F("total_budget")),
                name="programme_budget_within",
            ),
            models.CheckConstraint(
                condition=models.Q(apply_end__gte=models.F("apply_start")), name="programme_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.region} {self.title}"

    @property
    def kind_label(self) -> str:
        return "通兑券" if self.kind == RegionPolicy.Mode.TONGDUI else "通用券"

    @property
    def budget_remaining(self) -> Decimal:
        return self.total_budget - self.budget_used

    def is_open_on(self, day) -> bool:
        return self.is_active and self.apply_start <= day <= self.apply_end


class VoucherApplication(models.Model):
    """创新券申请: 待审核 → 已通过 | 已驳回 | 退回修改 → 待审核."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已驳回"
        RETURNED = "returned", "退回修改"

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED, Status.RETURNED},
        Status.RETURNED: {Status.PENDING},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
    }
    OPEN_STATUSES = (Status.PENDING, Status.RETURNED)

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="voucher_applications", verbose_name="申请企业"
    )
    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="applications", verbose_name="创新券项目"
    )
    policy = models.ForeignKey(
        RegionPolicy, on_delete=models.PROTECT, related_name="voucher_applications", verbose_name="适用政策版本"
    )
    requested_amount = models.DecimalField("申请金额(元)", **MONEY)
    granted_amount = models.DecimalField("核定金额(元)", **MONEY, null=True, blank=True)
    intended_services = models.TextField("拟购买服务", max_length=1000)
    expected_results = models.TextField("预期成效", max_length=1000)
    declaration = models.BooleanField("承诺声明", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField("审核意见", max_length=500, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="申请人"
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )

    class Meta:
        verbose_name = "创新券申请"
        verbose_name_plural = "创新券申请"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "programme"],
                condition=models.Q(status__in=["pending", "returned", "approved"]),
                name="voucher_app_one_open_per_programme",
            ),
            models.CheckConstraint(condition=models.Q(requested_amount__gt=0), name="voucher_app_requested_pos"),
            models.CheckConstraint(
                condition=models.Q(granted_amount__isnull=True) | models.Q(granted_amount__gt=0),
                name="voucher_app_granted_pos",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "-submitted_at"], name="voucher_app_ent_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} - {self.programme}（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class VoucherApplicationStatusChange(models.Model):
    application = models.ForeignKey(
        VoucherApplication, on_delete=models.CASCADE, related_name="history", verbose_name="创新券申请"
    )
    from_status = models.CharField("原状态", max_length=10, choices=VoucherApplication.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=VoucherApplication.Status.choices)
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
        verbose_name = "申请状态记录"
        verbose_name_plural = "申请状态记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class Voucher(models.Model):
    """创新券: 有效 → 已用完 (nothing left) ⇄ 有效 (a hold released) | 已过期 | 已作废."""

    class Status(models.TextChoices):
        ACTIVE = "active", "有效"
        USED_UP = "used_up", "已用完"
        EXPIRED = "expired", "已过期"
        VOID = "void", "已作废"

    class Source(models.TextChoices):
        APPLICATION = "application", "本平台申领"
        IMPORTED = "imported", "外部平台导入"

    TRANSITIONS = {
        Status.ACTIVE: {Status.USED_UP, Status.EXPIRED, Status.VOID},
        Status.USED_UP: {Status.ACTIVE, Status.EXPIRED},
        Status.EXPIRED: set(),
        Status.VOID: set(),
    }

    number = models.CharField("券号", max_length=16, unique=True)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="vouchers", verbose_name="企业")
    region = models.ForeignKey(PilotRegion, on_delete=models.PROTECT, related_name="vouchers", verbose_name="试点区域")
    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="vouchers", verbose_name="创新券项目"
    )
    application = models.OneToOneField(
        VoucherApplication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="voucher",
        verbose_name="创新券申请",
    )
    source = models.CharField("来源", max_length=12, choices=Source.choices, default=Source.APPLICATION)
    kind = models.CharField("类型", max_length=10, choices=RegionPolicy.Mode.choices)
    year = models.PositiveSmallIntegerField("年度")
    issued_amount = models.DecimalField("发放金额(元)", **MONEY)
    held_amount = models.DecimalField("已冻结(元)", **MONEY, default=ZERO)
    consumed_amount = models.DecimalField("已使用(元)", **MONEY, default=ZERO)
    expired_amount = models.DecimalField("已过期(元)", **MONEY, default=ZERO)
    voided_amount = models.DecimalField("已作废(元)", **MONEY, default=ZERO)
    remaining_amount = models.DecimalField("券剩余金额(元)", **MONEY)
    valid_until = models.DateField("有效期至")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    reminder_30_sent_at = models.DateTimeField("30天到期提醒", null=True, blank=True)
    reminder_7_sent_at = models.DateTimeField("7天到期提醒", null=True, blank=True)
    created_at = models.DateTimeField("发放时间", auto_now_add=True)

    class Meta:
        verbose_name = "创新券"
        verbose_name_plural = "创新券"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(issued_amount__gt=0), name="voucher_issued_pos"),
            models.CheckConstraint(
                condition=models.Q(
                    held_amount__gte=0,
                    consumed_amount__gte=0,
                    expired_amount__gte=0,
                    voided_amount__gte=0,
                    remaining_amount__gte=0,
                ),
                name="voucher_amounts_nonneg",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    remaining_amount=models.F("issued_amount")
                    - models.F("held_amount")
                    - models.F("consumed_amount")
                    - models.F("expired_amount")
                    - models.F("voided_amount")
                ),
                name="voucher_remaining_balanced",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "-created_at"], name="voucher_ent_idx"),
            models.Index(fields=["status", "valid_until"], name="voucher_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.kind_label}）"

    def get_absolute_url(self) -> str:
        return reverse("vouchers:detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        return "通兑券" if self.kind == RegionPolicy.Mode.TONGDUI else "通用券"


class VoucherStatusChange(models.Model):
    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="history", verbose_name="创新券")
    from_status = models.CharField("原状态", max_length=10, choices=Voucher.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=Voucher.Status.choices)
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
        verbose_name = "创新券状态记录"
        verbose_name_plural = "创新券状态记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class LedgerEntry(models.Model):
    """One append-only movement of a voucher's money. Never updated, never deleted."""

    class Kind(models.TextChoices):
        ISSUE = "issue", "发放"
        HOLD = "hold", "冻结"
        RELEASE = "release", "解冻"
        CONSUME = "consume", "使用"
        # 异议成立 after 审核通过: what was consumed is held again for the same cause.
        REVERSE = "reverse", "撤销使用"
        EXPIRE = "expire", "过期"
        VOID = "void", "作废"

    CAUSE_LABELS = {
        "application": "创新券申请",
        "import": "导入",
        "order": "订单",
        "redemption": "兑付申请",
        "expiry": "到期",
        "void": "作废",
    }

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="entries", verbose_name="创新券")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    amount = models.DecimalField("金额(元)", **MONEY)
    cause_type = models.CharField("来源类型", max_length=20)
    cause_id = models.BigIntegerField("来源ID")
    idempotency_key = models.CharField("幂等键", max_length=200, unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "创新券流水"
        verbose_name_plural = "创新券流水"
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_amount_pos")]
        indexes = [
            models.Index(fields=["voucher", "created_at"], name="ledger_voucher_idx"),
            models.Index(fields=["cause_type", "cause_id"], name="ledger_cause_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher.number} {self.get_kind_display()} {self.amount}"

    @property
    def cause_label(self) -> str:
        return f"{self.CAUSE_LABELS.get(self.cause_type, self.cause_type)} #{self.cause_id}"


class VoucherHold(models.Model):
    """What one cause currently holds on one voucher (the sum of its hold − release −
    consume entries). A cause holds on one voucher at a time (partial unique index)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="holds", verbose_name="创新券")
    cause_type = models.CharField("来源类型", max_length=20)
    cause_id = models.BigIntegerField("来源ID")
    amount = models.DecimalField("冻结金额(元)", **MONEY, default=ZERO)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "冻结明细"
        verbose_name_plural = "冻结明细"
        constraints = [
            models.UniqueConstraint(fields=["voucher", "cause_type", "cause_id"], name="hold_one_row_per_cause"),
            models.UniqueConstraint(
                fields=["cause_type", "cause_id"],
                condition=models.Q(amount__gt=0),
                name="hold_cause_on_one_voucher",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="hold_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.cause_type}#{self.cause_id}: {self.amount}"


class VoucherImport(models.Model):
    """One accepted import file of vouchers issued on another platform (青浦区: Shanghai).
    Every voucher of the file is issued with this batch as its cause."""

    programme = models.ForeignKey(
        VoucherProgramme, on_delete=models.PROTECT, related_name="imports", verbose_name="创新券项目"
    )
    file_name = models.CharField("文件名", max_length=200)
    row_count = models.PositiveIntegerField("导入条数", default=0)
    total_amount = models.DecimalField("导入金额(元)", **MONEY, default=ZERO)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="导入人"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "创新券导入记录"
        verbose_name_plural = "创新券导入记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.row_count} 张）"
