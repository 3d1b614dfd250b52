"""A per-address fixed-window counter in the cache (database cache by default, Redis when configured), for the
public verification form: checking a PDF costs CPU, so one address may check only so many per window."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMIT = 20
DEFAULT_WINDOW = 600


def limits() -> tuple[int, int]:
    """(checks allowed, window in seconds): CONGSO_SIGNING_VERIFY_LIMIT per CONGSO_SIGNING_VERIFY_WINDOW."""
    return (int(getattr(settings, "CONGSO_SIGNING_VERIFY_LIMIT", DEFAULT_LIMIT)),
            int(getattr(settings, "CONGSO_SIGNING_VERIFY_WINDOW", DEFAULT_WINDOW)))


def client_key(request) -> str:
    # The address is hashed: the cache holds no personal data in clear.
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hashlib.sha256(address.encode()).hexdigest()[:24]


def allow(request, scope: str = "verify") -> bool:
    """Count one attempt for the request's address; False once the window's limit is passed."""
    limit, window = limits()
    slot = int(time.time() // window)
    key = f"congso:signing:{scope}:{client_key(request)}:{slot}"
    cache.add(key, 0, window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 5)
        count = 1
    return count <= limit
