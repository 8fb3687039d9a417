from django.urls import reverse

from orders import services
from tests.orders.conftest import place


def test_pages_render(client, buyer_a, seller, wujiang_admin, item, voucher_a):
    client.force_login(buyer_a)
    r = client.get(reverse("orders:create", args=[item.pk]))
    assert r.status_code == 200, r.content.decode()[:3000]
    assert "项目信息" in r.content.decode()
    order = place(buyer_a, item, voucher_a)
    for name in ("orders:buyer_list", "orders:buyer_detail", "orders:placed"):
        args = [] if name.endswith("list") else [order.pk]
        r = client.get(reverse(name, args=args))
        assert r.status_code == 200, (name, r.content.decode()[:3000])
    client.force_login(seller)
    for name in ("orders:seller_list", "orders:seller_detail"):
        args = [] if name.endswith("list") else [order.pk]
        r = client.get(reverse(name, args=args))
        assert r.status_code == 200, (name, r.content.decode()[:3000])
    services.accept_order(order.pk, actor=seller)
    client.force_login(wujiang_admin)
    r = client.get(reverse("admin:orders_order_changelist"))
    assert r.status_code == 200 and order.number in r.content.decode()
    r = client.get(reverse("admin:orders_order_quota", args=[order.pk]))
    assert r.status_code == 200
    r = client.post(reverse("admin:orders_order_quota", args=[order.pk]), {"decision": "confirm"})
    assert r.status_code == 302
    r = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert r.status_code == 200
