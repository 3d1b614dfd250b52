"""Storing data-store files: validated by `congso.core.uploads.check_upload` (through `congso.dossiers.files.check`)
and stored under a random name with their sha256, like dossier files. A file written inside a block that fails is
removed again (`files_rolled_back`)."""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile

from congso.core.storage import files_rolled_back, remember_written
from congso.dossiers.files import check


def store_document_file(document, upload) -> None:
    """Validate `upload` (a file object, a (name, bytes) pair or a checked file) and attach it to `document`
    (not yet saved)."""
    checked = check(upload)
    document.stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
    document.original_name = checked.safe_name
    document.content_type = checked.content_type
    document.size = checked.size
    document.sha256 = checked.sha256
    document.file.save(document.stored_name, ContentFile(checked.content), save=False)
    remember_written(document.file.name)


__all__ = ["files_rolled_back", "store_document_file"]
