"""The due-date convention of docs/calendar.md, example by example. Pure: no database."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import translation

from congso.workcalendar.engine import (
    DueDate,
    Schedule,
    WorkingCalendar,
    is_on_time,
    merge_stops,
    waiting_time,
)
from congso.workcalendar.tests.helpers import CALENDAR, SUMMER_CALENDAR, SWITCHING_CALENDAR, TZ, at

WD, WH, CD = "working_day", "working_hour", "calendar_day"


@pytest.fixture(autouse=True)
def _english():
    """Error messages are matched in English whatever the Vietnamese catalogue says."""
    with translation.override("en"):
        yield


def due(received, n, unit=WD, cutoff=None, calendar=CALENDAR):
    return calendar.due_date(received, n, unit, cutoff).due_at


# --- the three worked examples of the specification ---------------------------------------------------------------


def test_example_tet_2025_skipped():
    result = CALENDAR.due_date(at(2025, 1, 20, 9), 5, WD)
    assert result == DueDate(at(2025, 1, 20, 9), at(2025, 1, 20, 9), at(2025, 2, 3, 9))
    assert result.due_at.isoformat() == "2025-02-03T09:00:00+07:00"


def test_example_april_may_2024_skipped():
    assert due(at(2024, 4, 24, 10), 4) == at(2024, 5, 3, 10)


def test_example_cutoff_within_the_day():
    result = CALENDAR.due_date(at(2026, 4, 23, 15, 10), 0, WD, time(15))
    assert result.effective_start == at(2026, 4, 24, 8)
    assert result.due_at == at(2026, 4, 24, 17)


# --- rule 1: effective start -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2025, 3, 3, 7, 0), at(2025, 3, 3, 8)),  # before opening → opening
        (at(2025, 3, 3, 8, 0), at(2025, 3, 3, 8)),  # opening itself
        (at(2025, 3, 3, 11, 59, 59), at(2025, 3, 3, 11, 59, 59)),
        (at(2025, 3, 3, 12, 0), at(2025, 3, 3, 13)),  # exactly 12:00 → 13:00
        (at(2025, 3, 3, 12, 30), at(2025, 3, 3, 13)),  # lunch → 13:00
        (at(2025, 3, 3, 16, 59), at(2025, 3, 3, 16, 59)),
        (at(2025, 3, 3, 17, 0), at(2025, 3, 4, 8)),  # exactly 17:00 is after closing
        (at(2025, 3, 7, 18, 0), at(2025, 3, 10, 8)),  # Friday evening → Monday
        (at(2025, 3, 8, 10, 0), at(2025, 3, 10, 8)),  # Saturday → Monday
        (at(2025, 1, 24, 17, 30), at(2025, 2, 3, 8)),  # Friday before Tết 2025 → after Tết
        (at(2024, 5, 4, 9, 0), at(2024, 5, 4, 9)),  # make-up Saturday is worked
        (at(2025, 4, 25, 17, 0), at(2025, 4, 26, 8)),  # Friday close → make-up Saturday 26 Apr 2025
    ],
)
def test_effective_start(received, expected):
    assert CALENDAR.effective_start(received) == expected


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (at(2026, 4, 23, 14, 59), at(2026, 4, 23, 14, 59)),
        (at(2026, 4, 23, 15, 0), at(2026, 4, 24, 8)),  # at the cut-off counts as after it
        (at(2026, 4, 23, 15, 10), at(2026, 4, 24, 8)),
        (at(2026, 4, 23, 7, 0), at(2026, 4, 23, 8)),
    ],
)
def test_effective_start_with_cutoff(received, expected):
    assert CALENDAR.effective_start(received, time(15)) == expected


def test_cutoff_during_lunch_break():
    # Received at 12:10 with a 12:30 cut-off: before the cut-off, so 13:00 the same day; at 12:30 → next day.
    assert CALENDAR.effective_start(at(2025, 3, 3, 12, 10), time(12, 30)) == at(2025, 3, 3, 13)
    assert CALENDAR.effective_start(at(2025, 3, 3, 12, 30), time(12, 30)) == at(2025, 3, 4, 8)


def test_receipt_given_in_utc_is_read_in_local_time():
    received = datetime(2025, 1, 20, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi
    result = CALENDAR.due_date(received, 5, WD)
    assert result.received == at(2025, 1, 20, 9)
    assert result.due_at.isoformat() == "2025-02-03T09:00:00+07:00"


# --- rule 2: working days --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "n", "expected"),
    [
        (at(2025, 3, 3, 7, 0), 1, at(2025, 3, 3, 17)),  # before opening: 08:00 + 8 h lands on 17:00, stays there
        # Exactly 12:00 starts at 13:00; 4 h that afternoon + 4 h Tuesday morning land on Tuesday 12:00, not 13:00.
        (at(2025, 3, 3, 12, 0), 1, at(2025, 3, 4, 12)),
        (at(2025, 3, 3, 12, 45), 1, at(2025, 3, 4, 12)),  # lunch break, same
        (at(2025, 3, 3, 17, 0), 1, at(2025, 3, 4, 17)),  # exactly 17:00 → counts from Tuesday 08:00
        (at(2025, 3, 3, 13, 30), 1, at(2025, 3, 4, 13, 30)),
        (at(2025, 3, 3, 8, 0), 2, at(2025, 3, 4, 17)),
        (at(2025, 3, 8, 10, 0), 2, at(2025, 3, 11, 17)),  # Saturday receipt
        (at(2025, 3, 7, 10, 0), 1, at(2025, 3, 10, 10)),  # over a weekend
        (at(2024, 5, 3, 10, 0), 1, at(2024, 5, 4, 10)),  # lands on make-up Saturday 4 May 2024
        (at(2024, 5, 4, 9, 0), 1, at(2024, 5, 6, 9)),  # received on make-up Saturday
        (at(2025, 4, 25, 10, 0), 1, at(2025, 4, 26, 10)),  # make-up Saturday 26 Apr 2025
        (at(2025, 4, 25, 10, 0), 4, at(2025, 5, 5, 10)),  # 28, 29 Apr, then 30 Apr–2 May off
        (at(2025, 12, 31, 10, 0), 1, at(2026, 1, 2, 10)),  # over New Year
        (at(2026, 2, 13, 10, 0), 1, at(2026, 2, 23, 10)),  # over Tết 2026
    ],
)
def test_working_days(received, n, expected):
    assert due(received, n) == expected


def test_landing_on_noon_stays_at_noon():
    assert due(at(2025, 3, 3, 10), 2, WH) == at(2025, 3, 3, 12)


def test_within_the_day():
    assert due(at(2025, 3, 3, 9), 0) == at(2025, 3, 3, 17)
    # N = 0 received exactly at 17:00 on Monday → 17:00 on the next working day.
    assert due(at(2025, 3, 3, 17), 0) == at(2025, 3, 4, 17)
    assert due(at(2025, 3, 7, 17), 0) == at(2025, 3, 10, 17)


def test_cutoff_exactly_at_and_after():
    assert due(at(2026, 4, 23, 15, 0), 0, cutoff=time(15)) == at(2026, 4, 24, 17)
    assert due(at(2026, 4, 23, 15, 10), 0, cutoff=time(15)) == at(2026, 4, 24, 17)
    assert due(at(2026, 4, 23, 14, 59), 0, cutoff=time(15)) == at(2026, 4, 23, 17)
    # Friday 24 Apr 08:00 + 2 working days: Mon 27 Apr is Giỗ Tổ (compensated), so Tue 28 Apr 17:00.
    assert due(at(2026, 4, 23, 15, 0), 2, cutoff=time(15)) == at(2026, 4, 28, 17)
    assert due(at(2026, 4, 23, 14, 0), 2, cutoff=time(15)) == at(2026, 4, 28, 14)


# --- rule 3: working hours -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "n", "expected"),
    [
        (at(2025, 3, 3, 10), 3, at(2025, 3, 3, 14)),  # lunch skipped
        (at(2025, 3, 3, 16), 2, at(2025, 3, 4, 9)),
        (at(2025, 3, 3, 16), 1, at(2025, 3, 3, 17)),  # lands on closing
        (at(2025, 3, 3, 12, 0), 4, at(2025, 3, 3, 17)),
        (at(2025, 3, 3, 10), 0, at(2025, 3, 3, 10)),  # zero hours: the effective start
        (at(2025, 3, 3, 18), 0, at(2025, 3, 4, 8)),
        (at(2025, 3, 3, 9), 40, at(2025, 3, 10, 9)),  # 40 h = 5 working days
    ],
)
def test_working_hours(received, n, expected):
    assert due(received, n, WH) == expected


# --- rule 4: calendar days -----------------------------------------------------------------------------------------


def test_calendar_days():
    friday = at(2025, 3, 7, 10)
    assert due(friday, 2, CD) == at(2025, 3, 10, 17)  # Sunday → close of Monday
    assert due(friday, 3, CD) == at(2025, 3, 10, 10)  # Monday, same clock time
    assert due(friday, 1, CD, cutoff=time(9)) == at(2025, 3, 10, 17)  # no cut-off applies
    assert due(at(2025, 1, 20, 9), 8, CD) == at(2025, 2, 3, 17)  # 28 Jan is in Tết → first working day after
    assert due(at(2025, 3, 3, 22), 1, CD) == at(2025, 3, 4, 22)  # same clock time even after hours
    result = CALENDAR.due_date(friday, 3, CD)
    assert result.effective_start == friday


def test_calendar_day_zero_is_within_the_day():
    assert due(at(2025, 3, 3, 9), 0, CD) == at(2025, 3, 3, 17)
    assert due(at(2025, 3, 3, 17), 0, CD) == at(2025, 3, 4, 17)


# --- other schedules -----------------------------------------------------------------------------------------------


def test_summer_schedule_of_seven_and_a_half_hours():
    assert SUMMER_CALENDAR.schedule_on(date(2025, 6, 2)).length == timedelta(hours=7, minutes=30)
    assert due(at(2025, 6, 2, 9), 1, calendar=SUMMER_CALENDAR) == at(2025, 6, 3, 9)
    assert due(at(2025, 6, 2, 7, 30), 8, WH, calendar=SUMMER_CALENDAR) == at(2025, 6, 3, 8)
    assert due(at(2025, 6, 2, 7, 0), 1, calendar=SUMMER_CALENDAR) == at(2025, 6, 2, 17)
    assert SUMMER_CALENDAR.effective_start(at(2025, 6, 2, 11, 30)) == at(2025, 6, 2, 13, 30)
    assert SUMMER_CALENDAR.effective_start(at(2025, 6, 2, 17, 0)) == at(2025, 6, 3, 7, 30)


def test_schedule_in_force_on_each_date():
    assert SWITCHING_CALENDAR.schedule_on(date(2025, 4, 30)) == Schedule.default()
    assert SWITCHING_CALENDAR.schedule_on(date(2025, 5, 1)).length == timedelta(hours=7.5)
    assert SWITCHING_CALENDAR.schedule_on(date(1990, 1, 1)) == Schedule.default()
    # 1 working day received in summer = 7.5 h; Friday 16:00 + 7.5 h = 1 h Fri + 4 h 07:30–11:30 + 2.5 h → 16:00.
    assert due(at(2025, 6, 6, 16), 1, calendar=SWITCHING_CALENDAR) == at(2025, 6, 9, 16)
    # A walk across the switch-over uses each day's own hours: Tue 30 Sep 16:00 + 2 h → Wed 1 Oct 09:00.
    assert due(at(2025, 9, 30, 16), 2, WH, calendar=SWITCHING_CALENDAR) == at(2025, 10, 1, 9)


def test_schedule_validation():
    with pytest.raises(ValueError, match="at least one"):
        Schedule(())
    with pytest.raises(ValueError, match="end after"):
        Schedule(((time(12), time(8)),))
    with pytest.raises(ValueError, match="overlap"):
        Schedule(((time(8), time(12)), (time(11), time(17))))


# --- working time between, clock stops ------------------------------------------------------------------------------


def test_working_time_between():
    assert CALENDAR.working_time_between(at(2025, 3, 3, 10), at(2025, 3, 4, 10)) == timedelta(hours=8)
    assert CALENDAR.working_time_between(at(2025, 3, 3, 11), at(2025, 3, 3, 14)) == timedelta(hours=2)
    assert CALENDAR.working_time_between(at(2025, 3, 8, 0), at(2025, 3, 9, 23)) == timedelta(0)
    assert CALENDAR.working_time_between(at(2025, 3, 4, 10), at(2025, 3, 3, 10)) == -timedelta(hours=8)
    # Over the year end: 31 Dec 2025 16:00–17:00 plus 2 Jan 2026 08:00–09:00 (1 Jan is off).
    assert CALENDAR.working_time_between(at(2025, 12, 31, 16), at(2026, 1, 2, 9)) == timedelta(hours=2)
    assert CALENDAR.working_time_between(at(2025, 1, 20, 9), at(2025, 2, 3, 9)) == timedelta(hours=40)


def test_add_working_time():
    assert CALENDAR.add_working_time(at(2025, 3, 3, 10), timedelta(0)) == at(2025, 3, 3, 10)
    assert CALENDAR.add_working_time(at(2025, 3, 3, 10), timedelta(minutes=90)) == at(2025, 3, 3, 11, 30)
    assert CALENDAR.add_working_time(at(2025, 3, 8, 10), timedelta(hours=1)) == at(2025, 3, 10, 9)
    with pytest.raises(ValueError):
        CALENDAR.add_working_time(at(2025, 3, 3, 10), timedelta(hours=-1))


def test_shift_by_stops_working_units():
    original = at(2025, 3, 10, 9)
    # A supplement request from Tue 16:00 to Wed 09:00: 1 h + 1 h of working time → +2 h.
    stops = [(at(2025, 3, 4, 16), at(2025, 3, 5, 9))]
    assert CALENDAR.shift_by_stops(original, stops, WD) == at(2025, 3, 10, 11)
    # Overlapping stops are merged, never counted twice.
    overlapping = [*stops, (at(2025, 3, 4, 16, 30), at(2025, 3, 4, 17))]
    assert CALENDAR.shift_by_stops(original, overlapping, WH) == at(2025, 3, 10, 11)
    # A stop over a weekend only moves by its working time.
    assert CALENDAR.shift_by_stops(original, [(at(2025, 3, 7, 17), at(2025, 3, 10, 8))], WD) == original
    assert CALENDAR.shift_by_stops(original, [], WD) == original
    # Moving past closing continues at the next opening.
    assert CALENDAR.shift_by_stops(at(2025, 3, 10, 17), stops, WD) == at(2025, 3, 11, 10)


def test_shift_by_stops_calendar_days():
    original = at(2025, 3, 10, 17)
    stops = [(at(2025, 3, 4, 16), at(2025, 3, 6, 16)), (at(2025, 3, 5, 0), at(2025, 3, 5, 1))]
    assert CALENDAR.shift_by_stops(original, stops, CD) == at(2025, 3, 12, 17)


def test_stops_validation_and_timeliness():
    with pytest.raises(ValueError, match="before it starts"):
        merge_stops([(at(2025, 3, 5), at(2025, 3, 4))])
    with pytest.raises(ValueError, match="pair"):
        merge_stops([at(2025, 3, 5)])
    with pytest.raises(ValueError, match="aware"):
        merge_stops([(datetime(2025, 3, 4), datetime(2025, 3, 5))])
    stops = [(at(2025, 3, 4, 16), at(2025, 3, 5, 16))]
    assert waiting_time(stops) == timedelta(days=1)
    assert is_on_time(at(2025, 3, 10, 17), at(2025, 3, 11, 17), stops)
    assert not is_on_time(at(2025, 3, 10, 17), at(2025, 3, 11, 17, 1), stops)


# --- bad input -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((datetime(2025, 1, 20, 9), 5, WD), "time zone"),
        (("2025-01-20T09:00", 5, WD), "Expected a date and time"),
        ((at(2025, 1, 20, 9), -1, WD), "negative"),
        ((at(2025, 1, 20, 9), 1.5, WD), "whole number"),
        ((at(2025, 1, 20, 9), True, WD), "whole number"),
        ((at(2025, 1, 20, 9), "5", WD), "whole number"),
        ((at(2025, 1, 20, 9), 5, "fortnight"), "Unknown unit"),
        ((at(2025, 1, 20, 9), 10**12, WD), "too far"),
        ((at(2025, 1, 20, 9), 10**6, CD), "too far"),
        ((datetime(9999, 12, 30, 9, tzinfo=TZ), 5, WD), "future|range"),
        ((datetime(9999, 12, 30, 9, tzinfo=TZ), 5, CD), "range"),
    ],
)
def test_bad_arguments_raise_value_error(args, message):
    with pytest.raises(ValueError, match=message):
        CALENDAR.due_date(*args)


def test_bad_cutoff():
    with pytest.raises(ValueError, match="cut-off"):
        CALENDAR.due_date(at(2025, 1, 20, 9), 1, WD, "15:00")
    with pytest.raises(ValueError, match="cut-off"):
        CALENDAR.due_date(at(2025, 1, 20, 9), 1, WD, time(15, tzinfo=TZ))


def test_calendar_construction():
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar({date(2025, 3, 8)}, {date(2025, 3, 8)})
    with pytest.raises(ValueError, match="dates"):
        WorkingCalendar({datetime(2025, 3, 3, tzinfo=TZ)})
    plain = WorkingCalendar()
    assert plain.is_working_day(date(2025, 1, 1))  # no holidays known
    assert not plain.is_working_day(date(2025, 3, 8))
    assert plain == WorkingCalendar(tz="Asia/Ho_Chi_Minh")
    assert hash(plain) == hash(WorkingCalendar())
    # A Saturday listed as a day off, or a Tuesday listed as a working day, changes nothing.
    odd = WorkingCalendar({date(2025, 3, 8)}, {date(2025, 3, 4)})
    assert odd.is_working_day(date(2025, 3, 4)) and not odd.is_working_day(date(2025, 3, 8))


def test_is_working_day():
    assert CALENDAR.is_working_day(date(2024, 5, 4))  # make-up Saturday
    assert CALENDAR.is_working_day(date(2025, 4, 26))
    assert not CALENDAR.is_working_day(date(2025, 1, 27))  # Tết
    assert not CALENDAR.is_working_day(date(2025, 3, 9))  # Sunday
    assert not CALENDAR.is_working_day(date(2015, 2, 19))  # Tết 2015
    assert CALENDAR.is_working_day(at(2025, 3, 3, 23, 30))  # a datetime is read in local time
    assert not CALENDAR.is_working_day(datetime(2025, 3, 7, 17, 30, tzinfo=UTC))  # Saturday 00:30 local
