"""Demo data of the redemption layer (idempotent): a 快速兑付 of demo_xiangcheng reviewed by
expert1 and approved by admin_xch, so the public 兑付公示 page shows something; all made
through the same services as a person would."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from catalog.models import Institution, ServiceCategory
from config.uploads import KB, clean_attachment, clean_image
from enterprises.models import EnterpriseMember
from redemption import services
from redemption.models import Kind, RedemptionApplication
from vouchers.models import Voucher


def _user(username):
    return User.objects.filter(username=username).first()


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), "white").save(buf, format="PNG")
    return SimpleUploadedFile("fapiao.png", buf.getvalue(), content_type="image/png")


def _quick_in_notice(buyer, admin, expert) -> int:
    enterprise = EnterpriseMember.objects.get(user=buyer).enterprise
    if RedemptionApplication.objects.filter(enterprise=enterprise, kind=Kind.QUICK).exists():
        return 0
    voucher = Voucher.objects.filter(enterprise=enterprise, kind="tongyong", remaining_amount__gt=0).first()
    institution = Institution.objects.filter(is_active=True).order_by("id").first()
    category = ServiceCategory.objects.filter(level=3, is_active=True).order_by("id").first()
    if voucher is None or institution is None or category is None:
        return 0
    application = services.create_application(
        user=buyer, kind=Kind.QUICK, voucher_id=voucher.pk, institution_id=institution.pk, category_id=category.pk
    )
    services.save_texts(
        application.pk,
        actor=buyer,
        effect="完成新产品电磁兼容摸底测试，整改后一次通过认证，缩短上市周期两个月",
        innovation="采用新型屏蔽结构设计，降低辐射骚扰约6dB",
    )
    pdf = SimpleUploadedFile("服务合同.pdf", b"%PDF-1.4\n% demo contract\n", content_type="application/pdf")
    services.add_attachment(application.pk, actor=buyer, content=clean_attachment(pdf), original_name="服务合同.pdf")
    today = datetime.date.today()
    for number, amount in (("20260001", "6000.00"), ("20260002", "2000.00")):
        services.add_invoice(
            application.pk,
            actor=buyer,
            code=f"0320{application.pk:08d}",
            number=number,
            issued_on=today - datetime.timedelta(days=7),
            amount=Decimal(amount),
            image=clean_image(_png(), max_bytes=500 * KB),
        )
    services.submit_application(application.pk, actor=buyer)
    services.assign_experts(application.pk, [expert.pk], actor=admin)
    services.submit_review(
        application.pk,
        expert=expert,
        score=86,
        opinion="材料齐全，成效明显",
        recommended_amount="3800.00",
        no_conflict=True,
    )
    services.approve_application(application.pk, actor=admin, amount="3800.00", note="同意兑付")
    return 1


def load(out) -> list[tuple[str, str, str]]:
    buyer, admin, expert = _user("demo_xiangcheng"), _user("admin_xch"), _user("expert1")
    made = 0
    if buyer and admin and expert and EnterpriseMember.objects.filter(user=buyer).exists():
        made = _quick_in_notice(buyer, admin, expert)
    out.write(f"兑付：新建 {made} 个公示中的演示兑付申请，共 {RedemptionApplication.objects.count()} 个兑付申请\n")
    return [
        ("兑付公示（公开）", "", "/redemption/notices/"),
        ("快速兑付（相城区企业）", "demo_xiangcheng", "/redemption/quick/"),
        ("兑付管理（青浦区企业，含差价订单）", "demo_qingpu", "/redemption/"),
        ("专家评审", "expert1", "/redemption/expert/"),
        ("兑付审核（区域管理员）", "admin_xch", "/admin/redemption/redemptionapplication/"),
    ]
