"""Storing dossier files: every file passes `congso.core.uploads.check_upload` and is stored by a random name.

Files are written to storage inside the action's transaction; if the transaction rolls back, `files_rolled_back`
removes what it wrote, so a refused action leaves no orphan file behind.
"""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile

from congso.core.storage import files_rolled_back, remember_written
from congso.core.uploads import CheckedFile, check_upload, max_upload_bytes
from congso.dossiers.models import DossierFile


def read_upload(upload) -> tuple[bytes, str]:
    """(content, name) of an uploaded file object or a (name, bytes) pair, read up to the size limit + 1 byte."""
    if isinstance(upload, tuple):
        name, content = upload
        return content, name
    content = upload.read(max_upload_bytes() + 1)
    return content, getattr(upload, "name", "") or ""


def check(upload) -> CheckedFile:
    if isinstance(upload, CheckedFile):
        return upload
    content, name = read_upload(upload)
    return check_upload(content, name)


def store_file(dossier, upload, kind: str, user=None) -> DossierFile:
    """Validate (if not yet) and store one file of a dossier. Call inside the action's transaction."""
    checked = check(upload)
    stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
    record = DossierFile(
        dossier=dossier, kind=kind, stored_name=stored_name, original_name=checked.safe_name,
        content_type=checked.content_type, size=checked.size, sha256=checked.sha256, uploaded_by=user,
    )
    record.file.save(stored_name, ContentFile(checked.content), save=False)
    remember_written(record.file.name)
    record.save()
    return record


__all__ = ["check", "files_rolled_back", "read_upload", "store_file"]
