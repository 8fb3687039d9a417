from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = "企业与试点区域"
    default_auto_field = "django.db.models.BigAutoField"
