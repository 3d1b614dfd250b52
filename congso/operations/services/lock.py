"""The beat's lease (`BeatLock`): one row per lock name, taken with a conditional UPDATE.

    INSERT … ON CONFLICT DO NOTHING                       -- the row exists (expired) from the first start on
    UPDATE … SET holder = me, expires_at = now + lease
     WHERE name = 'beat' AND (holder = me OR expires_at < now)

The UPDATE is atomic on both databases: PostgreSQL locks the row and re-checks the WHERE clause against the
committed version when two processes race (READ COMMITTED), SQLite runs one writer at a time. So exactly one
process holds an unexpired lease. The holder renews it every tick (`… WHERE holder = me`); a lease that was not
renewed for `lease` (3 beat intervals by default) is stale and the next beat takes it over. Time comes from the
application servers' clocks (keep them in sync with NTP: a skew larger than the lease could let two beats overlap,
and even then the `SweepRun` slot claims keep every sweep to one run per period).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from django.db.models import Q
from django.utils import timezone

from congso.operations.models import BeatLock

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def make_holder_id() -> str:
    """host:pid:random — unique per process start, readable in the admin and in `congso beat --status`."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    def __init__(self, name: str = "beat", *, lease: dt.timedelta, holder: str | None = None):
        if lease <= dt.timedelta(0):
            raise ValueError("the lease must be positive")
        self.name = name
        self.lease = lease
        self.holder = holder or make_holder_id()

    def acquire(self, now: dt.datetime | None = None) -> bool:
        """Take the lease if it is free, expired, or already ours. True when this process holds it now."""
        now = now or timezone.now()
        BeatLock.objects.bulk_create([BeatLock(name=self.name, holder="", expires_at=EPOCH)], ignore_conflicts=True)
        taken = (BeatLock.objects.filter(name=self.name)
                 .filter(Q(holder=self.holder) | Q(expires_at__lt=now))
                 .update(holder=self.holder, acquired_at=now, heartbeat_at=now, expires_at=now + self.lease))
        return taken == 1

    def renew(self, now: dt.datetime | None = None) -> bool:
        """Extend our lease; False when another process has taken it over (we must stop)."""
        now = now or timezone.now()
        renewed = (BeatLock.objects.filter(name=self.name, holder=self.holder)
                   .update(heartbeat_at=now, expires_at=now + self.lease))
        return renewed == 1

    def release(self) -> bool:
        """Give the lease up at once (a clean stop): the next beat need not wait for it to expire."""
        return BeatLock.objects.filter(name=self.name, holder=self.holder).update(holder="", expires_at=EPOCH) == 1

    def current(self) -> BeatLock | None:
        return BeatLock.objects.filter(name=self.name).first()
