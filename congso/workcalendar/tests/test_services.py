"""The DB-backed loader: cached in the process, invalidated by edits."""

from datetime import date, time

import pytest

from congso.workcalendar import services
from congso.workcalendar.choices import DayKind
from congso.workcalendar.models import CalendarDay, WorkSchedule
from congso.workcalendar.tests.helpers import CALENDAR, at

pytestmark = pytest.mark.django_db


def test_loaded_calendar_equals_the_pure_seed():
    loaded = services.get_calendar()
    assert (loaded.days_off, loaded.working_days) == (CALENDAR.days_off, CALENDAR.working_days)
    assert loaded.schedule_on(date(2025, 1, 1)) == CALENDAR.schedule_on(date(2025, 1, 1))
    assert str(loaded.tz) == "Asia/Ho_Chi_Minh"


def test_cached_between_calls(django_assert_num_queries):
    services.get_calendar()
    with django_assert_num_queries(0):
        for _ in range(100):
            services.due_date(at(2025, 1, 20, 9), 5, "working_day")


def test_adding_a_day_off_changes_the_next_due_date():
    before = services.due_date(at(2025, 3, 3, 9), 1, "working_day").due_at
    assert before == at(2025, 3, 4, 9)
    CalendarDay.objects.create(date=date(2025, 3, 4), kind=DayKind.DAY_OFF, name="Nghỉ đột xuất")
    assert services.due_date(at(2025, 3, 3, 9), 1, "working_day").due_at == at(2025, 3, 5, 9)


def test_editing_a_calendar_day_changes_the_next_due_date():
    assert services.due_date(at(2025, 1, 20, 9), 5, "working_day").due_at == at(2025, 2, 3, 9)
    row = CalendarDay.objects.get(date=date(2025, 1, 31))
    row.active = False
    row.save()
    assert services.due_date(at(2025, 1, 20, 9), 5, "working_day").due_at == at(2025, 1, 31, 9)
    row.delete()
    assert services.due_date(at(2025, 1, 20, 9), 5, "working_day").due_at == at(2025, 1, 31, 9)


def test_editing_the_schedule_changes_the_next_due_date():
    assert services.due_date(at(2025, 6, 2, 7, 45), 0, "working_day").effective_start == at(2025, 6, 2, 8)
    WorkSchedule.objects.create(
        name="Giờ mùa hè",
        valid_from=date(2025, 5, 1),
        morning_start=time(7, 30),
        morning_end=time(11, 30),
        afternoon_start=time(13, 30),
        afternoon_end=time(17),
    )
    result = services.due_date(at(2025, 6, 2, 7, 45), 1, "working_day")
    assert result.effective_start == at(2025, 6, 2, 7, 45)
    assert result.due_at == at(2025, 6, 3, 7, 45)


def test_uncommitted_edits_never_reach_the_shared_cache():
    """Inside the edit's transaction the thread reads fresh; once it ends, the cache is rebuilt from the database."""
    services.get_calendar()
    CalendarDay.objects.create(date=date(2025, 3, 4), kind=DayKind.DAY_OFF, name="Nghỉ đột xuất")
    assert not services.get_calendar().is_working_day(date(2025, 3, 4))
    assert services._cached["calendar"] is None  # not stored while the transaction is open


def test_stale_cache_is_reloaded_after_the_time_limit(monkeypatch):
    services.get_calendar()
    CalendarDay.objects.filter(date=date(2025, 1, 31)).update(active=False)  # bulk update: no signal
    assert not services.get_calendar().is_working_day(date(2025, 1, 31))
    monkeypatch.setattr(services, "RELOAD_AFTER_SECONDS", 0.0)
    assert services.get_calendar().is_working_day(date(2025, 1, 31))
