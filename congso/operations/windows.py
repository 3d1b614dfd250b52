"""Working-time thresholds turned into plain instants (pure: a `WorkingCalendar` in, datetimes out, no database).

The sweeps compare indexed columns (`step_due_at`, `current_due_at`) with two instants computed once per sweep,
instead of asking the calendar about every dossier:

- **due soon**: the working time from `at` to the deadline is at most N hours
  ⇔ `at < deadline <= due_soon_until(at, N)`;
- **overdue**: at least G working hours have passed since the deadline (G = 0: it passed at all)
  ⇔ `deadline < overdue_before(at, G)`.
"""

from __future__ import annotations

import datetime as dt

from congso.workcalendar.engine import WorkingCalendar

_US = dt.timedelta(microseconds=1)


def due_soon_until(calendar: WorkingCalendar, at: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """The latest deadline that is at most `amount` of working time after `at` (inclusive bound).

    `add_working_time` gives the earliest instant at which `amount` has elapsed; when that lands on the end of a
    working block (12:00, 17:00) every instant up to the next block's start is still within `amount`, so the bound
    is that start (`effective_start` of the instant).
    """
    reached = calendar.add_working_time(at, amount)
    return calendar.effective_start(reached)


def overdue_before(calendar: WorkingCalendar, at: dt.datetime, grace: dt.timedelta) -> dt.datetime:
    """The instant C such that a deadline D counts as overdue at `at` when D < C: at least `grace` of working time
    lies between D and `at`. With no grace, C is `at` itself (passed at all, in calendar time: a step due Friday
    16:00 is overdue on Saturday; one due exactly now is not overdue yet).

    C is the latest instant with at least `grace` of working time between it and `at`, found by bisection on the
    monotone `working_time_between` (to the microsecond).
    """
    if grace <= dt.timedelta(0):
        return at
    span = dt.timedelta(days=7)
    low = at - span
    while calendar.working_time_between(low, at) < grace:
        span *= 2
        if span > dt.timedelta(days=366 * 20):
            raise ValueError("grace period longer than the calendar covers")
        low = at - span
    high = at  # working_time_between(high, at) == 0 < grace; working_time_between(low, at) >= grace
    while high - low > _US:
        middle = low + (high - low) / 2
        if calendar.working_time_between(middle, at) >= grace:
            low = middle
        else:
            high = middle
    return low
