"""Per-IP rate limits on the portal's public forms (dossier lookup, registration, resending the e-mail), counted by
the shared fixed-window limiter `congso.core.ratelimit` (in the cache, so every app node sees the same counts).

Limits: settings.CONGSO_PORTAL_RATE_LIMITS = {"lookup": (20, 600), …} — (hits, seconds); a scope also set in the
shared CONGSO_RATE_LIMITS as "portal.<scope>" wins.
"""

from __future__ import annotations

from django.conf import settings

from congso.core import ratelimit as core_ratelimit

DEFAULT_LIMITS = {
    "lookup": (20, 600),  # 20 lookups per 10 minutes per address
    "register": (5, 3600),  # 5 registrations per hour per address
    "resend": (5, 3600),  # 5 resend requests per hour per address
}


def limit_for(scope: str) -> tuple[int, int]:
    configured = getattr(settings, "CONGSO_PORTAL_RATE_LIMITS", {}) or {}
    hits, seconds = configured.get(scope, DEFAULT_LIMITS[scope])
    return int(hits), int(seconds)


def hit(request, scope: str) -> bool:
    """Count one attempt for this address in `scope`; False when the limit of the current window is exceeded."""
    return core_ratelimit.hit(request, f"portal.{scope}", limit_for(scope))
