from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "服务目录"
    default_auto_field = "django.db.models.BigAutoField"
