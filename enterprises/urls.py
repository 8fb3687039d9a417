from django.urls import path

from enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/complete/", views.complete, name="complete"),
    path("divisions/", views.division_options, name="division_options"),
    path("licence/<int:pk>/", views.licence, name="licence"),
    path("basic-info/", views.basic_info, name="basic_info"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/disable/", views.member_disable, name="member_disable"),
    path("members/<int:pk>/enable/", views.member_enable, name="member_enable"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("members/<int:pk>/transfer/", views.member_transfer, name="member_transfer"),
    path("join/", views.join, name="join"),
    path("join/files/<int:pk>/", views.join_file, name="join_file"),
]
