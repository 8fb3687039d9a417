from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "订单"
    default_auto_field = "django.db.models.BigAutoField"
