from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who logs in. Which enterprise, institution or region they act for is
    recorded by the apps that own those things (enterprises.EnterpriseMember,
    catalog's institution staff, enterprises.RegionAdministrator)."""

    class Role(models.TextChoices):
        ENTERPRISE = "enterprise", "企业用户"
        INSTITUTION = "institution", "服务机构用户"
        REGION_ADMIN = "region_admin", "区域管理员"
        EXPERT = "expert", "专家"
        PLATFORM_ADMIN = "platform_admin", "平台管理员"

    real_name = models.CharField("真实姓名", max_length=50, blank=True)
    # Mainland mobile numbers, 11 digits without +86; unique when present.
    phone = models.CharField("手机号码", max_length=11, unique=True, null=True, blank=True)
    phone_verified = models.BooleanField("手机号已验证", default=False)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    id_number = models.CharField("证件号码", max_length=18, blank=True)

    # 个人信息 (manual §8.1): optional except 用户名, 真实姓名, 手机号, 邮箱 (email is
    # AbstractUser's). The sensitive ones (民族, 党派, 出生地, 证件号码) stay optional.
    class Gender(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    class Education(models.TextChoices):
        DOCTOR = "doctor", "博士研究生"
        MASTER = "master", "硕士研究生"
        BACHELOR = "bachelor", "大学本科"
        COLLEGE = "college", "大学专科"
        HIGH_SCHOOL = "high_school", "高中及以下"

    gender = models.CharField("性别", max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    birthplace = models.CharField("出生地", max_length=100, blank=True)
    nationality = models.CharField("国籍", max_length=50, blank=True, default="中国")
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    party = models.CharField("党派", max_length=30, blank=True)
    education = models.CharField("学历", max_length=20, choices=Education.choices, blank=True)
    address = models.CharField("通讯地址", max_length=200, blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    province = models.CharField("省份", max_length=50, blank=True)
    city = models.CharField("所在城市", max_length=50, blank=True)
    district = models.CharField("所在地区", max_length=50, blank=True)
    home_region = models.CharField("区域", max_length=30, blank=True, help_text="所属试点区域名称，或“其他”")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return f"{self.real_name or self.username}（{self.username}）"

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def masked_id_number(self) -> str:
        """5001**********3397: shown to anyone but the owner's own edit form."""
        n = self.id_number
        if len(n) < 8:
            return "*" * len(n)
        return n[:4] + "*" * (len(n) - 8) + n[-4:]

    @property
    def masked_phone(self) -> str:
        p = self.phone or ""
        return p[:3] + "****" + p[-4:] if len(p) == 11 else p


class AuditEntry(models.Model):
    """One row of the audit trail (审计日志): a decision or a change to money, status,
    registration data or policy, with who did it, when, from where, and the values before
    and after. Append-only: written only by accounts.audit.record(); the admin grants no
    change or delete, and a database trigger (migration 0003) refuses UPDATE and DELETE.

    ``region_id`` is the enterprises.PilotRegion the object belongs to, stored as a plain
    indexed integer because accounts sits below enterprises in the layer list and cannot
    hold a foreign key to it; regional administrators see the rows of their regions."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    # No database constraint: deleting a user must neither cascade into nor update the trail.
    actor = models.ForeignKey(
        User,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField("操作人名称", max_length=200, blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_label = models.CharField("对象", max_length=200, blank=True)
    region_id = models.PositiveIntegerField("区域编号", null=True, blank=True, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_label}"
