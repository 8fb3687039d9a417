"""Demo data of the orders layer (idempotent): orders in various states for demo_wujiang
(通兑券) and demo_qingpu (通用券) with the demo seller's items, all made through the same
services as a person would. If no demo seller exists yet, one is created (demo_seller, an
institution of 吴江区 with three items)."""

from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile

from accounts.models import User
from catalog import services as catalog_services
from catalog.models import InstitutionStaff, ServiceCategory, ServiceItem
from enterprises.models import Division, EnterpriseMember, PilotRegion
from orders import services
from orders.models import Order

SELLER_USERNAME = "demo_seller"
SELLER_INSTITUTION = ("苏州恒通检测有限公司", "91320509MA1XDEMO0N")
DEMO_ITEMS = [
    # name, price (None: 面议), unit, third-level category of the taxonomy
    ("汽车电子EMC测试服务", Decimal("6000.00"), "次", "EMC 测试"),
    ("芯片失效分析", None, "次", "芯片可靠性测试"),
    ("知识产权专利价值评估", Decimal("1200.00"), "件", "专利价值评估"),
]
DETAILS = {
    "project_info": "新能源汽车电子控制器研发项目",
    "contact_info": "沈一鸣 13800000001",
    "basic_situation": "企业专注汽车电子控制器研发，研发人员30人。",
    "demand": "控制器EMC摸底测试及整改建议",
    "expected_results": "产品通过EMC认证，缩短上市周期",
}


def _seller():
    staff = (
        InstitutionStaff.objects.select_related("institution", "user").filter(user__username=SELLER_USERNAME).first()
    )
    if staff is not None:
        return staff.user, staff.institution
    user, created = User.objects.get_or_create(
        username=SELLER_USERNAME,
        defaults={
            "real_name": "恒通客服",
            "phone": "13800000009",
            "phone_verified": True,
            "role": User.Role.INSTITUTION,
        },
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    from catalog.models import Institution

    institution = Institution.objects.filter(uscc=SELLER_INSTITUTION[1]).first()
    if institution is None:
        institution = catalog_services.create_institution(
            name=SELLER_INSTITUTION[0],
            uscc=SELLER_INSTITUTION[1],
            region=Division.objects.get(code="320509"),
            admin_user=user,
            contact_person="张工",
            contact_phone="0512-63000000",
            introduction="第三方检测认证机构，提供汽车电子、芯片、知识产权等专业服务。",
        )
    else:
        catalog_services.add_staff(institution, user, is_admin=True)
    return user, institution


def _items(institution) -> list[ServiceItem]:
    third_level = ServiceCategory.objects.filter(level=3, is_active=True).order_by("id")
    regions = list(PilotRegion.objects.filter(is_active=True))
    items = []
    for name, price, unit, category_name in DEMO_ITEMS:
        category = third_level.filter(name=category_name).first() or third_level.first()
        item = ServiceItem.objects.filter(institution=institution, name=name).first()
        if item is None:
            item = catalog_services.create_item(
                institution,
                name=name,
                category=category,
                price_type=ServiceItem.PriceType.FIXED if price is not None else ServiceItem.PriceType.NEGOTIABLE,
                price=price,
                unit=unit,
                description=f"{name}：依据国家及行业标准开展服务，出具正式报告。",
                region_tags=regions,
            )
        items.append(item)
    return items


def _user(username):
    return User.objects.filter(username=username).first()


def _proof() -> ContentFile:
    return ContentFile(b"%PDF-1.4\n% demo report\n", name="report.pdf")


def _wujiang(buyer, seller, admin, items) -> int:
    enterprise = EnterpriseMember.objects.get(user=buyer).enterprise
    voucher = services.usable_vouchers(enterprise).first()
    if voucher is None or admin is None:
        return 0
    emc, chip, patent = items

    def order(item, quantity=1):
        return services.place_order(
            user=buyer, item_id=item.pk, quantity=quantity, voucher_id=voucher.pk, details=DETAILS
        )

    order(emc)  # 待接单
    o = order(chip)
    services.accept_order(o.pk, actor=seller, amount="8000.00")  # 待额度确认
    o = order(patent, 2)
    services.accept_order(o.pk, actor=seller)
    services.confirm_quota(o.pk, actor=admin)  # 服务中
    o = order(emc)
    services.accept_order(o.pk, actor=seller)
    services.confirm_quota(o.pk, actor=admin)
    services.request_redemption(o.pk, actor=seller, amount="3000.00", proof=_proof(), proof_name="检测报告.pdf")
    o = order(patent)
    services.accept_order(o.pk, actor=seller)
    services.confirm_quota(o.pk, actor=admin)
    services.request_redemption(o.pk, actor=seller, amount="600.00", proof=_proof(), proof_name="评估报告.pdf")
    services.agree_redemption(o.pk, actor=buyer)
    services.review_order(o.pk, actor=buyer, rating=5, comment="服务专业，报告出具及时。")  # 已完成
    o = services.place_order(user=buyer, item_id=chip.pk, quantity=1)
    services.cancel_order(o.pk, actor=buyer)  # 无券，已取消
    return 6


def _qingpu(buyer, seller, admin, items) -> int:
    enterprise = EnterpriseMember.objects.get(user=buyer).enterprise
    voucher = services.usable_vouchers(enterprise).first()
    if voucher is None or admin is None:
        return 0
    emc, chip, patent = items

    def order(item, quantity=1):
        return services.place_order(user=buyer, item_id=item.pk, quantity=quantity, voucher_id=voucher.pk)

    order(patent)  # 待接单
    o = order(chip)
    services.accept_order(o.pk, actor=seller, amount="5000.00")
    services.confirm_quota(o.pk, actor=admin)  # 服务中
    o = order(emc)
    services.accept_order(o.pk, actor=seller)
    services.confirm_quota(o.pk, actor=admin)
    services.complete_service(o.pk, actor=seller)  # 已完成
    services.create_difference_order(o.pk, actor=buyer, amount="800.00", note="第二张发票对应的差价")
    o = services.place_order(user=buyer, item_id=patent.pk, quantity=1)
    services.accept_order(o.pk, actor=seller)
    services.complete_service(o.pk, actor=seller)
    services.review_order(o.pk, actor=buyer, rating=4, comment="沟通顺畅。")  # 无券，已完成
    return 5


def load(out) -> list[tuple[str, str, str]]:
    seller, institution = _seller()
    items = _items(institution)
    made = 0
    for username, admin_name, loader in (
        ("demo_wujiang", "admin_wji", _wujiang),
        ("demo_qingpu", "admin_qpu", _qingpu),
    ):
        buyer = _user(username)
        if buyer is None or not EnterpriseMember.objects.filter(user=buyer).exists():
            continue
        if Order.objects.filter(enterprise__members__user=buyer, institution=institution).exists():
            continue
        made += loader(buyer, seller, _user(admin_name), items)
    out.write(f"订单：新建 {made} 个演示订单，共 {Order.objects.count()} 个订单\n")
    return [
        ("订单管理（买家）", "demo_wujiang", "/orders/"),
        ("订单管理（卖家）", SELLER_USERNAME, "/orders/seller/"),
        ("额度确认（区域管理员）", "admin_wji", "/admin/orders/order/"),
    ]
