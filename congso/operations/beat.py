"""The `congso beat` loop (tiến trình định kỳ): hold the lease, tick, sleep, stop cleanly.

Each tick renews the lease and enqueues the sweeps whose slot has come (`services.schedule.tick`); the sweeps
themselves run in the task workers, so a tick is a handful of short queries whatever the size of the database.
The loop sleeps on an Event, so SIGTERM / SIGINT (which set it) end the sleep at once; the lease is released on the
way out so a standby beat can start without waiting for it to expire.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.operations.services import schedule
from congso.operations.services.lock import Lease

logger = logging.getLogger("congso.operations.beat")


class AlreadyRunning(Exception):
    """Another beat holds an unexpired lease."""


class LostLease(Exception):
    """Another beat took the lease over while this one was running (this one was paused for too long)."""


class Beat:
    def __init__(self, *, interval: float, lease: dt.timedelta, wait: bool = False, max_ticks: int | None = None,
                 stop: threading.Event | None = None, say: Callable[[str], None] = logger.info,
                 clock: Callable[[], dt.datetime] = timezone.now, lock_name: str = "beat"):
        self.interval = interval
        self.lease = Lease(lock_name, lease=lease)
        self.wait = wait
        self.max_ticks = max_ticks
        self.stop = stop or threading.Event()
        self.say = say
        self.clock = clock
        self.ticks = 0
        self.enqueued: list[str] = []

    @property
    def holder(self) -> str:
        return self.lease.holder

    def run(self) -> int:
        """Run until stopped or `max_ticks` ticks; returns the number of ticks done."""
        if not self._acquire():
            return 0
        self.say(_("Beat %(holder)s holds the lock; a tick every %(interval)s s.")
                 % {"holder": self.holder, "interval": f"{self.interval:g}"})
        try:
            while not self.stop.is_set():
                self._tick()
                if self.max_ticks is not None and self.ticks >= self.max_ticks:
                    break
                if self.stop.wait(self.interval):
                    break
        finally:
            try:
                self.lease.release()
            except DatabaseError:
                logger.warning("could not release the beat lease (it will expire by itself)", exc_info=True)
            _drop_stale_connections()
        self.say(_("Beat stopped after %(ticks)d tick(s).") % {"ticks": self.ticks})
        return self.ticks

    def _acquire(self) -> bool:
        announced = False
        while True:
            if self.lease.acquire(self.clock()):
                return True
            current = self.lease.current()
            holder = current.holder if current else "?"
            expires = timezone.localtime(current.expires_at).isoformat(timespec="seconds") if current else "?"
            if not self.wait:
                raise AlreadyRunning(
                    _("Another beat is running (%(holder)s, lease until %(expires)s); this one exits. "
                      "Use --wait to stand by until the lock is free.") % {"holder": holder, "expires": expires})
            if not announced:
                self.say(_("Another beat is running (%(holder)s, lease until %(expires)s); waiting for the lock.")
                         % {"holder": holder, "expires": expires})
                announced = True
            if self.stop.wait(self.interval):
                return False
            _drop_stale_connections()

    def _tick(self) -> None:
        _drop_stale_connections()
        now = self.clock()
        try:
            if self.ticks and not self.lease.renew(now):
                raise LostLease(_("Another beat took the lock over; this one stops."))
            names = schedule.tick(now, holder=self.holder)
        except DatabaseError:
            # The database is away (restart, failover): try again at the next tick. If that takes longer than the
            # lease, renewing fails and this beat stops (a standby may have taken over).
            logger.exception("beat tick failed")
            if not connection.in_atomic_block:
                connection.close()
            self.ticks += 1
            return
        self.ticks += 1
        self.enqueued.extend(names)
        if names:
            self.say(_("Enqueued: %(names)s") % {"names": ", ".join(names)})


def _drop_stale_connections() -> None:
    """Close connections that broke or outlived CONN_MAX_AGE between ticks (as Django does between requests).
    Not inside a transaction: a caller's open transaction (a test's) must not be closed under it."""
    if not connection.in_atomic_block:
        close_old_connections()
