"""The limit on the public verification form: checking a PDF costs CPU, so one address may check only so many per
window (counted by congso.core.ratelimit)."""

from __future__ import annotations

from django.conf import settings

from congso.core import ratelimit

DEFAULT_LIMIT = 20
DEFAULT_WINDOW = 600


def limits() -> tuple[int, int]:
    """(checks allowed, window in seconds): CONGSO_SIGNING_VERIFY_LIMIT per CONGSO_SIGNING_VERIFY_WINDOW."""
    return (int(getattr(settings, "CONGSO_SIGNING_VERIFY_LIMIT", DEFAULT_LIMIT)),
            int(getattr(settings, "CONGSO_SIGNING_VERIFY_WINDOW", DEFAULT_WINDOW)))


def allow(request, scope: str = "verify") -> bool:
    """Count one attempt for the request's address; False once the window's limit is passed."""
    return ratelimit.hit(request, f"signing_{scope}", limits())
