"""Helpers for the accounts / enterprises tests."""

import io
import re

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from messaging.models import OutboxMessage

CODE_RE = re.compile(r"验证码为(\d{6})")


def latest_code(phone: str) -> str:
    """The code of the latest SMS to ``phone``: from its outbox row while it waits, from
    what the test gateway received once it is sent (the row is masked then)."""
    from messaging.backends import MemorySmsBackend

    row = OutboxMessage.objects.filter(channel="sms", to=phone).order_by("-id").first()
    assert row is not None, f"no SMS to {phone}"
    if row.status == OutboxMessage.Status.PENDING:
        return CODE_RE.search(row.body).group(1)
    body = next(body for _to, body, key in reversed(MemorySmsBackend.sent) if key == str(row.pk))
    return CODE_RE.search(body).group(1)


def image_upload(fmt: str = "PNG", name: str = "licence.png", size=(40, 30)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format=fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "BMP": "image/bmp", "GIF": "image/gif"}[fmt]
    return SimpleUploadedFile(name, buf.getvalue(), content_type=content_type)


def clear_limits():
    cache.clear()
