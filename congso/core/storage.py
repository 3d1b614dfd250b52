"""Files written inside a transaction that fails are removed again.

Storage is not transactional: a file saved during an action that then rolls back would stay behind, unreferenced.
Code that saves files calls `remember_written(name)`; `files_rolled_back()` around the transaction deletes those
files when the block fails.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.core.files.storage import default_storage

_written: ContextVar[list | None] = ContextVar("congso_files_written", default=None)


def remember_written(name: str) -> None:
    written = _written.get()
    if written is not None:
        written.append(name)


@contextlib.contextmanager
def files_rolled_back():
    """Delete the files written inside the block when the block fails (its transaction rolls back). Nested blocks
    share the outer list, so an inner success is still undone by an outer failure."""
    if _written.get() is not None:
        yield
        return
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
