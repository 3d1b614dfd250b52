"""The intake wizard's draft (hồ sơ đang tiếp nhận), kept in the officer's session so that the back button, a
refresh or a lost connection loses nothing.

The session holds plain values only. Uploaded files, already checked by `congso.core.uploads.check_upload`, wait in
the default storage under `intake-drafts/<token>/` (random names) until the dossier is saved, when the engine
checks and stores them again as dossier files and the draft's copies are deleted. Drafts left behind (a closed
browser) are removed after `STALE_AFTER`, the next time anyone starts a draft.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

SESSION_KEY = "congso_intake"
DONE_KEY = "congso_intake_done"
DRAFT_FOLDER = "intake-drafts"
STALE_AFTER = dt.timedelta(days=2)
KEEP_DONE = 20  # receipts remembered per session for double submits


def new_draft(receiving_id: int) -> dict:
    return {"token": secrets.token_hex(16), "started": timezone.now().isoformat(), "receiving": receiving_id,
            "procedure": None, "applicant": None, "components": None, "payment": "later"}


def get_draft(session) -> dict | None:
    draft = session.get(SESSION_KEY)
    return draft if isinstance(draft, dict) and draft.get("token") else None


def save_draft(session, draft: dict) -> None:
    session[SESSION_KEY] = draft
    session.modified = True


def start_draft(session, receiving_id: int) -> dict:
    """A fresh draft at the desk of `receiving_id`; any previous draft of this session is dropped."""
    discard_draft(session)
    purge_stale_drafts()
    draft = new_draft(receiving_id)
    save_draft(session, draft)
    return draft


def discard_draft(session) -> None:
    draft = get_draft(session)
    if draft:
        delete_files(draft)
    session.pop(SESSION_KEY, None)
    session.modified = True


def draft_files(draft: dict) -> list[str]:
    return [item["file"]["path"] for item in (draft.get("components") or {}).values() if item.get("file")]


def delete_files(draft: dict, paths: list[str] | None = None) -> None:
    for path in paths if paths is not None else draft_files(draft):
        with contextlib.suppress(OSError):
            default_storage.delete(path)


def store_file(draft: dict, checked) -> dict:
    """Keep a checked upload for the draft; returns what the session remembers about it."""
    path = f"{DRAFT_FOLDER}/{draft['token']}/{secrets.token_hex(12)}.{checked.extension}"
    path = default_storage.save(path, ContentFile(checked.content))
    return {"path": path, "name": checked.safe_name, "size": checked.size, "sha256": checked.sha256,
            "content_type": checked.content_type}


def read_file(info: dict) -> tuple[str, bytes]:
    """(display name, content) of a draft file, as the engine's ComponentInput takes it."""
    with default_storage.open(info["path"], "rb") as handle:
        return info["name"], handle.read()


def purge_stale_drafts(now: dt.datetime | None = None) -> int:
    """Delete draft folders whose files are all older than STALE_AFTER. Returns the number of files removed."""
    now = now or timezone.now()
    removed = 0
    try:
        folders, _files = default_storage.listdir(DRAFT_FOLDER)
    except (OSError, NotImplementedError):
        return 0
    for folder in folders:
        base = f"{DRAFT_FOLDER}/{folder}"
        try:
            _dirs, names = default_storage.listdir(base)
            paths = [f"{base}/{name}" for name in names]
            if all(now - default_storage.get_modified_time(p) > STALE_AFTER for p in paths):
                for path in paths:
                    default_storage.delete(path)
                    removed += 1
        except (OSError, NotImplementedError):
            continue
    return removed


def remember_done(session, token: str, code: str) -> None:
    done = dict(session.get(DONE_KEY) or {})
    done[token] = code
    session[DONE_KEY] = dict(list(done.items())[-KEEP_DONE:])
    session.modified = True


def done_code(session, token: str) -> str | None:
    return (session.get(DONE_KEY) or {}).get(token) if token else None
