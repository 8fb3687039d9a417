"""Upload validation shared by every upload field (DESIGN §7, LIBRARY_NOTES: Uploads).

Types are decided from the content, never from the name or the browser's content type.
Images are opened with an explicit list of formats, their pixel count is limited, the
decompression-bomb warning is an error, and they are re-encoded (which drops anything
appended to them). Documents are checked by signature; archives are never unpacked.
Every refusal is a ValidationError with a Chinese message for the field.
"""

import io
import uuid
import warnings
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

KB = 1024
MB = 1024 * KB
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000; larger is refused before decoding

IMAGE_FORMAT_LABELS = {"JPEG": "JPG/JPEG", "PNG": "PNG", "BMP": "BMP"}


def _read_all(uploaded, max_bytes: int, size_label: str) -> bytes:
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(f"文件大小不能超过{size_label}。")
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(f"文件大小不能超过{size_label}。")
    if not data:
        raise ValidationError("文件为空，请重新选择。")
    return data


def _size_label(max_bytes: int) -> str:
    return f"{max_bytes // MB}MB" if max_bytes >= MB else f"{max_bytes // KB}KB"


def clean_image(
    uploaded,
    *,
    formats: tuple[str, ...] = ("JPEG", "PNG"),
    max_bytes: int = 5 * MB,
    max_pixels: int = MAX_PIXELS,
    output_format: str | None = None,
) -> ContentFile:
    """Validate an uploaded image and return a re-encoded copy with a generated name.
    ``formats`` are Pillow format names; the output keeps PNG as PNG and writes the
    others as JPEG (or ``output_format``)."""
    allowed = "/".join(IMAGE_FORMAT_LABELS.get(f, f) for f in formats)
    data = _read_all(uploaded, max_bytes, _size_label(max_bytes))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(formats)) as probe:
                width, height = probe.size
                if width * height > max_pixels or width > 20000 or height > 20000:
                    raise ValidationError("图片尺寸过大，请压缩后再上传。")
                source_format = probe.format
                probe.load()
                image = probe.copy()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(f"只能上传{allowed}格式的图片。")
    except (OSError, ValueError, SyntaxError):
        raise ValidationError("图片文件已损坏，无法读取。")

    fmt = output_format or ("PNG" if source_format == "PNG" else "JPEG")
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 88, "optimize": True} if fmt == "JPEG" else {"optimize": True}))
    ext = "png" if fmt == "PNG" else "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ext}")


# Signatures of the document types the manual allows for 其它附件.
_PDF = b"%PDF-"
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc (OLE compound file)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_RAR = (b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00")
DOCUMENT_KINDS = ("pdf", "doc", "docx", "jpg", "png", "zip", "rar")


def detect_document_kind(data: bytes) -> str | None:
    """The kind of an attachment from its bytes: pdf, doc, docx, zip, rar, jpg, png."""
    if data.startswith(_PDF):
        return "pdf"
    if data.startswith(_CFB):
        return "doc"
    if data.startswith(_RAR):
        return "rar"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(_ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()  # reads the directory only, never unpacks
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "docx"
        return "zip"
    return None


def clean_attachment(uploaded, *, kinds: tuple[str, ...] = DOCUMENT_KINDS, max_bytes: int = 5 * MB) -> ContentFile:
    """Validate an attachment (合同, 检测报告 ...) and return it under a generated name
    with the extension of its real type. Images among the kinds are re-encoded."""
    label = "/".join(kinds)
    data = _read_all(uploaded, max_bytes, _size_label(max_bytes))
    kind = detect_document_kind(data)
    if kind not in kinds:
        raise ValidationError(f"只能上传{label}文件，且大小不超过{_size_label(max_bytes)}。")
    if kind in ("jpg", "png"):
        return clean_image(io.BytesIO(data), formats=("JPEG", "PNG"), max_bytes=max_bytes)
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{kind}")


def safe_display_name(name: str, limit: int = 100) -> str:
    """An original file name fit to show (never to store under): no path, no control chars."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:limit] or "附件"
