"""Serving private uploads (licences, invoices, attachments) after a permission check.

Callers check access with their app's selectors first; this only sends the bytes:
``Content-Disposition: attachment`` (inline for images shown on a page), ``nosniff``,
never cached publicly. In production nginx sends the file (X-Accel-Redirect to an
internal location that proxies the object store); in development Django streams it.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse


def private_file_response(fieldfile, *, download_name: str, inline: bool = False):
    if not fieldfile:
        raise Http404("文件不存在")
    disposition = "inline" if inline else "attachment"
    header = f"{disposition}; filename*=UTF-8''{quote(download_name)}"
    if getattr(settings, "PROTECTED_MEDIA_ACCEL", False):
        response = HttpResponse()
        response["X-Accel-Redirect"] = "/_protected/" + quote(fieldfile.name)
    else:
        try:
            handle = fieldfile.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("文件不存在")
        response = FileResponse(handle)
    response["Content-Disposition"] = header
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
