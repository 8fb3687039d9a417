from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import checks  # noqa: F401  (registers the deploy checks)
        from accounts.roles import sync_role_groups

        # Permissions exist only after post_migrate of every app; keep the role groups exact.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        self._connect_permission_cache()
        self._connect_identity_cache()

    def _connect_identity_cache(self):
        """A user's row, membership, enterprise, staff row, institution or administered
        regions changed: accounts.identity reads afresh."""
        from accounts import identity
        from accounts.models import User
        from catalog.models import Institution, InstitutionStaff
        from enterprises.models import Enterprise, EnterpriseMember, RegionAdministrator

        for model, receiver in (
            (User, identity.user_changed),
            (EnterpriseMember, identity.member_changed),
            (Enterprise, identity.enterprise_changed),
            (InstitutionStaff, identity.member_changed),
            (RegionAdministrator, identity.member_changed),
            (Institution, identity.institution_changed),
        ):
            for signal, name in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(receiver, sender=model, dispatch_uid=f"identity.{name}.{model._meta.label}")

    def _connect_permission_cache(self):
        """Who holds which permission changed: accounts.permission_cache starts anew."""
        from django.contrib.auth.models import Group, Permission

        from accounts.models import User
        from accounts.permission_cache import forget_permissions

        for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(forget_permissions, sender=through, dispatch_uid=f"perms.{through._meta.label}")
        for model in (Group, Permission):
            post_save.connect(forget_permissions, sender=model, dispatch_uid=f"perms.save.{model._meta.label}")
            post_delete.connect(forget_permissions, sender=model, dispatch_uid=f"perms.delete.{model._meta.label}")
