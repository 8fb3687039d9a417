from django.contrib import admin

from messaging.models import Message, OutboxMessage
from messaging.services import forget_unread_count, shown_body


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "text", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("text", "recipient__username")
    raw_id_fields = ("recipient",)
    list_select_related = ("recipient",)

    def has_change_permission(self, request, obj=None):
        return False

    # Messages added or deleted here change their recipients' 站内信 badge (cached).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_unread_count(obj.recipient_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        forget_unread_count(obj.recipient_id)

    def delete_queryset(self, request, queryset):
        recipients = set(queryset.values_list("recipient_id", flat=True))
        super().delete_queryset(request, queryset)
        for user_id in recipients:
            forget_unread_count(user_id)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("channel", "to", "status", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "status")
    # The body through shown_body: a code still waiting to be sent is not shown here either.
    fields = (
        "channel",
        "to",
        "subject",
        "masked_body",
        "secret",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields

    @admin.display(description="内容")
    def masked_body(self, obj):
        return shown_body(obj)

    def has_change_permission(self, request, obj=None):
        return False
