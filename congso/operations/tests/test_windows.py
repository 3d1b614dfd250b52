"""The working-time windows, without a database: weekends, Tết, block ends, grace periods."""

import datetime as dt

import pytest

from congso.dossiers.tests.conftest import local
from congso.operations.services.schedule import SCHEDULE, next_slot
from congso.operations.windows import due_soon_until, overdue_before
from congso.workcalendar.engine import WorkingCalendar

TET_2025 = [dt.date(2025, 1, d) for d in (27, 28, 29, 30, 31)]
CAL = WorkingCalendar(days_off=TET_2025)
H = dt.timedelta(hours=1)


def within(at, deadline, hours=8):
    return at < deadline <= due_soon_until(CAL, at, hours * H)


def test_friday_before_a_weekend_sees_monday_morning_within_one_working_day():
    monday_9 = local(2025, 3, 10, 9, 0)
    assert not within(local(2025, 3, 6, 10, 0), monday_9)  # Thursday 10:00: 8 working hours reach Friday 10:00
    assert not within(local(2025, 3, 7, 8, 59), monday_9)
    assert within(local(2025, 3, 7, 9, 0), monday_9)  # exactly 8 working hours
    assert within(local(2025, 3, 7, 10, 0), monday_9)
    assert within(local(2025, 3, 8, 10, 0), monday_9)  # Saturday: 1 working hour away
    assert not within(local(2025, 3, 10, 9, 0), monday_9)  # due now: no longer "soon", not overdue either


def test_tet_days_off_are_skipped():
    after_tet = local(2025, 2, 3, 9, 0)  # Monday after Tết 27–31 Jan 2025
    assert not within(local(2025, 1, 23, 10, 0), after_tet)
    assert within(local(2025, 1, 24, 10, 0), after_tet)  # 7 h Friday + 1 h Monday 3 Feb
    assert due_soon_until(CAL, local(2025, 1, 24, 10, 0), 8 * H) == local(2025, 2, 3, 10, 0)


def test_a_bound_on_a_block_end_reaches_to_the_next_opening():
    # Friday 09:00 + 8 h = Monday 09:00; Thursday 17:00 + 8 h lands on Friday 17:00: the whole weekend is within.
    assert due_soon_until(CAL, local(2025, 3, 6, 17, 0), 8 * H) == local(2025, 3, 10, 8, 0)
    assert due_soon_until(CAL, local(2025, 3, 7, 8, 0), 4 * H) == local(2025, 3, 7, 13, 0)


def test_overdue_without_grace_is_calendar_time():
    at = local(2025, 3, 8, 10, 0)  # Saturday
    assert overdue_before(CAL, at, dt.timedelta(0)) == at
    assert local(2025, 3, 7, 16, 0) < overdue_before(CAL, at, dt.timedelta(0))  # due Friday 16:00: overdue


def test_overdue_with_grace_counts_working_hours_back_over_weekend_and_tet():
    assert overdue_before(CAL, local(2025, 3, 10, 9, 0), 2 * H) == local(2025, 3, 7, 16, 0)
    assert overdue_before(CAL, local(2025, 3, 10, 9, 30), 30 * dt.timedelta(minutes=1)) == local(2025, 3, 10, 9, 0)
    # Monday 3 Feb 2025 09:00 minus 2 working hours: 1 h that morning, 1 h on Friday 24 Jan (before Tết).
    assert overdue_before(CAL, local(2025, 2, 3, 9, 0), 2 * H) == local(2025, 1, 24, 16, 0)
    # Grace of a whole working week from a Monday morning.
    assert overdue_before(CAL, local(2025, 3, 10, 8, 0), 40 * H) == local(2025, 3, 3, 8, 0)


@pytest.mark.parametrize("now", [local(2025, 3, 7, 10, 2, 30), local(2025, 3, 7, 23, 59, 59), local(2025, 3, 8, 2, 0)])
def test_slots_are_aligned_on_the_wall_clock(now):
    by_name = {s.name: s for s in SCHEDULE}
    slot = next_slot(now, by_name["reminders"])
    assert slot > now and slot - now <= dt.timedelta(minutes=5)
    assert slot.minute % 5 == 0 and slot.second == 0
    daily = next_slot(now, by_name["daily_purge"]).astimezone(now.tzinfo)
    assert daily > now and (daily.hour, daily.minute) == (2, 0) and daily - now <= dt.timedelta(days=1)
