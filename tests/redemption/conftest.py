"""Fixtures of the redemption tests: a 通用 enterprise in 青浦区 with a voucher and
completed orders, a 快速兑付 enterprise in 马鞍山市, the regional administrators, experts."""

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from accounts.roles import put_user_in_role_group
from config.uploads import clean_attachment, clean_image
from enterprises.models import Division
from enterprises.selectors import enterprise_for_user
from orders import services as order_services
from redemption import services
from tests.factories import (
    EnterpriseFactory,
    UserFactory,
    enterprise_user,
    institution_factory,
    make_voucher,
    region,
    region_admin,
    service_item,
    third_level_category,
)


def png_bytes(color="white") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, format="PNG")
    return buf.getvalue()


def invoice_image():
    return clean_image(SimpleUploadedFile("fapiao.png", png_bytes(), content_type="image/png"), max_bytes=500 * 1024)


def pdf_content():
    return clean_attachment(SimpleUploadedFile("合同.pdf", b"%PDF-1.4\n" + b"0" * 500, content_type="application/pdf"))


def new_code() -> str:
    return f"{uuid.uuid4().int % 10**12:012d}"


def add_invoice(application, user, amount, *, code=None, number=None, line=None):
    return services.add_invoice(
        application.pk,
        actor=user,
        code=code or new_code(),
        number=number or f"{uuid.uuid4().int % 10**8:08d}",
        issued_on=datetime.date.today() - datetime.timedelta(days=1),
        amount=Decimal(amount),
        image=invoice_image(),
        line_id=line.pk if line is not None else None,
    )


def enterprise_in(code: str, division: str, username: str) -> User:
    enterprise = EnterpriseFactory(region=region(code), division=Division.objects.get(code=division))
    return enterprise_user(username, enterprise)


@pytest.fixture
def qpu_buyer(db) -> User:
    """Administrator of an enterprise in 青浦区 (通用)."""
    return enterprise_in("QPU", "310118", "qpu_buyer")


@pytest.fixture
def qpu_buyer_b(db) -> User:
    return enterprise_in("QPU", "310118", "qpu_buyer_b")


@pytest.fixture
def qpu_admin(db) -> User:
    return region_admin("admin_qingpu", "QPU")


@pytest.fixture
def mas_buyer(db) -> User:
    """Administrator of an enterprise in 马鞍山市 (通用, 快速兑付)."""
    return enterprise_in("MAS", "340500", "mas_buyer")


@pytest.fixture
def mas_admin(db) -> User:
    return region_admin("admin_maanshan", "MAS")


def make_expert(username: str) -> User:
    user = UserFactory(username=username, role=User.Role.EXPERT, is_staff=True)
    put_user_in_role_group(user)
    return user


@pytest.fixture
def expert(db) -> User:
    return make_expert("expert_a")


@pytest.fixture
def expert_b(db) -> User:
    return make_expert("expert_b")


@pytest.fixture
def qpu_voucher(qpu_buyer):
    return make_voucher(enterprise_for_user(qpu_buyer), amount="10000.00")


@pytest.fixture
def qpu_item(seller, institution):
    return service_item(institution, name="电子检测", price="3000.00", regions=("QPU",))


@pytest.fixture
def qpu_negotiable_item(seller, institution):
    return service_item(institution, name="生物种质分析", price=None, regions=("QPU",))


def completed_order(buyer, item, voucher, *, seller, admin, quantity=1, amount=None):
    """A 通用 order through 接单 → 确认额度 (holds the voucher share) → 服务完成."""
    order = order_services.place_order(user=buyer, item_id=item.pk, quantity=quantity, voucher_id=voucher.pk)
    order_services.accept_order(order.pk, actor=seller, amount=amount)
    order_services.confirm_quota(order.pk, actor=admin)
    order_services.complete_service(order.pk, actor=seller)
    order.refresh_from_db()
    return order


def draft(buyer, voucher, *, kind="general", **extra):
    application = services.create_application(user=buyer, kind=kind, voucher_id=voucher.pk, **extra)
    services.save_texts(application.pk, actor=buyer, effect="检测报告帮助产品通过认证", innovation="新型控制器设计")
    services.add_attachment(application.pk, actor=buyer, content=pdf_content(), original_name="服务合同.pdf")
    application.refresh_from_db()
    return application


@pytest.fixture
def quick_parts(mas_buyer):
    """What a 快速兑付 needs: an institution and a third-level category."""
    return {
        "institution_id": institution_factory(name="马鞍山检测中心", region_code="340500").pk,
        "category_id": third_level_category().pk,
    }
