"""Hostile upload corpus, built by the tests themselves (nothing checked in).

Every entry is (kind, file name, bytes). ``hostile_files()`` returns the whole corpus;
``hostile_invoice_files()`` adds the 500 KB + 1 byte invoice image.
"""

import functools
import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

KB = 1024
MB = 1024 * KB


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_huge_header(width: int = 20000, height: int = 20000) -> bytes:
    """A tiny PNG whose header claims width × height pixels (one compressed row of zeros)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    raw = zlib.compress(b"\x00" * (width + 1), 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", raw) + _png_chunk(b"IEND", b"")


@functools.cache
def decompression_bomb() -> bytes:
    """A real, fully-decodable greyscale PNG of 10000 × 9000 (90 Mpx) that compresses to ~90 KB."""
    width, height = 10000, 9000
    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def small_jpeg(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return out.getvalue()


def small_png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format="PNG")
    return out.getvalue()


SCRIPT = b"<script>alert(document.cookie)</script>"


def jpeg_with_script() -> bytes:
    return small_jpeg() + SCRIPT


def pdf_named_jpg() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def svg_with_script() -> bytes:
    return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def html_named_pdf() -> bytes:
    return b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"


@functools.cache
def zip_bomb() -> bytes:
    """A zip whose single member inflates 1000× (20 MB of zeros in ~20 KB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("../../etc/bomb.bin", b"\x00" * (20 * MB))
    return out.getvalue()


def oversized(limit: int, prefix: bytes) -> bytes:
    """``limit + 1`` bytes starting with a valid file (padding after it)."""
    return prefix + b"\x00" * (limit + 1 - len(prefix))


@functools.cache
def hostile_files() -> tuple[tuple[str, str, bytes], ...]:
    return (
        ("png_20000x20000", "big.png", png_huge_header()),
        ("decompression_bomb", "bomb.png", decompression_bomb()),
        ("jpeg_appended_script", "photo.jpg", jpeg_with_script()),
        ("pdf_named_jpg", "scan.jpg", pdf_named_jpg()),
        ("svg_script", "logo.svg", svg_with_script()),
        ("svg_named_png", "logo.png", svg_with_script()),
        ("html_named_pdf", "report.pdf", html_named_pdf()),
        ("zip_bomb", "files.zip", zip_bomb()),
        ("dotdot_name", "../../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"),
        ("nul_name", "evil\x00.php.jpg", b"<?php system($_GET['c']); ?>"),
        ("empty", "empty.jpg", b""),
        ("over_5mb", "huge.jpg", oversized(5 * MB, small_jpeg())),
    )


def invoice_over_500kb() -> tuple[str, str, bytes]:
    return ("invoice_over_500kb", "invoice.jpg", oversized(500 * KB, small_jpeg()))


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
