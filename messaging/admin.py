from django.contrib import admin

from messaging.models import Message, OutboxMessage


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "text", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("text", "recipient__username")
    raw_id_fields = ("recipient",)
    list_select_related = ("recipient",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("channel", "to", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status")

    def has_change_permission(self, request, obj=None):
        return False
