from django.apps import AppConfig


class RedemptionConfig(AppConfig):
    name = "redemption"
    verbose_name = "兑付"
    default_auto_field = "django.db.models.BigAutoField"
