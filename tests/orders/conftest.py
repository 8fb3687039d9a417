import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from enterprises.selectors import enterprise_for_user
from orders import services
from tests.factories import make_voucher, service_item

TONGDUI_DETAILS = {
    "project_info": "汽车电子控制器研发项目",
    "contact_info": "张三 13912345678",
    "basic_situation": "企业从事汽车电子研发",
    "demand": "EMC 摸底测试",
    "expected_results": "产品通过EMC认证",
}


@pytest.fixture
def item(seller, institution):
    """A 一口价 item (1000.00/次) of the seller's institution, orderable by 吴江区 with vouchers."""
    return service_item(institution, price="1000.00", regions=("WJI",))


@pytest.fixture
def negotiable_item(seller, institution):
    return service_item(institution, name="芯片失效分析", price=None, regions=("WJI",))


@pytest.fixture
def voucher_a(buyer_a):
    return make_voucher(enterprise_for_user(buyer_a), amount="10000.00")


def pdf_upload(name="report.pdf", size=2000):
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")


def png_upload(name="invoice.png"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def place(user, item, voucher=None, quantity=1, details=None):
    return services.place_order(
        user=user,
        item_id=item.pk,
        quantity=quantity,
        voucher_id=voucher.pk if voucher else None,
        details=TONGDUI_DETAILS if details is None and voucher is not None else (details or {}),
    )


@pytest.fixture(autouse=True)
def _orders_only_hooks(settings):
    """The orders tests test the orders app: later layers' 同意兑付 hooks (redemption) are
    tested by their own suites; test_state_machine checks that hooks are called."""
    settings.ORDER_TONGDUI_AGREED_HOOKS = []
