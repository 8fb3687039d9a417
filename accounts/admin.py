from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User

# The admin's own login form is not rate-limited: send it through allauth's login
# (failed-login limits per IP and per username, LIBRARY_NOTES).
admin.site.login = secure_admin_login(admin.site.login)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "real_name", "masked_phone", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "real_name", "phone")
    fieldsets = BaseUserAdmin.fieldsets + (
        ("平台信息", {"fields": ("real_name", "phone", "phone_verified", "role")}),
        (
            "个人信息",
            {
                "fields": (
                    "masked_id",
                    "gender",
                    "birth_date",
                    "birthplace",
                    "nationality",
                    "ethnicity",
                    "party",
                    "education",
                    "address",
                    "postcode",
                    "province",
                    "city",
                    "district",
                    "home_region",
                )
            },
        ),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("平台信息", {"fields": ("real_name", "phone", "role")}),)
    readonly_fields = ("masked_id",)

    def get_fieldsets(self, request, obj=None):
        """Only platform administrators (superusers) edit and see the full mobile number;
        anyone else (regional administrators) sees it masked."""
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        return [
            (name, {**opts, "fields": tuple("masked_phone" if f == "phone" else f for f in opts["fields"])})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else (*fields, "masked_phone")

    @admin.display(description="手机号码")
    def masked_phone(self, obj):
        return obj.masked_phone

    @admin.display(description="证件号码")
    def masked_id(self, obj):
        return obj.masked_id_number or "—"
