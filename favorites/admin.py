from django.contrib import admin

from favorites.models import Favorite


@admin.register(Favorite)
class FavoriteAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "institution", "item", "instrument", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("user", "institution", "item", "instrument")
    list_select_related = ("user", "institution", "item", "instrument")
