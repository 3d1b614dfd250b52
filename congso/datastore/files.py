"""Storing data-store files: validated by `congso.core.uploads.check_upload` (through `congso.dossiers.files.check`)
and stored under a random name with their sha256, like dossier files. A file written inside a block that fails is
removed again (`files_rolled_back`)."""

from __future__ import annotations

import contextlib
import secrets
from contextvars import ContextVar

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from congso.dossiers.files import check

_written: ContextVar[list | None] = ContextVar("congso_datastore_files_written", default=None)


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
    written = _written.get()
    if written is not None:
        written.append(document.file.name)


@contextlib.contextmanager
def files_rolled_back():
    """Delete the files written inside the block when the block fails."""
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
