"""Helpers for the accounts / enterprises tests."""

import io
import re

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from messaging.models import OutboxMessage

CODE_RE = re.compile(r"验证码为(\d{6})")


def latest_code(phone: str) -> str:
    row = OutboxMessage.objects.filter(channel="sms", to=phone).order_by("-id").first()
    assert row is not None, f"no SMS to {phone}"
    return CODE_RE.search(row.body).group(1)


def image_upload(fmt: str = "PNG", name: str = "licence.png", size=(40, 30)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format=fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "BMP": "image/bmp", "GIF": "image/gif"}[fmt]
    return SimpleUploadedFile(name, buf.getvalue(), content_type=content_type)


def clear_limits():
    cache.clear()
