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


def _check_name(uploaded) -> None:
    """The original name is never used for storage, but a name with NUL, control
    characters or path parts is a sign of an attack: refuse it plainly."""
    name = getattr(uploaded, "name", None) or ""
    if any(not ch.isprintable() for ch in name) or "/" in name or "\\" in name or name in (".", ".."):
        raise ValidationError("文件名含有非法字符，请重命名后再上传。")


def _read_all(uploaded, max_bytes: int, size_label: str) -> bytes:
    _check_name(uploaded)
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
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("图片尺寸过大，请压缩后再上传。")
    except UnidentifiedImageError:
        raise ValidationError(f"只能上传{allowed}格式的图片。")
    except (OSError, ValueError, SyntaxError):
        raise ValidationError("图片文件已损坏，无法读取。")

    if _has_trailing_data(data, source_format):
        # e.g. a script or an archive appended to a real image (a polyglot file).
        raise ValidationError("图片文件末尾含有多余的数据，请重新保存图片后再上传。")

    fmt = output_format or ("PNG" if source_format == "PNG" else "JPEG")
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 88, "optimize": True} if fmt == "JPEG" else {"optimize": True}))
    ext = "png" if fmt == "PNG" else "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ext}")


def _has_trailing_data(data: bytes, source_format: str | None) -> bool:
    """True when something other than padding follows the end of a JPEG (EOI) or PNG (IEND)."""
    if source_format == "JPEG":
        end = data.rfind(b"\xff\xd9")
        tail = data[end + 2 :] if end >= 0 else b""
    elif source_format == "PNG":
        end = data.rfind(b"IEND")
        tail = data[end + 8 :] if end >= 0 else b""  # chunk type + CRC
    else:
        return False
    return bool(tail.strip(b"\x00\r\n\t "))


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
                members = archive.infolist()  # reads the directory only, never unpacks
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        names = [m.filename for m in members]
        if _zip_is_hostile(members, len(data)):
            return "hostile_zip"
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "docx"
        return "zip"
    return None


MAX_ARCHIVE_UNPACKED = 200 * MB
MAX_ARCHIVE_RATIO = 100


def _zip_is_hostile(members, packed_size: int) -> bool:
    """A zip bomb (declared unpacked size far beyond the packed size) or members with
    absolute paths / ``..`` parts. Judged from the central directory only: archives are
    stored as uploaded and never unpacked by the platform."""
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_ARCHIVE_UNPACKED or unpacked > MAX_ARCHIVE_RATIO * max(packed_size, 1):
        return True
    for m in members:
        parts = m.filename.replace("\\", "/").split("/")
        if m.filename.startswith(("/", "\\")) or ".." in parts or "\x00" in m.filename or ":" in parts[0]:
            return True
    return False


# Extensions that name a kind: a file whose content is another kind is refused (e.g. a PDF
# named .jpg), so what the user sees in the name is what is stored.
_EXTENSION_KINDS = {
    "pdf": "pdf",
    "doc": "doc",
    "docx": "docx",
    "jpg": "jpg",
    "jpeg": "jpg",
    "png": "png",
    "zip": "zip",
    "rar": "rar",
}


def clean_attachment(uploaded, *, kinds: tuple[str, ...] = DOCUMENT_KINDS, max_bytes: int = 5 * MB) -> ContentFile:
    """Validate an attachment (合同, 检测报告 ...) and return it under a generated name
    with the extension of its real type. Images among the kinds are re-encoded."""
    label = "/".join(kinds)
    data = _read_all(uploaded, max_bytes, _size_label(max_bytes))
    kind = detect_document_kind(data)
    if kind == "hostile_zip":
        raise ValidationError("压缩包解压后过大或含有不安全的路径，请检查后重新上传。")
    if kind not in kinds:
        raise ValidationError(f"只能上传{label}文件，且大小不超过{_size_label(max_bytes)}。")
    name = getattr(uploaded, "name", None) or ""
    claimed = _EXTENSION_KINDS.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    if claimed and claimed != kind and {claimed, kind} != {"zip", "docx"}:
        raise ValidationError("文件内容与扩展名不符，请上传真实的文件。")
    if kind in ("jpg", "png"):
        return clean_image(io.BytesIO(data), formats=("JPEG", "PNG"), max_bytes=max_bytes)
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{kind}")


def safe_display_name(name: str, limit: int = 100) -> str:
    """An original file name fit to show (never to store under): no path, no control chars."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:limit] or "附件"
