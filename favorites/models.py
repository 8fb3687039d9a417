"""收藏 (manual chapter 7): a user's favourite institutions, service items and instruments."""

from django.conf import settings
from django.db import models


class Favorite(models.Model):
    class Kind(models.TextChoices):
        INSTITUTION = "institution", "服务机构"
        ITEM = "item", "服务项目"
        INSTRUMENT = "instrument", "大型仪器"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites", verbose_name="用户"
    )
    kind = models.CharField("收藏类型", max_length=12, choices=Kind.choices)
    institution = models.ForeignKey(
        "catalog.Institution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="服务机构",
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="服务项目",
    )
    instrument = models.ForeignKey(
        "catalog.Instrument", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="大型仪器"
    )
    created_at = models.DateTimeField("收藏时间", auto_now_add=True)

    class Meta:
        verbose_name = "收藏"
        verbose_name_plural = "收藏"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "kind", "-created_at"], name="favorite_user_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="institution", institution__isnull=False, item__isnull=True, instrument__isnull=True)
                    | models.Q(kind="item", institution__isnull=True, item__isnull=False, instrument__isnull=True)
                    | models.Q(kind="instrument", institution__isnull=True, item__isnull=True, instrument__isnull=False)
                ),
                name="favorite_one_target_matching_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "institution"],
                condition=models.Q(kind="institution"),
                name="favorite_unique_institution",
            ),
            models.UniqueConstraint(
                fields=["user", "item"], condition=models.Q(kind="item"), name="favorite_unique_item"
            ),
            models.UniqueConstraint(
                fields=["user", "instrument"], condition=models.Q(kind="instrument"), name="favorite_unique_instrument"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} 收藏 {self.target}"

    @property
    def target(self):
        return getattr(self, self.kind)
