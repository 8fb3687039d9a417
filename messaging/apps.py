from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "站内信与通知"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from messaging import checks  # noqa: F401  (registers the deploy checks)
