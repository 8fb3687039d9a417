from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "real_name", "masked_phone", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "real_name", "phone")
    fieldsets = BaseUserAdmin.fieldsets + (("平台信息", {"fields": ("real_name", "phone", "phone_verified", "role")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("平台信息", {"fields": ("real_name", "phone", "role")}),)

    @admin.display(description="手机号码")
    def masked_phone(self, obj):
        return obj.masked_phone
