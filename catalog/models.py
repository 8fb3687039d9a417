"""The service catalogue (DESIGN §2, §10): a three-level category tree, service institutions
(shops) with sub-units and staff, service items and large instruments with their images.

Writes live in catalog/services.py (never in save() or signals): it keeps each item's
search columns (``search_text`` and ``search_vector``) current."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2}


def public_image_upload_to(instance, filename: str) -> str:
    # Generated names only; catalogue pictures are public (shop logos, item pictures).
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    if ext not in ("jpg", "png"):
        ext = "jpg"
    return f"public/catalog/{uuid.uuid4().hex}.{ext}"


class ServiceCategory(models.Model):
    """服务类别: 一级 > 二级 > 三级. Items (and quick redemption) use a third-level category."""

    class Level(models.IntegerChoices):
        FIRST = 1, "一级"
        SECOND = 2, "二级"
        THIRD = 3, "三级"

    name = models.CharField("类别名称", max_length=50)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级类别"
    )
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务类别"
        verbose_name_plural = "服务类别"
        ordering = ["level", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=3), name="category_level_1_3"),
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True) | models.Q(level__gt=1, parent__isnull=False),
                name="category_parent_matches_level",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def path_label(self) -> str:
        names = []
        node = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " > ".join(reversed(names))


class Institution(models.Model):
    """服务机构 (the seller, its 店铺)."""

    name = models.CharField("机构名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    region = models.ForeignKey(
        "enterprises.Division", on_delete=models.PROTECT, related_name="+", verbose_name="所在地区"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    introduction = models.TextField("机构简介", max_length=5000, blank=True)
    qualifications = models.TextField("资质情况", max_length=2000, blank=True)
    logo = models.ImageField("机构标志", upload_to=public_image_upload_to, blank=True)
    logo_thumb = models.ImageField("机构标志缩略图", upload_to=public_image_upload_to, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    contact_email = models.EmailField("电子邮箱", blank=True)
    website = models.URLField("网址", blank=True)
    is_active = models.BooleanField("店铺开放", default=True)
    # The 申请加盟 this institution came from (None: created by a platform administrator).
    join_application = models.OneToOneField(
        "enterprises.JoinApplication",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="institution",
        verbose_name="加盟申请",
    )
    created_at = models.DateTimeField("入驻时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "服务机构"
        verbose_name_plural = "服务机构"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def province_code(self) -> str:
        return self.region_id[:2] + "0000" if self.region_id else ""

    @property
    def province(self):
        """The province (Division) the institution is located in."""
        from enterprises.models import Division

        return Division.objects.filter(code=self.province_code).first()


class SubUnit(models.Model):
    """子单位, e.g. a university's laboratory."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="sub_units", verbose_name="服务机构"
    )
    name = models.CharField("子单位名称", max_length=100)
    introduction = models.TextField("简介", max_length=2000, blank=True)
    contact_person = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "子单位"
        verbose_name_plural = "子单位"
        ordering = ["institution", "id"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="subunit_unique_name")]

    def __str__(self) -> str:
        return self.name


class InstitutionStaff(models.Model):
    """A user who works in 卖家中心 for an institution."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="institution_staff", verbose_name="用户"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="staff", verbose_name="服务机构"
    )
    is_admin = models.BooleanField("机构管理员", default=False)
    created_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "机构用户"
        verbose_name_plural = "机构用户"

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"


class ServiceItem(models.Model):
    """服务项目."""

    class PriceType(models.TextChoices):
        FIXED = "fixed", "一口价"
        NEGOTIABLE = "negotiable", "面议"

    name = models.CharField("项目名称", max_length=100)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="items", verbose_name="服务机构"
    )
    sub_unit = models.ForeignKey(
        SubUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="items", verbose_name="子单位"
    )
    category = models.ForeignKey(
        ServiceCategory,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name="服务类别",
        limit_choices_to={"level": 3},
    )
    price_type = models.CharField("价格类型", max_length=12, choices=PriceType.choices, default=PriceType.FIXED)
    price = models.DecimalField("价格(元)", **MONEY, null=True, blank=True)
    unit = models.CharField("单位", max_length=20, default="次")
    description = models.TextField("服务内容", max_length=5000, blank=True)
    service_cycle = models.CharField("服务周期", max_length=50, blank=True)
    region_tags = models.ManyToManyField(
        "enterprises.PilotRegion", blank=True, related_name="service_items", verbose_name="可下单区域"
    )
    is_on_shelf = models.BooleanField("已上架", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # Search columns (DESIGN §10), written by catalog.services only.
    search_text = models.TextField("检索文本", blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = "服务项目"
        verbose_name_plural = "服务项目"
        ordering = ["-created_at", "-id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="item_search_gin"),
            models.Index(fields=["institution", "-created_at"], name="item_institution_idx"),
            models.Index(fields=["price"], name="item_price_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_type="negotiable") | models.Q(price__isnull=False),
                name="item_fixed_price_has_price",
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0), name="item_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def price_label(self) -> str:
        if self.price_type == self.PriceType.NEGOTIABLE or self.price is None:
            return "面议"
        return f"¥{self.price}"


class ServiceItemImage(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="images", verbose_name="服务项目")
    image = models.ImageField("图片", upload_to=public_image_upload_to)
    thumb = models.ImageField("缩略图", upload_to=public_image_upload_to)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "服务项目图片"
        verbose_name_plural = "服务项目图片"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} 图片 {self.pk}"


class Instrument(models.Model):
    """大型仪器."""

    class Status(models.TextChoices):
        AVAILABLE = "available", "可预约"
        IN_USE = "in_use", "使用中"
        MAINTENANCE = "maintenance", "维护中"
        RETIRED = "retired", "停用"

    name = models.CharField("仪器名称", max_length=100)
    model_number = models.CharField("型号", max_length=100, blank=True)
    manufacturer = models.CharField("生产厂家", max_length=100, blank=True)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="instruments", verbose_name="服务机构"
    )
    sub_unit = models.ForeignKey(
        SubUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="instruments", verbose_name="子单位"
    )
    location = models.CharField("放置地点", max_length=200, blank=True)
    specifications = models.TextField("主要技术指标", max_length=3000, blank=True)
    uses = models.TextField("主要用途", max_length=3000, blank=True)
    booking_price = models.DecimalField("预约价格(元)", **MONEY, null=True, blank=True)
    booking_unit = models.CharField("计价单位", max_length=20, default="小时")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.AVAILABLE)
    is_on_shelf = models.BooleanField("已上架", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "大型仪器"
        verbose_name_plural = "大型仪器"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["institution", "-created_at"], name="instrument_institution_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(booking_price__isnull=True) | models.Q(booking_price__gte=0),
                name="instrument_price_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def price_label(self) -> str:
        if self.booking_price is None:
            return "面议"
        return f"¥{self.booking_price}/{self.booking_unit}"


class InstrumentImage(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="images", verbose_name="大型仪器")
    image = models.ImageField("图片", upload_to=public_image_upload_to)
    thumb = models.ImageField("缩略图", upload_to=public_image_upload_to)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "大型仪器图片"
        verbose_name_plural = "大型仪器图片"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.instrument_id} 图片 {self.pk}"
