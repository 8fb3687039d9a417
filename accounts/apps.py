from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.roles import sync_role_groups

        # Permissions exist only after post_migrate of every app; keep the role groups exact.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
