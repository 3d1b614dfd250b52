"""Storing dossier files: every file passes `congso.core.uploads.check_upload` and is stored by a random name.

Files are written to storage inside the action's transaction; if the transaction rolls back, `files_rolled_back`
removes what it wrote, so a refused action leaves no orphan file behind.
"""

from __future__ import annotations

import contextlib
import secrets
from contextvars import ContextVar

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from congso.core.uploads import CheckedFile, check_upload, max_upload_bytes
from congso.dossiers.models import DossierFile

_written: ContextVar[list | None] = ContextVar("congso_files_written", default=None)


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
    written = _written.get()
    if written is not None:
        written.append(record.file.name)
    record.save()
    return record


@contextlib.contextmanager
def files_rolled_back():
    """Delete the files written inside the block when the block fails (its transaction rolls back)."""
    token = _written.set([])
    try:
        yield
    except BaseException:
        for name in _written.get() or []:
            with contextlib.suppress(OSError):
                default_storage.delete(name)
        raise
    finally:
        _written.reset(token)
