"""The due-date engine (tính ngày hẹn trả kết quả): pure computations, no database access.

Every deadline of the one-stop system (ngày hẹn trả kết quả, per-step deadlines, feedback deadlines) is computed
here, from a `WorkingCalendar` value object that a thin loader (`services.get_calendar()`) builds from the editable
tables. The convention is the one of /docs/calendar.md (§1–§5 of the domain specification), followed to the letter:

* working blocks are half-open for the start, e.g. [08:00, 12:00) and [13:00, 17:00): a receipt at exactly 12:00
  starts at 13:00, one at exactly 17:00 is after closing;
* a due instant may land on a block's end (12:00, 17:00) and stays there;
* a cut-off (giờ tiếp nhận muộn nhất) is "at or after the cut-off counts as after it".

The engine is called millions of times by statistics and generators, so it never walks minute by minute: each year
is indexed once (working days and the running total of working time) and a walk jumps over whole days and whole
years with `bisect`. All arithmetic is done in integer microseconds of local wall time, so there is no rounding.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from congso.workcalendar.units import DurationUnit

DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"
#: Weekly rest days (ngày nghỉ hằng tuần) of state agencies: Saturday and Sunday (`date.weekday()` numbers).
DEFAULT_WEEKEND = frozenset({5, 6})
#: A walk that would end more than this many years after its start is refused: it is a typing error, not a deadline,
#: and refusing it keeps hostile input (duration = 10**12) from looping.
MAX_YEARS_AHEAD = 200

_US_PER_SECOND = 1_000_000
_ONE_US = timedelta(microseconds=1)


def _time_us(value: time) -> int:
    """Microseconds since local midnight of a wall-clock time."""
    return ((value.hour * 60 + value.minute) * 60 + value.second) * _US_PER_SECOND + value.microsecond


@dataclass(frozen=True)
class Schedule:
    """The working hours of one day (giờ làm việc): ordered, non-overlapping half-open blocks of local time.

    The default is 08:00–12:00 and 13:00–17:00 (8 hours); a summer schedule may be e.g. 07:30–11:30, 13:30–17:00
    (7.5 hours). "One working day" of a duration is always the length of the schedule in force.
    """

    blocks: tuple[tuple[time, time], ...]
    spans: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    length_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        blocks = tuple((start, end) for start, end in self.blocks)
        if not blocks:
            raise ValueError(_("A work schedule needs at least one block of working hours."))
        previous_end = -1
        for start, end in blocks:
            if not isinstance(start, time) or not isinstance(end, time):
                raise ValueError(_("Working hours must be times of day."))
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError(_("Working hours are local wall-clock times and must not carry a time zone."))
            if not start < end:
                raise ValueError(_("Each block of working hours must end after it starts."))
            if _time_us(start) < previous_end:
                raise ValueError(_("Blocks of working hours must be in order and must not overlap."))
            previous_end = _time_us(end)
        spans = tuple((_time_us(start), _time_us(end)) for start, end in blocks)
        object.__setattr__(self, "blocks", blocks)
        object.__setattr__(self, "spans", spans)
        object.__setattr__(self, "length_us", sum(end - start for start, end in spans))

    @classmethod
    def default(cls) -> Schedule:
        return cls(((time(8), time(12)), (time(13), time(17))))

    @property
    def length(self) -> timedelta:
        """Working time of one day under this schedule (8 hours by default)."""
        return timedelta(microseconds=self.length_us)

    @property
    def opening(self) -> time:
        return self.blocks[0][0]

    @property
    def closing(self) -> time:
        return self.blocks[-1][1]


@dataclass(frozen=True)
class DueDate:
    """The result of a due-date computation: receipt, effective start of the count and the appointment (ngày hẹn)."""

    received: datetime
    effective_start: datetime
    due_at: datetime


class WorkingCalendar:
    """Which days are worked and during which hours (lịch làm việc), as an immutable value object.

    `days_off` are weekdays that are not worked (holidays, compensation days, swapped days); `working_days` are
    make-up Saturdays/Sundays that are worked (ngày làm bù). `schedule` is one `Schedule`, or a mapping / sequence of
    `(valid_from, Schedule)`: the schedule in force on a date is the one with the latest `valid_from` not after it
    (the earliest one also covers the dates before it). `tz` is the local time zone of the rules.

    Instances are safe to share between threads: the per-year indexes they build lazily are idempotent.
    """

    __slots__ = ("days_off", "working_days", "schedules", "tz", "weekend", "_starts", "_years", "_lock")

    def __init__(
        self,
        days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
        schedule: Schedule | Mapping[date, Schedule] | Sequence[tuple[date, Schedule]] | None = None,
        tz: tzinfo | str = DEFAULT_TIME_ZONE,
        weekend: Iterable[int] = DEFAULT_WEEKEND,
    ):
        self.days_off = frozenset(_as_date(d) for d in days_off)
        self.working_days = frozenset(_as_date(d) for d in working_days)
        both = self.days_off & self.working_days
        if both:
            raise ValueError(
                _("A date cannot be both a day off and a working day: %(dates)s.")
                % {"dates": ", ".join(d.isoformat() for d in sorted(both))}
            )
        if schedule is None:
            schedule = Schedule.default()
        if isinstance(schedule, Schedule):
            pairs = [(date.min, schedule)]
        else:
            pairs = sorted((schedule.items() if isinstance(schedule, Mapping) else schedule), key=lambda p: p[0])
            if not pairs:
                pairs = [(date.min, Schedule.default())]
            for valid_from, item in pairs:
                if not isinstance(item, Schedule) or not isinstance(valid_from, date):
                    raise ValueError(_("Schedules must be given as (valid from, Schedule) pairs."))
        self.schedules: tuple[tuple[date, Schedule], ...] = tuple((_as_date(d), s) for d, s in pairs)
        self._starts = [d for d, _s in self.schedules]
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.weekend = frozenset(weekend)
        self._years: dict[int, tuple[list[int], list[int]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(days_off={len(self.days_off)}, working_days={len(self.working_days)}, "
            f"schedules={len(self.schedules)}, tz={self.tz})"
        )

    def __eq__(self, other) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self):
        return (self.days_off, self.working_days, self.schedules, str(self.tz), self.weekend)

    # --- days ---------------------------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True for a weekday that is not a day off, and for a make-up Saturday/Sunday."""
        day = self._date_of(day)
        if day.weekday() in self.weekend:
            return day in self.working_days
        return day not in self.days_off

    def schedule_on(self, day: date) -> Schedule:
        """The work schedule in force on `day`."""
        if len(self.schedules) == 1:
            return self.schedules[0][1]
        # The last schedule starting on or before the day; the earliest one also covers the days before it.
        index = bisect_right(self._starts, self._date_of(day)) - 1
        return self.schedules[max(index, 0)][1]

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day = self._date_of(day)
        if day == date.max:
            raise ValueError(_("The appointment would be beyond the supported range of dates."))
        ordinal = day.toordinal() + 1
        year = first_year = date.fromordinal(ordinal).year
        while True:
            ordinals, _cum = self._year(year)
            index = bisect_left(ordinals, ordinal)
            if index < len(ordinals):
                return date.fromordinal(ordinals[index])
            year = self._next_year(year, first_year)
            ordinal = date(year, 1, 1).toordinal()

    def opening(self, day: date) -> datetime:
        """Start of the first working block of `day` (08:00 by default), local time."""
        day = self._date_of(day)
        return self._at(day, self.schedule_on(day).spans[0][0])

    def closing(self, day: date) -> datetime:
        """End of the last working block of `day` (17:00 by default), local time."""
        day = self._date_of(day)
        return self._at(day, self.schedule_on(day).spans[-1][1])

    # --- the rules ----------------------------------------------------------------------------------------------

    def effective_start(self, received: datetime, cutoff: time | None = None) -> datetime:
        """Rule 1: the moment the count starts (thời điểm bắt đầu tính thời hạn).

        Inside a working block of a working day and strictly before the cut-off: the receipt itself. Before opening:
        that day's opening. In a gap between blocks (lunch): the next block's start. After closing, at or after the
        cut-off, or on a day that is not worked: the opening of the next working day.
        """
        local = self._local(received)
        cutoff_us = _time_us(_check_cutoff(cutoff)) if cutoff is not None else None
        day = local.date()
        moment = _time_us(local.time())
        if self.is_working_day(day) and (cutoff_us is None or moment < cutoff_us):
            for start, end in self.schedule_on(day).spans:
                if moment < start:
                    return self._at(day, start)
                if moment < end:
                    return local
        return self.opening(self.next_working_day(day))

    def due_date(
        self, received: datetime, duration: int, unit: DurationUnit | str, cutoff: time | None = None
    ) -> DueDate:
        """Rules 1–4: the appointment for a dossier received at `received` with a duration of `duration` `unit`s.

        * `working_day`, N ≥ 1: N × (length of the schedule in force on the effective start's day) of working time
          added to the effective start;
        * `working_hour`: N hours of working time added to the effective start (N = 0: the effective start);
        * `calendar_day`, N ≥ 1: the same clock time N calendar days after the receipt (no cut-off); if that day is
          not worked, the close of the next working day (Civil Code art. 148(5));
        * N = 0 with `working_day` or `calendar_day` ("trong ngày"): the close of the effective start's day.
        """
        local = self._local(received)
        count = _check_duration(duration)
        unit = _check_unit(unit)
        cutoff = _check_cutoff(cutoff)

        if unit == DurationUnit.CALENDAR_DAY and count > 0:
            try:
                target = local.date() + timedelta(days=count)
            except OverflowError:
                raise ValueError(_("The appointment would be beyond the supported range of dates.")) from None
            if target.year - local.year > MAX_YEARS_AHEAD:
                raise ValueError(_("The appointment would be too far in the future."))
            if self.is_working_day(target):
                due = self._at(target, _time_us(local.time()))
            else:
                due = self.closing(self.next_working_day(target))
            return DueDate(local, local, due)

        start = self.effective_start(local, cutoff)
        if count == 0 and unit != DurationUnit.WORKING_HOUR:
            due = self.closing(start.date())
        elif unit == DurationUnit.WORKING_DAY:
            due = self._add_us(start, count * self.schedule_on(start.date()).length_us)
        else:
            due = self._add_us(start, count * 3600 * _US_PER_SECOND)
        return DueDate(local, start, due)

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant at which `amount` of working time has elapsed since `start` (local time).

        Only working hours of working days count. Landing exactly on a block's end gives that end (12:00, 17:00),
        never the next opening. A zero amount gives `start` itself.
        """
        if not isinstance(amount, timedelta):
            raise ValueError(_("The amount of working time must be a timedelta."))
        if amount < timedelta(0):
            raise ValueError(_("The amount of working time must not be negative."))
        return self._add_us(self._local(start), amount // _ONE_US)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time inside [start, end) — e.g. inside a clock stop. Negative when `end` is before `start`."""
        a, b = self._local(start), self._local(end)
        if b < a:
            return -self.working_time_between(b, a)
        total = 0
        for year in range(a.year, b.year):
            total += self._year(year)[1][-1]
        return timedelta(microseconds=total + self._offset_in_year(b) - self._offset_in_year(a))

    def shift_by_stops(
        self, original_due: datetime, stops: Iterable[tuple[datetime, datetime]], unit: DurationUnit | str
    ) -> datetime:
        """Rule 5: the current appointment — the original moved forward by the time that fell inside the stops.

        Working units move by the working time inside the stop intervals, `calendar_day` by the elapsed time.
        Overlapping stops are merged first, so no time is counted twice. Always computed from the original
        appointment, never stacked on a previous shift.
        """
        unit = _check_unit(unit)
        original = self._local(original_due)
        merged = merge_stops(stops)
        if unit == DurationUnit.CALENDAR_DAY:
            return (original + sum((end - begin for begin, end in merged), timedelta(0))).astimezone(self.tz)
        moved = sum((self.working_time_between(begin, end) for begin, end in merged), timedelta(0))
        return self.add_working_time(original, moved)

    # --- internals ----------------------------------------------------------------------------------------------

    def _local(self, value: datetime) -> datetime:
        if not isinstance(value, datetime):
            raise ValueError(_("Expected a date and time, got %(type)s.") % {"type": type(value).__name__})
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                _("The date and time %(value)s has no time zone; give an aware datetime.")
                % {"value": value.isoformat()}
            )
        return value.astimezone(self.tz)

    def _date_of(self, value: date) -> date:
        if isinstance(value, datetime):
            return self._local(value).date()
        if not isinstance(value, date):
            raise ValueError(_("Expected a date, got %(type)s.") % {"type": type(value).__name__})
        return value

    def _at(self, day: date, micros: int) -> datetime:
        """The local instant `micros` microseconds after midnight of `day`."""
        return (datetime(day.year, day.month, day.day) + timedelta(microseconds=micros)).replace(tzinfo=self.tz)

    def _next_year(self, year: int, first_year: int) -> int:
        year += 1
        if year - first_year > MAX_YEARS_AHEAD or year > date.max.year:
            raise ValueError(_("The appointment would be too far in the future."))
        return year

    def _year(self, year: int) -> tuple[list[int], list[int]]:
        """Index of one year: the ordinals of its working days and the running total of their working time.

        `cum[i]` is the working time (µs) of the year's working days before the i-th one; `cum[-1]` the year's total.
        """
        table = self._years.get(year)
        if table is None:
            ordinals: list[int] = []
            cum = [0]
            total = 0
            first = date(year, 1, 1).toordinal()
            last = date(year, 12, 31).toordinal()
            weekend, days_off, working_days = self.weekend, self.days_off, self.working_days
            for ordinal in range(first, last + 1):
                day = date.fromordinal(ordinal)
                if (day in working_days) if day.weekday() in weekend else (day not in days_off):
                    total += self.schedule_on(day).length_us
                    ordinals.append(ordinal)
                    cum.append(total)
            table = (ordinals, cum)
            with self._lock:
                self._years[year] = table
        return table

    def _offset_in_year(self, local: datetime) -> int:
        """Working time (µs) from the start of the local year up to the instant `local`."""
        day = local.date()
        ordinals, cum = self._year(day.year)
        ordinal = day.toordinal()
        index = bisect_left(ordinals, ordinal)
        offset = cum[index]
        if index < len(ordinals) and ordinals[index] == ordinal:
            moment = _time_us(local.time())
            for start, end in self.schedule_on(day).spans:
                if moment <= start:
                    break
                offset += min(moment, end) - start
        return offset

    def _add_us(self, local: datetime, remaining: int) -> datetime:
        if remaining == 0:
            return local
        day = local.date()
        # The rest of the starting day.
        if self.is_working_day(day):
            moment = _time_us(local.time())
            for start, end in self.schedule_on(day).spans:
                if moment < end:
                    begin = max(start, moment)
                    if remaining <= end - begin:
                        return self._at(day, begin + remaining)
                    remaining -= end - begin
        # Then whole days, whole years at a time; refuse at once what could not fit in the allowed span.
        if remaining > (MAX_YEARS_AHEAD + 1) * 366 * 86_400 * _US_PER_SECOND:
            raise ValueError(_("The appointment would be too far in the future."))
        if day == date.max:
            raise ValueError(_("The appointment would be beyond the supported range of dates."))
        ordinal = day.toordinal() + 1
        year = first_year = date.fromordinal(ordinal).year
        while True:
            ordinals, cum = self._year(year)
            index = bisect_left(ordinals, ordinal)
            target = cum[index] + remaining
            if target <= cum[-1]:
                found = bisect_left(cum, target) - 1  # cum[found] < target <= cum[found + 1]
                hit = date.fromordinal(ordinals[found])
                left = target - cum[found]
                for start, end in self.schedule_on(hit).spans:
                    if left <= end - start:
                        return self._at(hit, start + left)
                    left -= end - start
            remaining = target - cum[-1]
            year = self._next_year(year, first_year)
            ordinal = date(year, 1, 1).toordinal()


def merge_stops(stops: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Clock stops (thời gian tạm dừng) sorted and merged where they overlap or touch; each must end after it starts."""
    intervals = []
    for stop in stops:
        try:
            begin, end = stop
        except (TypeError, ValueError):
            raise ValueError(_("Each clock stop must be a (start, end) pair.")) from None
        for value in (begin, end):
            if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(_("Clock stops must be timezone-aware datetimes."))
        if end < begin:
            raise ValueError(_("A clock stop cannot end before it starts."))
        intervals.append((begin, end))
    intervals.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in intervals:
        if merged and begin <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged


def waiting_time(stops: Iterable[tuple[datetime, datetime]]) -> timedelta:
    """Elapsed calendar time inside the clock stops (merged), used for timeliness by the national portal's rule."""
    return sum((end - begin for begin, end in merge_stops(stops)), timedelta(0))


def is_on_time(original_due: datetime, finished_at: datetime, stops: Iterable[tuple[datetime, datetime]] = ()) -> bool:
    """Rule 5, timeliness (đúng hạn): the end minus the elapsed waiting time, compared with the original appointment."""
    for value in (original_due, finished_at):
        if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(_("Expected timezone-aware datetimes."))
    return finished_at - waiting_time(stops) <= original_due


def _as_date(value) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(_("Days off and working days must be dates."))
    return value


def _check_duration(duration) -> int:
    if isinstance(duration, bool) or not isinstance(duration, int):
        raise ValueError(_("The duration must be a whole number, got %(value)r.") % {"value": duration})
    if duration < 0:
        raise ValueError(_("The duration must not be negative."))
    return duration


def _check_unit(unit) -> DurationUnit:
    try:
        return DurationUnit(unit)
    except ValueError:
        raise ValueError(
            _("Unknown unit %(unit)r; use one of: %(units)s.") % {"unit": unit, "units": ", ".join(DurationUnit.values)}
        ) from None


def _check_cutoff(cutoff) -> time | None:
    if cutoff is None:
        return None
    if not isinstance(cutoff, time):
        raise ValueError(_("The cut-off must be a time of day, e.g. 15:00."))
    if cutoff.tzinfo is not None:
        raise ValueError(_("The cut-off is a local wall-clock time and must not carry a time zone."))
    return cutoff


__all__ = [
    "DEFAULT_TIME_ZONE",
    "DueDate",
    "MAX_YEARS_AHEAD",
    "Schedule",
    "WorkingCalendar",
    "is_on_time",
    "merge_stops",
    "waiting_time",
]
