"""Per-address rate limits for public forms and expensive endpoints: a fixed window counted in the cache.

The cache is the database on one machine and Redis when configured, so every app node sees the same counts. The
address is hashed: the cache holds no personal data in clear. Limits come from settings.CONGSO_RATE_LIMITS
({scope: (hits, seconds)}), with each caller's default.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address as Django sees it (REMOTE_ADDR; a proxy in front sets it through its own config)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def limit_for(scope: str, default: tuple[int, int]) -> tuple[int, int]:
    configured = getattr(settings, "CONGSO_RATE_LIMITS", {}) or {}
    hits, seconds = configured.get(scope, default)
    return int(hits), int(seconds)


def hit(request, scope: str, default: tuple[int, int], key: str = "") -> bool:
    """Count one attempt in `scope` for this address (or `key`); False once the window's limit is passed."""
    allowed, window = limit_for(scope, default)
    bucket = int(time.time() // window)
    who = hashlib.sha256((key or client_ip(request)).encode()).hexdigest()[:24]
    name = f"congso:rl:{scope}:{who}:{bucket}"
    # add() is atomic: the first attempt of a window creates the counter; incr() is atomic on Redis and locmem.
    if cache.add(name, 1, timeout=window + 5):
        return 1 <= allowed
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add() and incr()
        cache.add(name, 1, timeout=window + 5)
        count = 1
    return count <= allowed
