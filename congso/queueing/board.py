"""What the waiting-room display shows: the latest calls with their counters and how many wait per group, plus a
short stamp of that state so the display's poll gets "204 nothing new" when nothing changed."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from congso.queueing.choices import TicketStatus
from congso.queueing.models import ServiceGroup, Ticket

LATEST_CALLS = 8
# A call this recent is highlighted on the display.
FRESH_SECONDS = 15


@dataclass(frozen=True)
class Call:
    number: str
    counter_number: int
    counter_name: str
    called_at: dt.datetime
    key: str  # changes when the ticket is called again
    fresh: bool = False


@dataclass(frozen=True)
class Waiting:
    prefix: str
    name: str
    count: int


@dataclass
class Board:
    calls: list[Call] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)

    @property
    def latest(self) -> Call | None:
        return self.calls[0] if self.calls else None

    @property
    def latest_key(self) -> str:
        return self.latest.key if self.latest else ""

    @property
    def stamp(self) -> str:
        parts = [c.key + ":" + str(c.counter_number) for c in self.calls]
        parts += [f"{w.prefix}={w.count}" for w in self.waiting]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def build_board(agency, now: dt.datetime | None = None) -> Board:
    now = now or timezone.now()
    day = timezone.localdate(now)
    rows = (
        Ticket.objects.filter(agency=agency, day=day, counter__isnull=False, called_at__isnull=False)
        .select_related("counter").order_by("-called_at", "-id")[:LATEST_CALLS]
    )
    calls = [
        Call(number=t.display_number, counter_number=t.counter.number, counter_name=t.counter.name,
             called_at=t.called_at, key=f"{t.pk}.{t.call_count}",
             fresh=(now - t.called_at).total_seconds() <= FRESH_SECONDS)
        for t in rows
    ]
    groups = ServiceGroup.objects.offered().filter(agency=agency).annotate(
        waiting=Count("tickets", filter=Q(tickets__day=day, tickets__status=TicketStatus.WAITING))
    ).order_by("order", "prefix")
    waiting = [Waiting(prefix=g.prefix, name=g.name, count=g.waiting) for g in groups]
    return Board(calls=calls, waiting=waiting)
