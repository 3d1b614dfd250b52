"""Properties of the working units (working_day, working_hour) over random receipts 2015–2030. Pure: no database.

calendar_day is deliberately left out of monotonicity: Fri + 2 → Mon 17:00 but Fri + 3 → Mon same time.
"""

from datetime import datetime, time, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from congso.workcalendar.engine import WorkingCalendar
from congso.workcalendar.tests.helpers import CALENDAR, SUMMER_CALENDAR, SWITCHING_CALENDAR, TZ

calendars = st.sampled_from([CALENDAR, SUMMER_CALENDAR, SWITCHING_CALENDAR])
receipts = st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2030, 6, 30)).map(
    lambda value: value.replace(tzinfo=TZ)
)
units = st.sampled_from(["working_day", "working_hour"])
durations = st.integers(min_value=0, max_value=60)
cutoffs = st.none() | st.times(min_value=time(6), max_value=time(18)).map(lambda value: value.replace(microsecond=0))


def _inside_working_hours(calendar: WorkingCalendar, instant: datetime) -> bool:
    """On a working day, within a block — its end included (a due instant may land on 12:00 or 17:00)."""
    local = instant.astimezone(calendar.tz)
    if not calendar.is_working_day(local.date()):
        return False
    moment = local.time()
    return any(start <= moment <= end for start, end in calendar.schedule_on(local.date()).blocks)


@given(calendars, receipts, durations, units, cutoffs)
def test_due_is_a_working_moment_not_before_the_start(calendar, received, n, unit, cutoff):
    result = calendar.due_date(received, n, unit, cutoff)
    assert result.received <= result.effective_start <= result.due_at
    assert _inside_working_hours(calendar, result.effective_start)
    assert _inside_working_hours(calendar, result.due_at)
    assert result.due_at.utcoffset() == timedelta(hours=7)


@given(calendars, receipts, st.integers(min_value=1, max_value=60), units, cutoffs)
def test_the_walk_counts_exactly_the_duration(calendar, received, n, unit, cutoff):
    result = calendar.due_date(received, n, unit, cutoff)
    if unit == "working_day":
        expected = n * calendar.schedule_on(result.effective_start.date()).length
    else:
        expected = timedelta(hours=n)
    assert calendar.working_time_between(result.effective_start, result.due_at) == expected


@given(calendars, receipts, receipts, durations, units, cutoffs)
def test_monotone_in_the_receipt(calendar, first, second, n, unit, cutoff):
    early, late = sorted((first, second))
    if unit == "working_day":
        # One working day is the schedule in force at the start; across a schedule switch the lengths differ.
        assume(calendar.schedule_on(early.date()) == calendar.schedule_on(late.date()))
    assert calendar.due_date(early, n, unit, cutoff).due_at <= calendar.due_date(late, n, unit, cutoff).due_at


@given(calendars, receipts, durations, durations, units, cutoffs)
def test_monotone_in_the_duration(calendar, received, first, second, unit, cutoff):
    small, large = sorted((first, second))
    assert (
        calendar.due_date(received, small, unit, cutoff).due_at
        <= calendar.due_date(received, large, unit, cutoff).due_at
    )


@given(calendars, receipts, st.integers(min_value=0, max_value=200 * 3600))
def test_add_and_between_are_inverse(calendar, start, seconds):
    amount = timedelta(seconds=seconds)
    end = calendar.add_working_time(start, amount)
    assert end >= start
    assert calendar.working_time_between(start, end) == amount


@given(calendars, receipts, receipts, receipts)
def test_between_is_additive(calendar, a, b, c):
    a, b, c = sorted((a, b, c))
    assert calendar.working_time_between(a, b) + calendar.working_time_between(b, c) == calendar.working_time_between(
        a, c
    )


@given(
    receipts,
    st.integers(min_value=1, max_value=30),
    st.lists(st.tuples(receipts, st.integers(min_value=0, max_value=10 * 24 * 3600)), max_size=4),
)
def test_stops_never_bring_the_appointment_forward(received, n, raw_stops):
    original = CALENDAR.due_date(received, n, "working_day").due_at
    stops = [(begin, begin + timedelta(seconds=length)) for begin, length in raw_stops]
    shifted = CALENDAR.shift_by_stops(original, stops, "working_day")
    assert shifted >= original
    moved = sum((CALENDAR.working_time_between(a, b) for a, b in _merged(stops)), timedelta(0))
    assert CALENDAR.working_time_between(original, shifted) == moved


def _merged(stops):
    from congso.workcalendar.engine import merge_stops

    return merge_stops(stops)
