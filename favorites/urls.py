from django.urls import path

from favorites import views

app_name = "favorites"

urlpatterns = [
    path("institutions/", views.institutions, name="institutions"),
    path("items/", views.items, name="items"),
    path("instruments/", views.instruments, name="instruments"),
    path("button/<str:kind>/<int:target_id>/", views.button, name="button"),
    path("toggle/<str:kind>/<int:target_id>/", views.toggle, name="toggle"),
    path("remove/<str:kind>/<int:target_id>/", views.remove, name="remove"),
]
