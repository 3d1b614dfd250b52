"""The limit on starting payments: CONGSO_PAYMENTS_START_LIMIT per CONGSO_PAYMENTS_START_WINDOW seconds per user.

A fixed window counted in the cache (the database cache on one machine, Redis when configured), so every app node
sees the same count. Each start opens or resumes a gateway order; the limit keeps a script from filling the order
table or probing the gateway through congso.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from congso.core.problems import Problem


class TooManyStarts(Problem):
    def __init__(self):
        super().__init__("throttled", 429, _("Too many payment attempts. Please wait a few minutes and try again."))


def hit_start(user) -> None:
    """Count one start for `user`; raises TooManyStarts past the limit."""
    allowed = int(getattr(settings, "CONGSO_PAYMENTS_START_LIMIT", 10))
    window = max(1, int(getattr(settings, "CONGSO_PAYMENTS_START_WINDOW", 600)))
    key = f"payments:start:{user.pk}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window + 5)
            count = 1
    if count > allowed:
        raise TooManyStarts()
