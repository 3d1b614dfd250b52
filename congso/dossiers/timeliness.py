"""The on-time rule (đúng hạn) as pure functions, exactly as calendar.md §5–6 and the national portal define it.

- A dossier that was never received (new, refused at intake) or has no appointment: not applicable.
- More than one supplement request: late, whatever the dates.
- Ended: the end is the first terminal moment (resolved, else returned, else stopped/refused/withdrawn); if the
  dossier was still waiting for the applicant when it ended, the end is the moment the wait began. The end minus
  the elapsed waiting time is compared with the ORIGINAL appointment; an apology never makes a dossier on time.
  Early (trước hạn) = that adjusted end falls on an earlier local day than the appointment.
- Open at an instant: within the deadline if the current appointment (moved by the stops) had not passed then; a
  dossier waiting for the applicant is judged by the moment the wait began.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from congso.dossiers.choices import Timeliness


@dataclass(frozen=True)
class ClockState:
    """What the rule needs to know about a dossier, as of some instant."""

    received_at: dt.datetime | None
    due_at: dt.datetime | None
    current_due_at: dt.datetime | None
    finished_at: dt.datetime | None
    waiting: dt.timedelta  # elapsed time inside the closed clock stops
    waiting_since: dt.datetime | None  # start of the stop still open, if any
    supplement_count: int


def judge(state: ClockState, as_of: dt.datetime, tz: ZoneInfo | str = "Asia/Ho_Chi_Minh") -> Timeliness:
    if state.received_at is None or state.due_at is None:
        return Timeliness.NOT_APPLICABLE
    ended = state.finished_at is not None and state.finished_at <= as_of
    if state.supplement_count >= 2:
        return Timeliness.LATE if ended else Timeliness.OPEN_OVERDUE
    if ended:
        end = state.finished_at
        if state.waiting_since is not None and state.waiting_since <= end:
            end = state.waiting_since
        return verdict(end - state.waiting, state.due_at, tz)
    if state.waiting_since is not None and state.waiting_since <= as_of:
        on_time = state.waiting_since - state.waiting <= state.due_at
    else:
        on_time = as_of <= (state.current_due_at or state.due_at)
    return Timeliness.OPEN_WITHIN if on_time else Timeliness.OPEN_OVERDUE


def verdict(moment: dt.datetime, deadline: dt.datetime, tz: ZoneInfo | str = "Asia/Ho_Chi_Minh") -> Timeliness:
    """Early / on time / late of a moment against a deadline (also used for steps and hand-overs)."""
    if moment > deadline:
        return Timeliness.LATE
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    if moment.astimezone(zone).date() < deadline.astimezone(zone).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def counts_as_on_time(value: str) -> bool:
    """Whether a stored verdict counts as on time for the index (early and open-within included)."""
    return value in (Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.OPEN_WITHIN)
