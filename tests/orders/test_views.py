"""The order pages: access (404 for anybody else), actions, bad input, query counts."""

import pytest
from django.urls import reverse

from enterprises.selectors import enterprise_for_user
from orders import services
from orders.models import Order, OrderStatus
from tests.factories import EnterpriseFactory, enterprise_user, make_voucher, region, service_item
from tests.orders.conftest import TONGDUI_DETAILS, pdf_upload, place, png_upload

pytestmark = pytest.mark.django_db


def in_service(buyer, seller, admin, item, voucher):
    order = place(buyer, item, voucher)
    services.accept_order(order.pk, actor=seller)
    services.confirm_quota(order.pk, actor=admin)
    return order


def requested(buyer, seller, admin, item, voucher):
    order = in_service(buyer, seller, admin, item, voucher)
    from config.uploads import clean_attachment, clean_image

    services.request_redemption(
        order.pk,
        actor=seller,
        amount="500.00",
        proof=clean_attachment(pdf_upload()),
        proof_name="检测报告.pdf",
        invoice=clean_image(png_upload(), max_bytes=500 * 1024),
    )
    return order


# --- 立即下单 ---------------------------------------------------------------------------------


def test_create_page_tongdui_shows_split_and_needs_fields(client, buyer_a, item, voucher_a):
    client.force_login(buyer_a)
    url = reverse("orders:create", args=[item.pk])
    page = client.get(url).content.decode()
    assert voucher_a.number in page and "项目信息" in page and "预计成效" in page
    assert "500.00" in page  # 1000 × 50 % on the voucher, 500 paid by the enterprise
    response = client.post(url, {"voucher": voucher_a.pk, "quantity": 1})
    assert response.status_code == 200
    assert "请填写项目信息" in response.content.decode()
    assert not Order.objects.exists()
    response = client.post(url, {"voucher": voucher_a.pk, "quantity": 2, **TONGDUI_DETAILS})
    order = Order.objects.get()
    assert response.url == reverse("orders:placed", args=[order.pk])
    placed = client.get(response.url).content.decode()
    assert "查看订单" in placed and order.number in placed
    assert order.mode == "tongdui" and order.quantity == 2 and order.demand == TONGDUI_DETAILS["demand"]


def test_create_page_bad_input_never_500(client, buyer_a, item, voucher_a):
    client.force_login(buyer_a)
    url = reverse("orders:create", args=[item.pk])
    for data in ({"quantity": "abc"}, {"quantity": "0"}, {"voucher": "999999", "quantity": 1}, {"voucher": "x"}):
        response = client.post(url, data)
        assert response.status_code == 200
    assert "数量" in client.post(url, {"quantity": "0"}).content.decode()
    assert not Order.objects.exists()
    assert client.get(reverse("orders:create", args=[999999])).status_code == 404


def test_create_page_wuquan_and_blockers(client, buyer_a, seller, item):
    client.force_login(seller)
    page = client.get(reverse("orders:create", args=[item.pk])).content.decode()
    assert "只有企业用户" in page
    client.force_login(buyer_a)  # no voucher yet
    response = client.get(reverse("orders:create", args=[item.pk]))
    assert "没有可用的通兑券" in response.content.decode()
    client.post(reverse("orders:create", args=[item.pk]), {"voucher": "", "quantity": 1})
    assert Order.objects.get().mode == "wuquan"


def test_quick_redemption_region_is_told_to_use_quick_redemption(client, institution):
    ent = EnterpriseFactory(region=region("MAS"))
    user = enterprise_user("mas_buyer", ent)
    voucher = make_voucher(ent, amount="1000.00")
    item = service_item(institution, name="马鞍山可下单", regions=("MAS",))
    client.force_login(user)
    page = client.get(reverse("orders:create", args=[item.pk])).content.decode()
    assert "快速兑付" in page and "通用券" in page
    # Manual §5.4: no ordering with a 通用券 there; 无券 stays possible.
    client.post(reverse("orders:create", args=[item.pk]), {"voucher": str(voucher.pk), "quantity": 1})
    assert not Order.objects.filter(voucher=voucher).exists()
    client.post(reverse("orders:create", args=[item.pk]), {"voucher": "", "quantity": 1})
    assert Order.objects.get(enterprise=ent).mode == "wuquan"


def test_negotiable_item_shows_price_to_be_agreed(client, buyer_a, negotiable_item, voucher_a):
    client.force_login(buyer_a)
    assert "价格待商定" in client.get(reverse("orders:create", args=[negotiable_item.pk])).content.decode()
    order = place(buyer_a, negotiable_item, voucher_a)
    assert "价格待商定" in client.get(reverse("orders:buyer_list")).content.decode()
    assert order.amount is None


# --- lists ------------------------------------------------------------------------------------


def test_buyer_list_query_count_does_not_grow(client, buyer_a, seller, item, voucher_a, django_assert_max_num_queries):
    client.force_login(buyer_a)
    url = reverse("orders:buyer_list")
    place(buyer_a, item, voucher_a)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for i in range(12):
        order = place(buyer_a, item, voucher_a) if i % 2 else services.place_order(user=buyer_a, item_id=item.pk)
        if i % 3 == 0:
            services.accept_order(order.pk, actor=seller)
            if order.mode == "wuquan":
                services.complete_service(order.pk, actor=seller)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    page = response.content.decode()
    assert page.count('data-order="CSJ-') == 10
    assert "共 13 条" in page and "前往" in page


def test_seller_list_query_count_does_not_grow(client, buyer_a, seller, item, voucher_a, django_assert_max_num_queries):
    client.force_login(seller)
    url = reverse("orders:seller_list")
    place(buyer_a, item, voucher_a)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for _ in range(11):
        services.place_order(user=buyer_a, item_id=item.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-order="CSJ-') == 10
    assert enterprise_for_user(buyer_a).name in page and "接单" in page


def test_list_filters_and_garbage(client, buyer_a, item, negotiable_item, voucher_a):
    client.force_login(buyer_a)
    a = place(buyer_a, item, voucher_a)
    b = services.place_order(user=buyer_a, item_id=negotiable_item.pk)
    services.cancel_order(b.pk, actor=buyer_a)
    url = reverse("orders:buyer_list")

    def rows(**params):
        return client.get(url, params).content.decode().count('data-order="CSJ-')

    assert rows() == 2
    assert rows(number=a.number[-6:]) == 1
    assert rows(mode="wuquan") == 1
    assert rows(item_name="芯片") == 1
    assert rows(unit_name=item.institution.name[:4]) == 2
    assert rows(unit_name="不存在的机构") == 0
    assert rows(status=OrderStatus.CANCELLED) == 1
    for junk in ({"page": "abc"}, {"page": "-5"}, {"page": "99999"}, {"status": "zzz"}, {"mode": "<x>"}):
        assert client.get(url, junk).status_code == 200
    seller_url = reverse("orders:seller_list")
    client.force_login(item.institution.staff.first().user)
    assert client.get(seller_url, {"unit_name": enterprise_for_user(buyer_a).name}).status_code == 200


# --- access -----------------------------------------------------------------------------------


def test_other_enterprise_gets_404_everywhere(
    client, buyer_a, buyer_b, seller, wujiang_admin, other_region_admin, item, voucher_a
):
    order = requested(buyer_a, seller, wujiang_admin, item, voucher_a)
    client.force_login(buyer_b)
    for name in ("buyer_detail", "placed"):
        assert client.get(reverse(f"orders:{name}", args=[order.pk])).status_code == 404
    for name in ("cancel", "agree", "refuse", "review", "difference"):
        assert client.post(reverse(f"orders:{name}", args=[order.pk]), {"refuse-reason": "x"}).status_code == 404
    for which in ("proof", "invoice"):
        assert client.get(reverse("orders:file", args=[order.pk, which])).status_code == 404
    # A buyer is no seller: 接单 and the seller's pages are 404 for them (even their own order).
    client.force_login(buyer_a)
    for name in ("seller_detail", "accept", "decline", "complete", "redeem"):
        method = client.get if name == "seller_detail" else client.post
        assert method(reverse(f"orders:{name}", args=[order.pk])).status_code == 404
    assert client.get(reverse("orders:seller_list")).status_code == 404
    # A seller cannot 同意兑付: the buyer's pages are 404 for them.
    client.force_login(seller)
    assert client.post(reverse("orders:agree", args=[order.pk])).status_code == 404
    assert client.get(reverse("orders:buyer_detail", args=[order.pk])).status_code == 404
    # The admin of another region sees neither the files nor the order in admin.
    client.force_login(other_region_admin)
    assert client.get(reverse("orders:file", args=[order.pk, "proof"])).status_code == 404
    assert client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 404
    assert client.get(reverse("admin:orders_order_quota", args=[order.pk])).status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_BUYER
    # Anonymous: login first.
    client.logout()
    assert client.get(reverse("orders:buyer_detail", args=[order.pk])).status_code == 302
    # Garbage ids.
    client.force_login(buyer_a)
    assert client.get("/orders/99999999999999999999/").status_code == 404
    assert client.get(reverse("orders:file", args=[order.pk, "other"])).status_code == 404


def test_redemption_files_for_buyer_seller_and_region_admin(client, buyer_a, seller, wujiang_admin, item, voucher_a):
    order = requested(buyer_a, seller, wujiang_admin, item, voucher_a)
    order.refresh_from_db()
    assert order.redemption_proof.name.startswith("private/orders/") and order.redemption_proof.name.endswith(".pdf")
    for user in (buyer_a, seller, wujiang_admin):
        client.force_login(user)
        response = client.get(reverse("orders:file", args=[order.pk, "proof"]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert "attachment" in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
        assert client.get(reverse("orders:file", args=[order.pk, "invoice"])).status_code == 200


# --- actions through the pages ----------------------------------------------------------------


def test_seller_accepts_declines_and_redeems_with_checked_uploads(
    client, buyer_a, seller, wujiang_admin, item, voucher_a
):
    client.force_login(seller)
    negotiable = service_item(item.institution, name="芯片失效分析", price=None)
    order = place(buyer_a, negotiable, voucher_a)
    url = reverse("orders:accept", args=[order.pk])
    response = client.post(url, {"accept-amount": ""})
    assert response.status_code == 400 and "请填写金额" in response.content.decode()
    response = client.post(url, {"accept-amount": "12.345"})
    assert "两位小数" in response.content.decode()
    assert client.post(url, {"accept-amount": "3000.00"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_QUOTA and str(order.amount) == "3000.00"

    other = place(buyer_a, item, voucher_a)
    response = client.post(reverse("orders:decline", args=[other.pk]), {"decline-reason": ""})
    assert response.status_code == 400 and "请填写原因" in response.content.decode()
    client.post(reverse("orders:decline", args=[other.pk]), {"decline-reason": "设备检修"})
    other.refresh_from_db()
    assert other.status == OrderStatus.DECLINED and other.reason == "设备检修"

    services.confirm_quota(order.pk, actor=wujiang_admin)
    redeem = reverse("orders:redeem", args=[order.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("report.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    response = client.post(redeem, {"redeem-amount": "100", "redeem-proof": fake})
    assert response.status_code == 400 and "只能上传" in response.content.decode()
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 1))
    response = client.post(redeem, {"redeem-amount": "100", "redeem-proof": big})
    assert response.status_code == 400
    response = client.post(
        redeem, {"redeem-amount": "100", "redeem-proof": pdf_upload(), "redeem-invoice": pdf_upload()}
    )
    assert response.status_code == 400  # the invoice must be an image
    response = client.post(redeem, {"redeem-amount": "99999", "redeem-proof": pdf_upload()})
    assert response.status_code == 400 and "不能超过" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_SERVICE and not order.redemption_proof
    response = client.post(
        redeem, {"redeem-amount": "1500.00", "redeem-proof": pdf_upload(), "redeem-invoice": png_upload()}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_BUYER and order.redemption_invoice.name.endswith(".png")


def test_buyer_agrees_refuses_cancels_and_reviews(client, buyer_a, seller, wujiang_admin, item, voucher_a):
    client.force_login(buyer_a)
    order = requested(buyer_a, seller, wujiang_admin, item, voucher_a)
    detail = client.get(reverse("orders:buyer_detail", args=[order.pk])).content.decode()
    assert "同意兑付" in detail and "拒绝兑付" in detail and "检测报告.pdf" in detail
    response = client.post(reverse("orders:refuse", args=[order.pk]), {"refuse-reason": ""})
    assert response.status_code == 400 and "请填写原因" in response.content.decode()
    client.post(reverse("orders:refuse", args=[order.pk]), {"refuse-reason": "报告缺少签章"})
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_SERVICE
    # Agree from the list (after a new request).
    from config.uploads import clean_attachment

    services.request_redemption(order.pk, actor=seller, amount="500.00", proof=clean_attachment(pdf_upload()))
    response = client.post(reverse("orders:agree", args=[order.pk]), {"next": "list"})
    assert response.url == reverse("orders:buyer_list")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    # A second agree is refused with a message, nothing changes.
    response = client.post(reverse("orders:agree", args=[order.pk]), follow=True)
    assert "不能同意兑付" in response.content.decode()
    # 评价 once.
    response = client.post(reverse("orders:review", args=[order.pk]), {"review-rating": "9"})
    assert response.status_code == 400 and "1-5" in response.content.decode()
    client.post(reverse("orders:review", args=[order.pk]), {"review-rating": "4", "review-comment": "专业"})
    response = client.post(reverse("orders:review", args=[order.pk]), {"review-rating": "5"}, follow=True)
    assert "已评价" in response.content.decode()
    assert order.review.rating == 4
    # Shown on the item and shop pages with the average.
    item_page = client.get(reverse("catalog:item_detail", args=[item.pk])).content.decode()
    assert "平均 4.0 分" in item_page and "专业" in item_page
    shop_page = client.get(reverse("catalog:shop", args=[item.institution_id])).content.decode()
    assert "平均 4.0 分" in shop_page
    # Cancel while 待接单 only.
    fresh = services.place_order(user=buyer_a, item_id=item.pk)
    client.post(reverse("orders:cancel", args=[fresh.pk]))
    fresh.refresh_from_db()
    assert fresh.status == OrderStatus.CANCELLED
    response = client.post(reverse("orders:cancel", args=[order.pk]), follow=True)
    assert "不能取消订单" in response.content.decode()
    # The timeline shows every move.
    detail = client.get(reverse("orders:buyer_detail", args=[order.pk])).content.decode()
    for word in ("下单", "接单", "确认额度", "申请兑付", "拒绝兑付", "同意兑付", "评价"):
        assert word in detail


def test_difference_order_from_tongyong_page(client, institution, seller):
    ent = EnterpriseFactory(region=region("QPU"))
    user = enterprise_user("qpu_buyer", ent)
    voucher = make_voucher(ent, amount="5000.00")
    item = service_item(institution, name="青浦可下单", regions=("QPU",))
    order = place(user, item, voucher)
    services.accept_order(order.pk, actor=seller)
    from tests.factories import region_admin

    services.confirm_quota(order.pk, actor=region_admin("qpu_admin", "QPU"))
    services.complete_service(order.pk, actor=seller)
    client.force_login(user)
    url = reverse("orders:difference", args=[order.pk])
    assert "补下单" in client.get(reverse("orders:buyer_detail", args=[order.pk])).content.decode()
    response = client.post(url, {"difference-amount": "abc"})
    assert response.status_code == 400 and "请输入正确的金额" in response.content.decode()
    client.post(url, {"difference-amount": "600.00", "difference-note": "第二张发票"})
    child = Order.objects.get(parent=order)
    assert child.amount == 600 and child.mode == "tongyong"
    detail = client.get(reverse("orders:buyer_detail", args=[order.pk])).content.decode()
    assert child.number in detail


def test_home_pages_show_what_waits(client, buyer_a, seller, wujiang_admin, item, voucher_a):
    requested(buyer_a, seller, wujiang_admin, item, voucher_a)
    services.place_order(user=buyer_a, item_id=item.pk)
    client.force_login(buyer_a)
    page = client.get(reverse("buyer_home")).content.decode()
    assert "订单待办" in page and "待同意兑付" in page
    client.force_login(seller)
    page = client.get(reverse("catalog:seller_home")).content.decode()
    assert "订单待办" in page and "待接单" in page


# --- admin ------------------------------------------------------------------------------------


def test_admin_queue_and_actions(client, buyer_a, seller, wujiang_admin, item, voucher_a):
    waiting = place(buyer_a, item, voucher_a)
    services.accept_order(waiting.pk, actor=seller)
    other = place(buyer_a, item, voucher_a)  # 待接单: not in the default queue
    client.force_login(wujiang_admin)
    page = client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert waiting.number in page and other.number not in page
    assert "500.00" in page  # share to hold
    assert other.number in client.get(reverse("admin:orders_order_changelist"), {"status": "all"}).content.decode()
    assert client.get(reverse("admin:orders_order_changelist"), {"status": "zzz"}).status_code == 200
    # 额度不通过 without reason: form error, nothing changes.
    url = reverse("admin:orders_order_quota", args=[waiting.pk])
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == OrderStatus.PENDING_QUOTA
    # Bulk 额度不通过 asks for a reason first (intermediate page).
    changelist = reverse("admin:orders_order_changelist")
    response = client.post(changelist, {"action": "reject_quota_selected", "_selected_action": [waiting.pk]})
    assert "请填写原因" in response.content.decode()
    client.post(
        changelist,
        {"action": "reject_quota_selected", "_selected_action": [waiting.pk], "apply": "1", "reason": "材料不全"},
    )
    waiting.refresh_from_db()
    assert waiting.status == OrderStatus.CLOSED and waiting.reason == "材料不全"
    # 确认额度 then 终止订单 from the order page.
    services.accept_order(other.pk, actor=seller)
    client.post(reverse("admin:orders_order_quota", args=[other.pk]), {"decision": "confirm"})
    other.refresh_from_db()
    assert other.status == OrderStatus.IN_SERVICE
    response = client.post(reverse("admin:orders_order_terminate", args=[other.pk]), {"reason": "双方同意"})
    other.refresh_from_db()
    assert other.status == OrderStatus.CLOSED
    voucher_a.refresh_from_db()
    assert voucher_a.remaining_amount == voucher_a.issued_amount
