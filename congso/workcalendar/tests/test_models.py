"""Model invariants and the admin pages."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from congso.workcalendar.choices import DayKind, DayStatus
from congso.workcalendar.models import CalendarDay, WorkSchedule

pytestmark = pytest.mark.django_db


def test_day_off_must_be_a_weekday_and_make_up_day_a_weekend():
    with pytest.raises(ValidationError):
        CalendarDay(date=date(2025, 3, 8), kind=DayKind.DAY_OFF, name="x").full_clean()
    with pytest.raises(ValidationError):
        CalendarDay(date=date(2025, 3, 4), kind=DayKind.WORKING_DAY, name="x").full_clean()
    CalendarDay(date=date(2025, 3, 8), kind=DayKind.WORKING_DAY, name="Ngày làm bù").full_clean()


def test_date_is_unique():
    with pytest.raises(ValidationError):
        CalendarDay(date=date(2025, 1, 1), kind=DayKind.DAY_OFF, name="again").full_clean()


def test_work_schedule_order_and_length():
    summer = WorkSchedule(
        name="Hè",
        valid_from=date(2030, 5, 1),
        morning_start=time(7, 30),
        morning_end=time(11, 30),
        afternoon_start=time(13, 30),
        afternoon_end=time(17),
    )
    summer.full_clean()
    assert summer.to_schedule().length.total_seconds() == 7.5 * 3600
    summer.afternoon_start = time(11)
    with pytest.raises(ValidationError):
        summer.full_clean()


def test_admin_changelist_and_filters(admin_client):
    response = admin_client.get("/admin/workcalendar/calendarday/", {"year": "2025", "status": "official"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 13
    assert admin_client.get("/admin/workcalendar/calendarday/", {"q": "Tết"}).status_code == 200
    assert admin_client.get("/admin/workcalendar/workschedule/").status_code == 200


def test_admin_mark_official_action(admin_client):
    row = CalendarDay.objects.get(date=date(2026, 11, 24))
    response = admin_client.post(
        "/admin/workcalendar/calendarday/",
        {"action": "mark_official", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == DayStatus.OFFICIAL
