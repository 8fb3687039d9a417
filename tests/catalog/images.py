import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_upload(size=(1200, 900), name="pic.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def jpeg_upload(size=(800, 600), name="pic.jpg") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 90, 60)).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")
