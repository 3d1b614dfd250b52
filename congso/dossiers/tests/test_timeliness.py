"""The on-time rule as a pure function: every edge named in calendar.md §5–6 and one-stop-rules.md §1.4."""

import datetime as dt

import pytest

from congso.dossiers.choices import Timeliness as T
from congso.dossiers.tests.conftest import local
from congso.dossiers.timeliness import ClockState, counts_as_on_time, judge, verdict

DUE = local(2025, 2, 3, 9, 0)
RECEIVED = local(2025, 1, 20, 9, 0)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def state(**kw):
    base = dict(received_at=RECEIVED, due_at=DUE, current_due_at=DUE, finished_at=None, waiting=dt.timedelta(0),
                waiting_since=None, supplement_count=0)
    base.update(kw)
    return ClockState(**base)


def test_not_received_or_no_appointment_is_not_applicable():
    assert judge(state(received_at=None), DUE) == T.NOT_APPLICABLE
    assert judge(state(due_at=None), DUE) == T.NOT_APPLICABLE


@pytest.mark.parametrize("finished, expected", [
    (local(2025, 1, 31, 16, 0), T.EARLY),      # an earlier day
    (local(2025, 2, 3, 8, 0), T.ON_TIME),      # the day of the appointment, before it
    (DUE, T.ON_TIME),                          # exactly at the appointment
    (DUE + dt.timedelta(minutes=1), T.LATE),   # to the minute
])
def test_ended_dossiers(finished, expected):
    assert judge(state(finished_at=finished), finished + D) == expected


def test_waiting_time_is_subtracted_from_the_end():
    finished = DUE + 2 * D
    assert judge(state(finished_at=finished, waiting=2 * D), finished) == T.ON_TIME
    assert judge(state(finished_at=finished, waiting=2 * D - H), finished) == T.LATE


def test_a_second_supplement_request_is_late_even_when_fast():
    assert judge(state(finished_at=RECEIVED + H, supplement_count=2), RECEIVED + 2 * H) == T.LATE
    assert judge(state(supplement_count=2), RECEIVED + H) == T.OPEN_OVERDUE


def test_ended_while_waiting_counts_the_request_time_as_the_end():
    s = state(finished_at=DUE + 30 * D, waiting_since=local(2025, 1, 22, 9, 0))
    assert judge(s, DUE + 31 * D) == T.EARLY
    s = state(finished_at=DUE + 30 * D, waiting_since=DUE + H)
    assert judge(s, DUE + 31 * D) == T.LATE


def test_open_dossiers_at_an_instant_use_the_current_appointment():
    moved = DUE + 2 * D
    assert judge(state(current_due_at=moved), DUE + D) == T.OPEN_WITHIN
    assert judge(state(current_due_at=moved), moved + H) == T.OPEN_OVERDUE
    assert judge(state(), DUE) == T.OPEN_WITHIN
    assert judge(state(), DUE + dt.timedelta(seconds=1)) == T.OPEN_OVERDUE


def test_open_and_waiting_is_judged_by_when_the_wait_began():
    assert judge(state(waiting_since=DUE - H), DUE + 10 * D) == T.OPEN_WITHIN
    assert judge(state(waiting_since=DUE + H), DUE + 10 * D) == T.OPEN_OVERDUE


def test_a_dossier_judged_before_it_ended_is_still_open_then():
    s = state(finished_at=DUE + D)
    assert judge(s, DUE - D) == T.OPEN_WITHIN  # "as of" before the end: events after it are ignored


def test_verdict_and_counting():
    assert verdict(local(2025, 2, 2, 23, 59), DUE) == T.EARLY
    assert counts_as_on_time(T.EARLY) and counts_as_on_time(T.OPEN_WITHIN)
    assert not counts_as_on_time(T.LATE) and not counts_as_on_time(T.OPEN_OVERDUE)
