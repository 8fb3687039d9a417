from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号"
    default_auto_field = "django.db.models.BigAutoField"
