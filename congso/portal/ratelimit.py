"""Per-IP rate limits on the public forms that can be abused (dossier lookup, registration, resending e-mails).

A fixed window counted in the cache (the database cache on one machine, Redis when configured), so every app node
sees the same counts. Limits are settings: CONGSO_PORTAL_RATE_LIMITS = {"lookup": (20, 600), …} — (hits, seconds).
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMITS = {
    "lookup": (20, 600),  # 20 lookups per 10 minutes per address
    "register": (5, 3600),  # 5 registrations per hour per address
    "resend": (5, 3600),  # 5 resend requests per hour per address
}


def client_ip(request) -> str:
    """The client's address as Django sees it (REMOTE_ADDR; a proxy in front sets it through its own config)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def limit_for(scope: str) -> tuple[int, int]:
    configured = getattr(settings, "CONGSO_PORTAL_RATE_LIMITS", {}) or {}
    return tuple(configured.get(scope, DEFAULT_LIMITS[scope]))


def hit(request, scope: str) -> bool:
    """Count one attempt for this address in `scope`; False when the limit of the current window is exceeded."""
    allowed, window = limit_for(scope)
    bucket = int(time.time() // window)
    ip_hash = hashlib.sha256(client_ip(request).encode()).hexdigest()[:24]
    key = f"portal:rl:{scope}:{ip_hash}:{bucket}"
    # add() is atomic: the first attempt of a window creates the counter; incr() is atomic on Redis and locmem.
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window + 5)
            count = 1
    return count <= allowed
