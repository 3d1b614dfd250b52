"""Shared test helpers: a calendar built from the seed data without a database, and local instants."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from congso.workcalendar import seeding
from congso.workcalendar.choices import DayKind
from congso.workcalendar.engine import Schedule, WorkingCalendar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SUMMER = Schedule(((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))))


def at(year, month, day, hour=0, minute=0, second=0) -> datetime:
    """A local (Asia/Ho_Chi_Minh) aware instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


def seeded_calendar(schedule=None) -> WorkingCalendar:
    """The calendar a fresh database would have (official 2024–2026, generated 2015–2030), built purely."""
    rows = seeding.seed_days()
    return WorkingCalendar(
        {row.date for row in rows if row.kind == DayKind.DAY_OFF},
        {row.date for row in rows if row.kind == DayKind.WORKING_DAY},
        schedule,
        tz=TZ,
    )


CALENDAR = seeded_calendar()
SUMMER_CALENDAR = seeded_calendar(SUMMER)
# Standard hours, then a summer schedule from 1 May 2025, back to standard from 1 Oct 2025.
SWITCHING_CALENDAR = seeded_calendar(
    [(date(2000, 1, 1), Schedule.default()), (date(2025, 5, 1), SUMMER), (date(2025, 10, 1), Schedule.default())]
)
