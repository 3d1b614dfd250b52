"""The one validator for every uploaded file that becomes part of a record (dossier components, supplements,
results): the type is decided by the content (magic bytes), never by the name or the browser's word; the size is
limited; the name is sanitised for display only — files are stored under random names with their sha256.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# (magic prefix, content type, canonical extension)
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
]
EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png"}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*;`$]")
_DOTS = re.compile(r"\.{2,}")


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    extension: str
    safe_name: str
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return getattr(settings, "CONGSO_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, JPEG or PNG by its first bytes, or None."""
    for magic, content_type, extension in SIGNATURES:
        if content.startswith(magic):
            return content_type, extension
    return None


def sanitize_name(name: str, extension: str) -> str:
    """A display name without path parts, control or shell characters, with the extension of the real type."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name  # drop "dir/" and "C:\\dir\\"
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE.sub("_", base)
    base = _DOTS.sub(".", base).strip(" ._")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[:150].strip(" ._") or "tep"
    return f"{stem}.{extension}"


def check_upload(content: bytes, name: str, max_bytes: int | None = None) -> CheckedFile:
    """Validate an upload; raises ValidationError (code `file_empty`, `file_too_large`, `file_type`,
    `file_extension`) and returns what to store."""
    limit = max_bytes or max_upload_bytes()
    if not content:
        raise ValidationError(_("The file is empty."), code="file_empty")
    if len(content) > limit:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}, code="file_too_large"
        )
    found = sniff(content)
    if found is None:
        raise ValidationError(_("Only PDF, JPEG and PNG files are accepted."), code="file_type")
    content_type, extension = found
    given = (name or "").rsplit(".", 1)[-1].lower() if "." in (name or "") else ""
    if given and EXTENSIONS.get(given) not in (None, extension):
        raise ValidationError(
            _("The file name says .%(given)s but the content is %(real)s.") % {"given": given[:10], "real": extension.upper()},
            code="file_extension",
        )
    if given and given not in EXTENSIONS:
        raise ValidationError(_("Only PDF, JPEG and PNG files are accepted."), code="file_extension")
    if content_type == "application/pdf" and b"%%EOF" not in content[-2048:]:
        raise ValidationError(_("The PDF file is incomplete or damaged."), code="file_type")
    return CheckedFile(
        content=content,
        content_type=content_type,
        extension=extension,
        safe_name=sanitize_name(name, extension),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
