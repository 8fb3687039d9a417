import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

MONEY = {"max_digits": 14, "decimal_places": 2}


class Division(models.Model):
    """An administrative division (GB/T 2260): province > city > district."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, "省"
        CITY = 2, "市"
        DISTRICT = 3, "区县"

    code = models.CharField("行政区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=50)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="division_children_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        names = []
        node = self
        while node is not None:
            if not names or names[-1] != node.name:
                names.append(node.name)
            node = node.parent
        return "".join(reversed(names))

    def ancestor_codes(self) -> list[str]:
        """This division's code and those of the divisions above it, from the codes alone."""
        codes = [self.code]
        if self.level >= Division.Level.DISTRICT:
            codes.append(self.parent_id or self.code[:4] + "00")
        if self.level >= Division.Level.CITY:
            codes.append(self.code[:2] + "0000")
        return codes


class PilotRegion(models.Model):
    """A pilot region: an administrative division plus a versioned policy (DESIGN §5).
    New regions are added here (admin), never in code."""

    division = models.OneToOneField(Division, on_delete=models.PROTECT, verbose_name="行政区划")
    name = models.CharField("区域名称", max_length=30, unique=True)
    code = models.CharField(
        "区域代码", max_length=3, unique=True, help_text="三位大写字母，用于创新券编号，如 MAS（马鞍山市）"
    )
    is_active = models.BooleanField("参与试点", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "试点区域"
        verbose_name_plural = "试点区域"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def policy_on(self, day=None) -> "RegionPolicy | None":
        """The policy in force on ``day`` (today by default): the latest one effective."""
        day = day or timezone.localdate()
        return self.policies.filter(effective_from__lte=day).order_by("-effective_from", "-id").first()

    @property
    def current_policy(self) -> "RegionPolicy | None":
        if not hasattr(self, "_current_policy"):
            self._current_policy = self.policy_on()
        return self._current_policy


class RegionPolicy(models.Model):
    """One version of a pilot region's policy, effective from a date. Applications keep
    the version they were made under (they point at it)."""

    class Mode(models.TextChoices):
        TONGDUI = "tongdui", "通兑"
        TONGYONG = "tongyong", "通用"

    class VoucherSource(models.TextChoices):
        LOCAL = "local", "本平台申领"
        IMPORTED = "imported", "外部平台发放（管理员导入）"

    region = models.ForeignKey(PilotRegion, on_delete=models.PROTECT, related_name="policies", verbose_name="试点区域")
    effective_from = models.DateField("生效日期")
    mode = models.CharField("兑付模式", max_length=10, choices=Mode.choices)
    quick_redemption = models.BooleanField("使用快速兑付", default=False)
    subsidy_ratio = models.DecimalField(
        "补贴比例",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.5000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="兑现金额 = 服务总金额 × 比例（不超过券剩余金额），如 0.5 表示 50%",
    )
    annual_cap = models.DecimalField("每家企业年度上限(元)", **MONEY, default=Decimal("500000.00"))
    voucher_validity_days = models.PositiveIntegerField("创新券有效期(天)", default=365)
    redemption_window_start = models.DateField("兑付周期开始", null=True, blank=True)
    redemption_window_end = models.DateField("兑付周期结束", null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField("公示期(天)", default=5)
    voucher_source = models.CharField(
        "创新券来源", max_length=10, choices=VoucherSource.choices, default=VoucherSource.LOCAL
    )
    external_apply_url = models.URLField("外部申领地址", blank=True)
    external_login_provider = models.CharField(
        "外部登录提供方ID", max_length=50, blank=True, help_text="django-allauth OpenID Connect 提供方的 provider_id"
    )
    external_login_label = models.CharField("外部登录按钮文字", max_length=50, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "区域政策"
        verbose_name_plural = "区域政策"
        ordering = ["region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "effective_from"], name="policy_one_per_region_day"),
            models.CheckConstraint(
                condition=models.Q(subsidy_ratio__gte=0, subsidy_ratio__lte=1), name="policy_ratio_0_1"
            ),
            models.CheckConstraint(
                condition=models.Q(redemption_window_start__isnull=True)
                | models.Q(redemption_window_end__isnull=True)
                | models.Q(redemption_window_end__gte=models.F("redemption_window_start")),
                name="policy_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region}：{self.get_mode_display()}（{self.effective_from} 起）"

    @property
    def voucher_type_label(self) -> str:
        return "通兑券" if self.mode == self.Mode.TONGDUI else "通用券"

    def in_redemption_window(self, day=None) -> bool:
        day = day or timezone.localdate()
        if self.redemption_window_start and day < self.redemption_window_start:
            return False
        if self.redemption_window_end and day > self.redemption_window_end:
            return False
        return True


class RegionAdministrator(models.Model):
    """Which pilot regions a regional administrator administers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="administered_regions", verbose_name="用户"
    )
    region = models.ForeignKey(
        PilotRegion, on_delete=models.CASCADE, related_name="administrators", verbose_name="区域"
    )

    class Meta:
        verbose_name = "区域管理员"
        verbose_name_plural = "区域管理员"
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="region_admin_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.region}"


def licence_upload_to(instance, filename: str) -> str:
    # Generated, unguessable keys: the original name is never used (no ../, no overwrite).
    return f"private/licences/{uuid.uuid4().hex}.png"


class Enterprise(models.Model):
    """A 法人单位 registered on the platform (the buyer)."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("单位名称", max_length=100)
    licence = models.FileField("营业执照", upload_to=licence_upload_to, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, verbose_name="注册所在地")
    # The pilot region the registered location falls in (None: not a pilot region).
    region = models.ForeignKey(
        PilotRegion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name="试点区域",
    )

    # 基本信息 (manual §3.1): what a voucher reviewer needs.
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    registered_capital = models.DecimalField("注册资本(万元)", **MONEY, null=True, blank=True)
    industry = models.CharField("所属行业", max_length=50, blank=True)
    employees = models.PositiveIntegerField("职工人数", null=True, blank=True)
    rd_staff = models.PositiveIntegerField("研发人员数", null=True, blank=True)
    last_year_revenue = models.DecimalField("上年度营业收入(万元)", **MONEY, null=True, blank=True)
    last_year_rd_spend = models.DecimalField("上年度研发投入(万元)", **MONEY, null=True, blank=True)
    is_high_tech = models.BooleanField("高新技术企业", default=False)
    high_tech_cert_no = models.CharField("高新技术企业证书编号", max_length=50, blank=True)
    is_tech_sme = models.BooleanField("科技型中小企业", default=False)
    tech_sme_no = models.CharField("科技型中小企业入库编号", max_length=50, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("通讯地址", max_length=200, blank=True)
    introduction = models.TextField("企业简介", max_length=2000, blank=True)

    created_at = models.DateTimeField("注册时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # The fields a voucher application needs filled in (manual §3.1).
    REQUIRED_BASIC_FIELDS = (
        "legal_representative",
        "established_on",
        "registered_capital",
        "industry",
        "employees",
        "rd_staff",
        "last_year_revenue",
        "last_year_rd_spend",
        "contact_person",
        "contact_phone",
        "address",
        "introduction",
    )

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        indexes = [models.Index(fields=["region", "-created_at"], name="enterprise_region_idx")]

    def __str__(self) -> str:
        return self.name

    def missing_basic_fields(self) -> list[str]:
        missing = []
        for name in self.REQUIRED_BASIC_FIELDS:
            value = getattr(self, name)
            if value is None or value == "":
                missing.append(str(self._meta.get_field(name).verbose_name))
        return missing

    @property
    def basic_info_complete(self) -> bool:
        return not self.missing_basic_fields()

    @property
    def basic_info_percent(self) -> int:
        total = len(self.REQUIRED_BASIC_FIELDS)
        return round(100 * (total - len(self.missing_basic_fields())) / total)


class EnterpriseRegionCopy(models.Model):
    """For rows of an enterprise that regional administrators work through (orders,
    redemption applications): ``region`` is a copy of ``enterprise.region``, filled on
    insert and moved by enterprises.services when 注册所在地 changes, so the admin lists
    filter and sort on one indexed column instead of joining every row to its enterprise
    (issue 9: the 额度确认 queue counted a million orders' worth of joins in 14 ms)."""

    region = models.ForeignKey(
        PilotRegion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="企业所在试点区域",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding and self.region_id is None and self.enterprise_id is not None:
            self.region_id = self.enterprise.region_id
        super().save(*args, **kwargs)


class EnterpriseMember(models.Model):
    """A user who acts for an enterprise: its administrator or an operator (用户管理)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enterprise_membership", verbose_name="用户"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="members", verbose_name="企业")
    is_admin = models.BooleanField("单位管理员", default=False)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "企业用户"
        verbose_name_plural = "企业用户"
        constraints = [
            # Exactly one administrator per enterprise at most (handing over swaps it).
            models.UniqueConstraint(
                fields=["enterprise"], condition=models.Q(is_admin=True), name="one_admin_per_enterprise"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.enterprise}"


def join_file_upload_to(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"private/join/{uuid.uuid4().hex}.{ext[:5]}"


class JoinApplication(models.Model):
    """申请加盟: an enterprise applies to act as a service institution (卖家). A regional
    administrator of the enterprise's region approves or rejects it with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已驳回"

    # The allowed moves (DESIGN §4); enterprises.services.decide_join_application performs them.
    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: set(),
        Status.REJECTED: set(),
    }

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="join_applications", verbose_name="申请企业"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    institution_name = models.CharField("机构名称", max_length=100)
    institution_type = models.CharField("机构类型", max_length=30)
    service_fields = models.CharField("服务领域", max_length=200)
    contact_person = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20)
    address = models.CharField("机构地址", max_length=200)
    introduction = models.TextField("机构简介", max_length=2000)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField("审核意见", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请加盟"
        verbose_name_plural = "申请加盟"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=models.Q(status="pending"), name="join_one_pending_per_enterprise"
            )
        ]
        indexes = [models.Index(fields=["enterprise", "-created_at"], name="join_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.institution_name}（{self.get_status_display()}）"


class JoinApplicationFile(models.Model):
    """A qualification file (资质文件) of a join application; private."""

    application = models.ForeignKey(JoinApplication, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("资质文件", upload_to=join_file_upload_to)
    original_name = models.CharField("文件名", max_length=100)

    class Meta:
        verbose_name = "资质文件"
        verbose_name_plural = "资质文件"

    def __str__(self) -> str:
        return self.original_name


class JoinApplicationStatusChange(models.Model):
    application = models.ForeignKey(JoinApplication, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    from_status = models.CharField("原状态", max_length=10, blank=True)
    to_status = models.CharField("新状态", max_length=10)
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请加盟状态记录"
        verbose_name_plural = "申请加盟状态记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class RegistrationChange(models.Model):
    """A change of an enterprise's registration data (注册所在地, 统一社会信用代码), made by
    an administrator in admin with a reason."""

    class Field(models.TextChoices):
        DIVISION = "division", "注册所在地"
        USCC = "uscc", "统一社会信用代码"

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="registration_changes", verbose_name="企业"
    )
    field = models.CharField("变更项", max_length=10, choices=Field.choices)
    old_value = models.CharField("原值", max_length=100)
    new_value = models.CharField("新值", max_length=100)
    reason = models.CharField("变更原因", max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    created_at = models.DateTimeField("变更时间", auto_now_add=True)

    class Meta:
        verbose_name = "注册信息变更记录"
        verbose_name_plural = "注册信息变更记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise}：{self.get_field_display()} {self.old_value} → {self.new_value}"
