from django.urls import path

from vouchers import views

app_name = "vouchers"

urlpatterns = [
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("apply/", views.apply, name="apply"),
    path("quota/", views.quota, name="quota"),
    path("<int:pk>/", views.voucher_detail, name="detail"),
]
