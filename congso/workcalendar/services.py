"""The thin layer between the calendar tables and the pure engine, and the calendar's state changes (seeding).

`get_calendar()` builds a `WorkingCalendar` from `CalendarDay` and `WorkSchedule` once per process and keeps it until
a row changes (signals in `signals.py` call `invalidate_calendar()`, also after the transaction commits). Other
processes (more gunicorn workers, task workers) notice an edit within `RELOAD_AFTER_SECONDS` at the latest.
"""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Iterable
from datetime import datetime, time

from django.conf import settings
from django.db import connection, transaction

from congso.workcalendar import seeding
from congso.workcalendar.choices import DayKind
from congso.workcalendar.engine import DueDate, WorkingCalendar
from congso.workcalendar.models import CalendarDay, WorkSchedule
from congso.workcalendar.units import DurationUnit

#: Upper bound on how stale another process's calendar can be after an edit made elsewhere.
RELOAD_AFTER_SECONDS = 300.0

_lock = threading.Lock()
_cached: dict = {"calendar": None, "loaded_at": 0.0, "generation": 0}
# Per thread: "this thread changed the calendar inside a transaction that has not ended yet".
_pending = threading.local()


def load_calendar() -> WorkingCalendar:
    """A fresh `WorkingCalendar` from the tables (active rows only), without touching the cache."""
    days_off, working_days = set(), set()
    for day, kind in CalendarDay.objects.filter(active=True).values_list("date", "kind"):
        (days_off if kind == DayKind.DAY_OFF else working_days).add(day)
    schedules = [(row.valid_from, row.to_schedule()) for row in WorkSchedule.objects.order_by("valid_from")]
    return WorkingCalendar(days_off, working_days, schedules or None, tz=settings.TIME_ZONE)


def get_calendar() -> WorkingCalendar:
    """The working calendar in force, cached in this process; cheap to call on every computation."""
    if getattr(_pending, "active", False):
        if connection.in_atomic_block:
            # Our own uncommitted edits must be visible to us, and must never reach the shared cache
            # (the transaction may still roll back).
            return load_calendar()
        _pending.active = False
        _forget()
    calendar = _cached["calendar"]
    if calendar is not None and _time.monotonic() - _cached["loaded_at"] < RELOAD_AFTER_SECONDS:
        return calendar
    with _lock:
        generation = _cached["generation"]
        calendar = load_calendar()
        # Keep it only if nothing was invalidated while it was being read.
        if generation == _cached["generation"]:
            _cached["calendar"] = calendar
            _cached["loaded_at"] = _time.monotonic()
    return calendar


def invalidate_calendar() -> None:
    """Forget the cached calendar now and once more when the current transaction commits.

    The second time matters when another thread rebuilt the cache between the write and the commit. Until the
    transaction ends, this thread reads the calendar uncached (see `get_calendar`), which also covers a rollback.
    """
    _forget()
    if connection.in_atomic_block:
        _pending.active = True
        transaction.on_commit(_forget)


def _forget() -> None:
    _cached["generation"] += 1
    _cached["calendar"] = None


def due_date(received: datetime, duration: int, unit: DurationUnit | str, cutoff: time | None = None) -> DueDate:
    """Convenience: `get_calendar().due_date(...)`."""
    return get_calendar().due_date(received, duration, unit, cutoff)


def seed_calendar(years: Iterable[int] = seeding.DEFAULT_YEARS) -> seeding.SeedResult:
    """Seed the official schedules and the rule-generated years; idempotent, never overwrites an edited row."""
    with transaction.atomic():
        result = seeding.write_seed(CalendarDay, seeding.seed_days(years))
        seeding.ensure_default_schedule(WorkSchedule)
    invalidate_calendar()
    return result


def days_of_year(year: int):
    """The calendar rows of one year, in date order (all rows, including those switched off)."""
    return CalendarDay.objects.filter(date__year=year).order_by("date")


def reset_cache() -> None:
    """Forget everything cached in this process (tests, and after restoring a database)."""
    _pending.active = False
    _forget()
