from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "vouchers"
    verbose_name = "创新券"
    default_auto_field = "django.db.models.BigAutoField"
