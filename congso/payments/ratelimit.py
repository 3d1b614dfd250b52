"""The limit on starting payments: CONGSO_PAYMENTS_START_LIMIT per CONGSO_PAYMENTS_START_WINDOW seconds per user
(or CONGSO_RATE_LIMITS["payment_start"]), counted by the core limiter (the cache: Redis when configured).

Each start opens or resumes a gateway order; the limit keeps a script from filling the order table or probing the
gateway through congso.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from congso.core.problems import Problem
from congso.core.ratelimit import hit


class TooManyStarts(Problem):
    def __init__(self):
        super().__init__("throttled", 429, _("Too many payment attempts. Please wait a few minutes and try again."))


def hit_start(request, user) -> None:
    """Count one start for `user`; raises TooManyStarts past the limit."""
    default = (int(getattr(settings, "CONGSO_PAYMENTS_START_LIMIT", 10)),
               max(1, int(getattr(settings, "CONGSO_PAYMENTS_START_WINDOW", 600))))
    if not hit(request, "payment_start", default, key=f"user:{user.pk}"):
        raise TooManyStarts()
