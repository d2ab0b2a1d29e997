"""Uploaded documents kept in the database (an agreement's scan, a weekly log's attachments):
what is accepted, how an upload is read, and how a stored document is sent back.

A document is a PDF, PNG or JPEG of at most 5 MB. Its type is sniffed from its first bytes,
never taken from the name or the browser; its name loses any path and gets an extension that
fits the type. The rules here know no area: each area says what it keeps the document in.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.responses import Response

from portal.i18n import _

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# What a document's first bytes must be: the type is sniffed, never taken from the name.
DOCUMENT_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
NAME_LIMIT = 150  # characters of a stored name before its extension
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def sniff_content_type(head: bytes) -> str | None:
    """The document's type from its first bytes (PDF, PNG or JPEG), None for anything else."""
    for signature, content_type, _extension in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def clean_file_name(name: str, content_type: str, fallback: str = "document") -> str:
    """The uploaded name without any path (or control characters), short enough, with an
    extension that fits the type; `fallback` when nothing of the name is left."""
    cleaned = CONTROL_CHARACTERS.sub("", name.replace("\\", "/"))
    base = os.path.basename(cleaned).strip().replace('"', "")
    extension = next(ext for _sig, ctype, ext in DOCUMENT_SIGNATURES if ctype == content_type)
    stem, current = os.path.splitext(base)
    if current.lower() not in (extension, ".jpeg" if extension == ".jpg" else extension):
        stem, current = base, extension
    return (stem or fallback)[:NAME_LIMIT] + current.lower()


def check_document(
    name: str, data: bytes, fallback: str = "document"
) -> tuple[dict[str, Any] | None, str | None]:
    """An uploaded document's stored fields (file_name, content_type, file_size, file_data),
    or why it is refused. `data` may be cut after MAX_DOCUMENT_BYTES + 1 bytes: that is enough
    to know it is too large."""
    if len(data) > MAX_DOCUMENT_BYTES:
        return None, _("The document is larger than 5 MB.")
    if not data:
        return None, _("The document is empty.")
    content_type = sniff_content_type(data[:8])
    if content_type is None:
        return None, _("Upload a PDF, PNG or JPEG file.")
    return {
        "file_name": clean_file_name(name, content_type, fallback),
        "content_type": content_type,
        "file_size": len(data),
        "file_data": data,
    }, None


async def read_upload(upload: Any) -> tuple[str, bytes] | None:
    """The uploaded file's name and bytes (at most the limit plus one byte), None if none."""
    if not isinstance(upload, UploadFile):
        return None
    data = await upload.read(MAX_DOCUMENT_BYTES + 1)
    await upload.close()
    if not upload.filename and not data:
        return None
    return upload.filename or "", data


def content_disposition(name: str, fallback: str = "document") -> str:
    """`attachment` with the name twice: plain ASCII for old clients, and RFC 5987
    `filename*` (UTF-8, percent-encoded) so a Chinese name arrives intact."""
    name = CONTROL_CHARACTERS.sub("", name) or fallback
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{ascii_name or fallback}\"; filename*=UTF-8''{quote(name)}"


def document_response(
    data: bytes, content_type: str, name: str, fallback: str = "document"
) -> Response:
    """A stored document as a download (never shown inline, never cached by the way)."""
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": content_disposition(name, fallback),
            "Cache-Control": "private, no-store",
        },
    )
