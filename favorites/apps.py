from django.apps import AppConfig


class FavoritesConfig(AppConfig):
    name = "favorites"
    verbose_name = "收藏"
    default_auto_field = "django.db.models.BigAutoField"
