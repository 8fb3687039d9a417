"""Hostile uploads (DESIGN §7, issue 10): the corpus of tests/security/corpus.py is refused
by the shared validators and at every upload field of the portal, with a Chinese message,
and nothing is stored (no file under MEDIA_ROOT, no row)."""

import os
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services as account_services
from config.uploads import KB, MB, clean_attachment, clean_image
from tests.accounts.helpers import latest_code
from tests.factories import make_voucher, service_item, valid_id_number, valid_uscc
from tests.security.corpus import (
    hostile_files,
    invoice_over_500kb,
    small_jpeg,
    small_png,
    upload,
    zip_bomb,
)

pytestmark = pytest.mark.django_db

CHINESE = range(0x4E00, 0x9FFF)


def _is_chinese(message: str) -> bool:
    return any(ord(ch) in CHINESE for ch in message)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    os.makedirs(settings.MEDIA_ROOT)
    cache.clear()
    yield settings.MEDIA_ROOT
    cache.clear()


def stored_files(root) -> list[str]:
    return sorted(os.path.join(d, f) for d, _, files in os.walk(root) for f in files)


# --- the shared validators ----------------------------------------------------------------

VALIDATORS = {
    "image": lambda f: clean_image(f),
    "licence": lambda f: clean_image(f, formats=("JPEG", "PNG", "BMP"), max_bytes=5 * MB),
    "invoice": lambda f: clean_image(f, max_bytes=500 * KB),
    "attachment": lambda f: clean_attachment(f),
}


@pytest.mark.parametrize("validator", list(VALIDATORS))
@pytest.mark.parametrize("kind,name,data", hostile_files(), ids=[k for k, _, _ in hostile_files()])
def test_validators_refuse_the_corpus(validator, kind, name, data):
    with pytest.raises(ValidationError) as error:
        VALIDATORS[validator](upload(name, data))
    assert all(_is_chinese(m) for m in error.value.messages), error.value.messages


def test_invoice_over_500kb_is_refused_with_the_limit_in_the_message():
    _, name, data = invoice_over_500kb()
    with pytest.raises(ValidationError, match="500KB"):
        VALIDATORS["invoice"](upload(name, data))
    # exactly 500 KB is still fine
    ok = small_jpeg() + b"\x00" * (500 * KB - len(small_jpeg()))
    assert VALIDATORS["invoice"](upload("invoice.jpg", ok)).name.endswith(".jpg")


def test_specific_messages():
    refuse = {kind: (name, data) for kind, name, data in hostile_files()}

    def message(kind, validator="attachment"):
        with pytest.raises(ValidationError) as error:
            VALIDATORS[validator](upload(*refuse[kind]))
        return error.value.messages[0]

    assert "尺寸过大" in message("png_20000x20000", "image")
    assert "尺寸过大" in message("decompression_bomb", "image")
    assert "多余的数据" in message("jpeg_appended_script", "image")
    assert "扩展名不符" in message("pdf_named_jpg")
    assert "压缩包" in message("zip_bomb")
    assert "非法字符" in message("nul_name")
    assert "为空" in message("empty")
    assert "5MB" in message("over_5mb")


def test_archives_are_never_unpacked(monkeypatch):
    """The zip bomb is judged from its central directory: no member is ever read."""
    import zipfile

    def forbidden(*args, **kwargs):
        raise AssertionError("an archive member was opened")

    bomb = zip_bomb()
    monkeypatch.setattr(zipfile.ZipFile, "open", forbidden)
    monkeypatch.setattr(zipfile.ZipFile, "read", forbidden)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", forbidden)
    monkeypatch.setattr(zipfile.ZipFile, "extract", forbidden)
    with pytest.raises(ValidationError):
        clean_attachment(upload("files.zip", bomb))
    # an ordinary zip is stored byte for byte, under a generated name
    monkeypatch.undo()
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("报告/结果.txt", "检测结果：合格" * 50)
    stored = clean_attachment(upload("结果.zip", buf.getvalue()))
    assert stored.read() == buf.getvalue() and stored.name.endswith(".zip") and "结果" not in stored.name


@pytest.mark.parametrize("name", ["../../../../tmp/x.jpg", "a/b.jpg"])
def test_hostile_names_with_valid_content_never_reach_the_storage_name(name):
    """Django keeps only the base name of an upload; ours is generated anyway."""
    cleaned = clean_image(upload(name, small_jpeg()))
    assert "/" not in cleaned.name and ".." not in cleaned.name and len(cleaned.name) == 36


@pytest.mark.parametrize("name", ["..\\..\\x.jpg", "x\x00.jpg", "a\nb.jpg"])
def test_names_with_windows_paths_or_control_characters_are_refused(name):
    with pytest.raises(ValidationError, match="非法字符"):
        clean_image(upload(name, small_jpeg()))


def test_valid_files_still_pass():
    assert clean_image(upload("a.png", small_png())).name.endswith(".png")
    assert clean_attachment(upload("a.pdf", b"%PDF-1.4\n%%EOF\n")).name.endswith(".pdf")
    assert clean_attachment(upload("a.jpg", small_jpeg())).name.endswith(".jpg")


# --- every upload field of the portal -------------------------------------------------------


def _corpus_for(field_limit_kb: int | None = None):
    files = list(hostile_files())
    if field_limit_kb == 500:
        files.append(invoice_over_500kb())
    return files


def _assert_all_refused(post, rows, media_root, *, field, files, extra_check=None):
    """POST each hostile file; every answer is a re-rendered form (200) with a Chinese
    message at the field, no new file, no new row."""
    seen = []
    for kind, name, data in files:
        before_rows, before_files = rows(), stored_files(media_root)
        response = post(upload(name, data))
        assert response.status_code in (200, 400), (kind, response.status_code)  # form shown again
        form_errors = _field_errors(response, field)
        assert form_errors and all(_is_chinese(m) for m in form_errors), (kind, form_errors)
        assert rows() == before_rows, kind
        assert stored_files(media_root) == before_files, kind
        if extra_check:
            extra_check()
        seen.append(kind)
    return seen


def _field_errors(response, field):
    for form in _forms(response.context):
        prefixed = form.add_prefix(field)
        if field in form.errors or prefixed in form.errors:
            return list(form.errors.get(field, []))
    return []


def _forms(context):
    from django import forms

    found = []
    for ctx in context:
        for value in ctx.dicts if hasattr(ctx, "dicts") else [ctx]:
            if isinstance(value, dict):
                found += [v for v in value.values() if isinstance(v, forms.BaseForm)]
    return found


def test_registration_licence(client):
    from accounts.models import User
    from enterprises.models import Enterprise

    phone = "13700002222"

    def data(licence):
        account_services.send_code(phone, "register", None)
        return {
            "uscc": valid_uscc(9101),
            "name": "苏州吴江安全测试有限公司",
            "licence": licence,
            "province": "320000",
            "city": "320500",
            "district": "320509",
            "username": "sec_register",
            "real_name": "张三",
            "id_number": valid_id_number(17),
            "phone": phone,
            "code": latest_code(phone),
            "password1": "Kx9#mq2Lpz",
            "password2": "Kx9#mq2Lpz",
        }

    def post(licence):
        cache.clear()  # the per-number SMS limit is not what is tested here
        return client.post(reverse("enterprises:register"), data(licence))

    def rows():
        return (Enterprise.objects.count(), User.objects.count())

    _assert_all_refused(post, rows, client_media(), field="licence", files=_corpus_for())
    # control: the same form with a real licence registers
    assert post(upload("licence.jpg", small_jpeg(), "image/jpeg")).status_code == 302


def client_media():
    from django.conf import settings

    return settings.MEDIA_ROOT


def test_join_application_files(client, buyer_a):
    from enterprises.models import JoinApplication
    from enterprises.models import JoinApplicationFile as JoinFile
    from tests.enterprises.test_join_and_admin import JOIN

    client.force_login(buyer_a)

    def rows():
        return (JoinApplication.objects.count(), JoinFile.objects.count())

    for field in ("file1", "file2"):
        extra = {} if field == "file1" else {"file1": upload("ok.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}

        def post(f, field=field, extra=extra):
            fresh = {k: upload(v.name, v.read()) if hasattr(v, "read") else v for k, v in extra.items()}
            for v in extra.values():
                v.seek(0)
            return client.post(reverse("enterprises:join"), {**JOIN, **fresh, field: f})

        _assert_all_refused(post, rows, client_media(), field=field, files=_corpus_for())
    response = client.post(reverse("enterprises:join"), {**JOIN, "file1": upload("a.pdf", b"%PDF-1.4\n%%EOF\n")})
    assert response.status_code == 302 and JoinFile.objects.count() == 1


@pytest.fixture
def seller_client(client, seller):
    client.force_login(seller)
    return client


def test_catalogue_logo(seller_client, institution):
    from catalog.models import Institution

    fields = ["name", "address", "introduction", "qualifications", "contact_person", "contact_phone"]
    base = {f: getattr(institution, f) or "x" for f in fields}
    base["contact_email"] = "shop@example.com"

    def post(f):
        return seller_client.post(reverse("catalog:seller_profile"), {**base, "logo_upload": f})

    def rows():
        inst = Institution.objects.get(pk=institution.pk)
        return (inst.logo.name, inst.logo_thumb.name, inst.name)

    _assert_all_refused(post, rows, client_media(), field="logo_upload", files=_corpus_for())
    assert post(upload("logo.png", small_png(), "image/png")).status_code == 302
    assert Institution.objects.get(pk=institution.pk).logo.name


def test_catalogue_item_and_instrument_images(seller_client, institution):
    from catalog.models import Instrument, ServiceItem
    from tests.factories import instrument as make_instrument
    from tests.factories import third_level_category

    item = service_item(institution, price="1000.00", regions=("WJI",))
    item_data = {
        "name": item.name,
        "category": third_level_category().pk,
        "price_type": "fixed",
        "price": "1000.00",
        "unit": "次",
        "service_cycle": "5个工作日",
        "description": "说明",
    }

    def image_count():
        return (
            ServiceItem.objects.count(),
            item.images.count(),
            Instrument.objects.count(),
        )

    def post_item(f):
        return seller_client.post(reverse("catalog:seller_item_edit", args=[item.pk]), {**item_data, "image": f})

    def post_new_item(f):
        return seller_client.post(reverse("catalog:seller_item_create"), {**item_data, "image": f})

    _assert_all_refused(post_item, image_count, client_media(), field="image", files=_corpus_for())
    _assert_all_refused(post_new_item, image_count, client_media(), field="image", files=_corpus_for())
    control = post_item(upload("item.jpg", small_jpeg(), "image/jpeg"))
    assert control.status_code == 302 and item.images.count() == 1

    inst = make_instrument(institution)
    inst_data = {
        "name": inst.name,
        "model_number": "M1",
        "manufacturer": "厂家",
        "location": "吴江",
        "booking_price": "100.00",
        "booking_unit": "小时",
        "status": inst.status,
        "specifications": "规格",
        "uses": "用途",
    }

    def post_instrument(f):
        return seller_client.post(reverse("catalog:seller_instrument_edit", args=[inst.pk]), {**inst_data, "image": f})

    def inst_rows():
        return (Instrument.objects.count(), inst.images.count())

    _assert_all_refused(post_instrument, inst_rows, client_media(), field="image", files=_corpus_for())
    assert post_instrument(upload("i.jpg", small_jpeg())).status_code == 302 and inst.images.count() == 1


def test_order_redemption_proof_and_invoice(client, buyer_a, seller, wujiang_admin, institution):
    from enterprises.selectors import enterprise_for_user
    from orders import services
    from orders.models import Order, OrderStatus
    from tests.orders.conftest import place

    item = service_item(institution, price="1000.00", regions=("WJI",))
    voucher = make_voucher(enterprise_for_user(buyer_a), amount="10000.00")
    order = place(buyer_a, item, voucher)
    services.accept_order(order.pk, actor=seller, amount="1000.00")
    services.confirm_quota(order.pk, actor=wujiang_admin)
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_SERVICE
    client.force_login(seller)
    url = reverse("orders:redeem", args=[order.pk])
    good_proof = b"%PDF-1.4\n%%EOF\n"

    def rows():
        o = Order.objects.get(pk=order.pk)
        return (o.status, o.redemption_proof.name, o.redemption_invoice.name, o.history.count())

    def post_proof(f):
        return client.post(url, {"redeem-amount": "400.00", "redeem-proof": f})

    def post_invoice(f):
        return client.post(
            url, {"redeem-amount": "400.00", "redeem-proof": upload("r.pdf", good_proof), "redeem-invoice": f}
        )

    _assert_all_refused(post_proof, rows, client_media(), field="proof", files=_corpus_for())
    _assert_all_refused(post_invoice, rows, client_media(), field="invoice", files=_corpus_for(500))
    response = post_invoice(upload("inv.png", small_png(), "image/png"))
    assert response.status_code == 302, [f.errors for f in _forms(response.context)]
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_BUYER and order.redemption_amount == Decimal("400.00")


def test_redemption_invoice_and_attachment(client, seller, institution):
    """兑付申请: 新增发票 (jpg/png ≤ 500KB) and 其它附件 (≤ 5MB) of a 青浦区 draft."""
    from enterprises.selectors import enterprise_for_user
    from redemption.models import Attachment, Invoice
    from tests.redemption.conftest import draft, enterprise_in

    buyer = enterprise_in("QPU", "310118", "qpu_buyer")
    application = draft(buyer, make_voucher(enterprise_for_user(buyer), amount="10000.00"))
    client.force_login(buyer)

    def rows():
        return (Invoice.objects.count(), Attachment.objects.count())

    invoice_data = {"code": "031001900111", "number": "12345678", "issued_on": "2026-01-05", "amount": "100.00"}

    def post_invoice(f):
        return client.post(reverse("redemption:invoice_new", args=[application.pk]), {**invoice_data, "image": f})

    def post_attachment(f):
        return client.post(reverse("redemption:attachment_new", args=[application.pk]), {"file": f})

    _assert_all_refused(post_invoice, rows, client_media(), field="image", files=_corpus_for(500))
    _assert_all_refused(post_attachment, rows, client_media(), field="file", files=_corpus_for())
    before = rows()
    assert post_attachment(upload("合同.pdf", b"%PDF-1.4\n%%EOF\n")).status_code == 200
    assert post_invoice(upload("fp.png", small_png(), "image/png")).status_code == 200
    assert rows() == (before[0] + 1, before[1] + 1)
