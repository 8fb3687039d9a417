"""Orders in the three modes (DESIGN §4, §6): 通兑, 通用 and 无券.

The allowed status moves are the tables ``VOUCHER_ACTIONS`` (通兑 / 通用) and
``WUQUAN_ACTIONS`` (无券) below: each row is (action, actor, from, to). One service
(``orders.services``) performs every move: it locks the order, looks the move up in the
table of the order's mode, writes an ``OrderStatusChange`` row and the 站内信.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from enterprises.models import EnterpriseRegionCopy

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


def private_order_upload_to(instance, filename: str) -> str:
    # Generated, unguessable keys under private/ (served only by a permission-checked view).
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if ext not in ("pdf", "doc", "docx", "jpg", "png", "zip", "rar"):
        ext = "bin"
    return f"private/orders/{uuid.uuid4().hex}.{ext}"


class OrderStatus(models.TextChoices):
    PENDING_ACCEPT = "pending_accept", "待接单"
    CANCELLED = "cancelled", "已取消"
    DECLINED = "declined", "已拒单"
    PENDING_QUOTA = "pending_quota", "待额度确认"
    IN_SERVICE = "in_service", "服务中"
    CLOSED = "closed", "已关闭"
    PENDING_BUYER = "pending_buyer", "申请兑付待买家确认"
    COMPLETED = "completed", "已完成"
    # 通用: the order is part of the enterprise's redemption application (redemption app).
    REDEEMING = "redeeming", "兑付中"
    REDEEMED = "redeemed", "已兑付"


class OrderMode(models.TextChoices):
    TONGDUI = "tongdui", "通兑券"
    TONGYONG = "tongyong", "通用券"
    WUQUAN = "wuquan", "无券"


@dataclass(frozen=True)
class Move:
    action: str  # the button's words
    actor: str  # "buyer" | "seller" | "admin" | "system" (redemption app, tasks)
    source: str
    target: str
    modes: tuple[str, ...]


S = OrderStatus
M = OrderMode
VOUCHER_MODES = (M.TONGDUI, M.TONGYONG)

# Order, 通兑 and 通用 (DESIGN §4).
VOUCHER_ACTIONS = {
    "cancel": Move("取消订单", "buyer", S.PENDING_ACCEPT, S.CANCELLED, VOUCHER_MODES),
    "decline": Move("拒绝接单", "seller", S.PENDING_ACCEPT, S.DECLINED, VOUCHER_MODES),
    "accept": Move("接单", "seller", S.PENDING_ACCEPT, S.PENDING_QUOTA, VOUCHER_MODES),
    "confirm_quota": Move("确认额度", "admin", S.PENDING_QUOTA, S.IN_SERVICE, VOUCHER_MODES),
    "reject_quota": Move("额度不通过", "admin", S.PENDING_QUOTA, S.CLOSED, VOUCHER_MODES),
    "terminate": Move("终止订单", "admin", S.IN_SERVICE, S.CLOSED, VOUCHER_MODES),
    "request_redemption": Move("申请兑付", "seller", S.IN_SERVICE, S.PENDING_BUYER, (M.TONGDUI,)),
    "agree_redemption": Move("同意兑付", "buyer", S.PENDING_BUYER, S.COMPLETED, (M.TONGDUI,)),
    "refuse_redemption": Move("拒绝兑付", "buyer", S.PENDING_BUYER, S.IN_SERVICE, (M.TONGDUI,)),
    "complete": Move("服务完成", "seller", S.IN_SERVICE, S.COMPLETED, (M.TONGYONG,)),
    # 通用: the order enters / leaves the enterprise's redemption application (redemption
    # app). Following the manual, an order served offline may enter it without 接单.
    "enter_redemption": Move("申请兑付", "system", S.COMPLETED, S.REDEEMING, (M.TONGYONG,)),
    "enter_redemption_in_service": Move("申请兑付", "system", S.IN_SERVICE, S.REDEEMING, (M.TONGYONG,)),
    "enter_redemption_offline": Move("申请兑付", "system", S.PENDING_ACCEPT, S.REDEEMING, (M.TONGYONG,)),
    "leave_redemption": Move("兑付退回", "system", S.REDEEMING, S.COMPLETED, (M.TONGYONG,)),
    "redeemed": Move("已兑付", "system", S.REDEEMING, S.REDEEMED, (M.TONGYONG,)),
}

# Order, 无券: 待接单 → 服务中 → 已完成; 取消订单 only while 待接单.
WUQUAN_ACTIONS = {
    "cancel": Move("取消订单", "buyer", S.PENDING_ACCEPT, S.CANCELLED, (M.WUQUAN,)),
    "decline": Move("拒绝接单", "seller", S.PENDING_ACCEPT, S.DECLINED, (M.WUQUAN,)),
    "accept": Move("接单", "seller", S.PENDING_ACCEPT, S.IN_SERVICE, (M.WUQUAN,)),
    "complete": Move("服务完成", "seller", S.IN_SERVICE, S.COMPLETED, (M.WUQUAN,)),
}


def actions_for_mode(mode: str) -> dict[str, Move]:
    return WUQUAN_ACTIONS if mode == M.WUQUAN else VOUCHER_ACTIONS


def allowed_targets(mode: str, source: str) -> set[str]:
    """The table as {from: {to}} for one mode."""
    return {m.target for m in actions_for_mode(mode).values() if m.source == source}


# Statuses in which a hold on the voucher may exist (it is released on leaving them
# towards 已取消 / 已拒单 / 已关闭).
HOLDING_STATUSES = (S.IN_SERVICE, S.PENDING_BUYER)
FINAL_STATUSES = (S.CANCELLED, S.DECLINED, S.CLOSED)


class OrderNumberSequence(models.Model):
    """The per-day counter of order numbers (NNNNNN restarts each day, Asia/Shanghai)."""

    day = models.DateField("日期", primary_key=True)
    last_value = models.PositiveIntegerField("当前序号", default=0)

    class Meta:
        verbose_name = "订单编号序列"
        verbose_name_plural = "订单编号序列"

    def __str__(self) -> str:
        return f"{self.day}: {self.last_value}"


class Order(EnterpriseRegionCopy):
    """服务项目订单. The item's name, price, institution and sub-unit are copied when the
    order is placed, so later catalogue edits do not change it."""

    Status = OrderStatus
    Mode = OrderMode

    number = models.CharField("订单编号", max_length=30, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="orders", verbose_name="买家"
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="下单人"
    )
    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.PROTECT, related_name="orders", verbose_name="卖家"
    )
    sub_unit = models.ForeignKey(
        "catalog.SubUnit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="子单位"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name="服务项目",
    )
    category = models.ForeignKey(
        "catalog.ServiceCategory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="服务类别",
    )
    # Snapshot of the item when ordered.
    item_name = models.CharField("商品名称", max_length=100)
    institution_name = models.CharField("卖家名称", max_length=100)
    sub_unit_name = models.CharField("子单位名称", max_length=100, blank=True)
    price_type = models.CharField(
        "价格类型", max_length=12, choices=[("fixed", "一口价"), ("negotiable", "面议")], default="fixed"
    )
    unit_price = models.DecimalField("单价(元)", **MONEY, null=True, blank=True)
    unit = models.CharField("单位", max_length=20, default="次")
    quantity = models.PositiveIntegerField("数量", default=1)

    mode = models.CharField("券类型", max_length=10, choices=OrderMode.choices)
    voucher = models.ForeignKey(
        "vouchers.Voucher",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name="创新券",
    )
    policy = models.ForeignKey(
        "enterprises.RegionPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name="适用政策版本",
    )
    amount = models.DecimalField("服务金额(元)", **MONEY, null=True, blank=True)
    amount_confirmed = models.BooleanField("金额已确认", default=False)
    voucher_share = models.DecimalField("冻结券额度(元)", **MONEY, default=ZERO)

    # 通兑 order form (manual §4.4).
    project_info = models.TextField("项目信息", max_length=1000, blank=True)
    contact_info = models.TextField("联系信息", max_length=500, blank=True)
    basic_situation = models.TextField("基本情况", max_length=1000, blank=True)
    demand = models.TextField("需求或自主研发项目", max_length=1000, blank=True)
    expected_results = models.TextField("预计成效", max_length=1000, blank=True)

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="difference_orders",
        verbose_name="原订单",
    )
    note = models.CharField("备注", max_length=200, blank=True)

    status = models.CharField("订单状态", max_length=20, choices=OrderStatus.choices, default=S.PENDING_ACCEPT)
    reason = models.CharField("原因", max_length=500, blank=True)

    # 通兑: the institution's 申请兑付 (the redemption app builds its claim from these).
    redemption_amount = models.DecimalField("申请兑付金额(元)", **MONEY, null=True, blank=True)
    redemption_proof = models.FileField("服务结果证明", upload_to=private_order_upload_to, blank=True)
    redemption_proof_name = models.CharField("服务结果证明文件名", max_length=100, blank=True)
    redemption_invoice = models.FileField("发票图片", upload_to=private_order_upload_to, blank=True)
    redemption_requested_at = models.DateTimeField("申请兑付时间", null=True, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    quota_confirmed_at = models.DateTimeField("额度确认时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    accept_reminder_sent_at = models.DateTimeField("待接单提醒时间", null=True, blank=True)
    quota_reminder_sent_at = models.DateTimeField("待额度确认提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "订单"
        verbose_name_plural = "订单"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("confirm_quota", "可以确认额度"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="order_quantity_pos"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0), name="order_amount_nonneg"
            ),
            models.CheckConstraint(condition=models.Q(voucher_share__gte=0), name="order_share_nonneg"),
            models.CheckConstraint(
                condition=models.Q(mode="wuquan", voucher__isnull=True)
                | (~models.Q(mode="wuquan") & models.Q(voucher__isnull=False)),
                name="order_voucher_matches_mode",
            ),
        ]
        indexes = [
            # 订单管理 of the buyer and the seller, newest first: with the id the page's ids
            # come from the index alone, however deep the page (config.pagination).
            models.Index(fields=["enterprise", "-created_at", "-id"], name="order_enterprise_idx"),
            models.Index(fields=["institution", "-created_at", "-id"], name="order_institution_idx"),
            models.Index(fields=["status", "created_at"], name="order_status_idx"),
            # Admin change list of a region (issue 9): by status (the 额度确认 queue) or all,
            # newest first; the count of the queue is an index-only scan.
            models.Index(fields=["region", "status", "-created_at", "-id"], name="order_region_status_idx"),
            models.Index(fields=["region", "-created_at", "-id"], name="order_region_recent_idx"),
            # The platform administrator's queue (every region).
            models.Index(
                fields=["-created_at", "-id"],
                name="order_quota_recent_idx",
                condition=models.Q(status="pending_quota"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("orders:buyer_detail", args=[self.pk])

    def get_seller_url(self) -> str:
        return reverse("orders:seller_detail", args=[self.pk])

    @property
    def is_voucher_order(self) -> bool:
        return self.mode != OrderMode.WUQUAN

    @property
    def is_difference_order(self) -> bool:
        return self.parent_id is not None

    @property
    def amount_label(self) -> str:
        return "价格待商定" if self.amount is None else f"{self.amount}"

    def can(self, action: str) -> bool:
        """Whether the table allows ``action`` from the current status (no actor check)."""
        move = actions_for_mode(self.mode).get(action)
        return bool(move and move.source == self.status and self.mode in move.modes)


class OrderStatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history", verbose_name="订单")
    from_status = models.CharField("原状态", max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=20, choices=OrderStatus.choices)
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
        verbose_name = "订单状态记录"
        verbose_name_plural = "订单状态记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class OrderReview(models.Model):
    """评价: once per 已完成 order."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="review", verbose_name="订单")
    item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name="服务项目",
    )
    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.CASCADE, related_name="reviews", verbose_name="服务机构"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="+", verbose_name="评价企业"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="评价人"
    )
    rating = models.PositiveSmallIntegerField(
        "评分", validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1-5分"
    )
    comment = models.TextField("评价内容", max_length=500, blank=True)
    created_at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        verbose_name = "订单评价"
        verbose_name_plural = "订单评价"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_5"),
        ]
        indexes = [
            models.Index(fields=["item", "-created_at"], name="review_item_idx"),
            models.Index(fields=["institution", "-created_at"], name="review_institution_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.rating}分"
