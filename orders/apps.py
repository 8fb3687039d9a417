from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "订单"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from enterprises.signals import enterprise_region_changed

        enterprise_region_changed.connect(_follow_region, dispatch_uid="orders_follow_region")


def _follow_region(sender, enterprise, new_region_id, **kwargs):
    from orders.services.common import follow_enterprise_region

    follow_enterprise_region(enterprise.pk, new_region_id)
