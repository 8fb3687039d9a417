from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/phone/", views.phone_change, name="phone_change"),
    path("password/", views.password, name="password"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("sms/send/", views.sms_send, name="sms_send"),
    path("dev/sms/", views.dev_sms, name="dev_sms"),
]
