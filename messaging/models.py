from django.conf import settings
from django.db import models


class Message(models.Model):
    """A 站内信 (site message) to one user. Written in the same transaction as the state
    change that causes it, so no message is ever lost (DESIGN §9)."""

    class Kind(models.TextChoices):
        ORDER = "order", "服务项目订单"
        VOUCHER_APPLICATION = "voucher_application", "科技券申请"
        INSTITUTION_REDEMPTION = "institution_redemption", "机构兑付"
        REDEMPTION = "redemption", "兑付申请"
        VOUCHER = "voucher", "创新券"
        JOIN = "join", "申请加盟"
        ACCOUNT = "account", "账号安全"
        SYSTEM = "system", "系统通知"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_messages", verbose_name="接收人"
    )
    kind = models.CharField("通知类型", max_length=32, choices=Kind.choices)
    text = models.CharField("通知信息", max_length=500)
    link = models.CharField("相关页面", max_length=300, blank=True)
    created_at = models.DateTimeField("通知时间", auto_now_add=True, db_index=False)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    # Deleting hides the message from its owner; the row stays for the audit of what was sent.
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内信"
        verbose_name_plural = "站内信"
        indexes = [
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                name="msg_inbox_idx",
                condition=models.Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["recipient"],
                name="msg_unread_idx",
                condition=models.Q(deleted_at__isnull=True, read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:30]}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxMessage(models.Model):
    """A message that leaves the platform (SMS or e-mail). Written in the caller's
    transaction; sent by a Celery task after commit and re-sent by the sweeper if it is
    still pending (DESIGN §9). The row's status prevents sending twice."""

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        EMAIL = "email", "电子邮件"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    MAX_ATTEMPTS = 8

    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    to = models.CharField("接收地址", max_length=254)
    subject = models.CharField("主题", max_length=200, blank=True)
    body = models.TextField("内容")
    # A verification code: the body is masked once the row is sent or given up, so the
    # code is readable in the database only while it may still be delivered.
    secret = models.BooleanField("含验证码", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "外发消息"
        verbose_name_plural = "外发消息"
        indexes = [
            models.Index(fields=["created_at"], name="outbox_pending_idx", condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to} ({self.get_status_display()})"
