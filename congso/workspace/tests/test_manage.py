"""Daily administration pages: internal processes per agency and calendar days (docs/desk-intake.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from congso.catalog.models import Process, ProcessStep
from congso.dossiers.services.common import compute_due
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import build_world, intake, make_procedure, make_user
from congso.org.choices import Role
from congso.org.models import Department
from congso.workcalendar.choices import DayKind, DayStatus
from congso.workcalendar.models import CalendarDay
from congso.workcalendar.services import get_calendar

INDEX = reverse("workspace:manage_index")
PROCESSES = reverse("workspace:manage_processes")
CALENDAR = reverse("workspace:manage_calendar")
CALENDAR_ADD = reverse("workspace:manage_calendar_add")


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def admins(world):
    return {
        "justice": make_user("jadmin", world.justice, Role.ADMINISTRATOR),
        "finance": make_user("fadmin", world.finance, Role.ADMINISTRATOR),
        "province": make_user("padmin", world.root, Role.ADMINISTRATOR),
    }


def process_url(world, agency=None):
    version = world.procedure.versions.get()
    return reverse("workspace:manage_process", args=[version.pk, (agency or world.justice).pk])


def steps_post(rows, name="Quy trình", hours=8):
    data = {"name": name, "hours_per_day": str(hours), "steps-TOTAL_FORMS": str(len(rows)),
            "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "30"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{index}-{key}"] = "" if value is None else str(value)
    return data


def five_steps(shares=(0, 24, 8, 8, 0), names=None, **override):
    roles = [Role.DESK_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.AGENCY_LEADER, Role.DESK_OFFICER]
    names = names or ["Tiếp nhận", "Thẩm định", "Xem xét", "Ký duyệt", "Trả kết quả"]
    rows = [{"order": i, "name": n, "role": r, "department": "", "agency": "", "share": s}
            for i, (n, r, s) in enumerate(zip(names, roles, shares, strict=True), start=1)]
    for index, values in override.items():
        rows[int(index.split("_")[1])].update(values)
    return rows


def shares():
    return [s.share for s in ProcessStep.objects.filter(process__agency__code="000.00.03.H97").order_by("order")]


# --- permissions ----------------------------------------------------------------------------------------------------
def test_only_administrators_use_the_pages(client, world, admins):
    client.force_login(world.spec)
    assert client.get(INDEX).status_code == 403
    assert client.get(PROCESSES).status_code == 403
    assert client.post(process_url(world), steps_post(five_steps())).status_code == 403
    client.force_login(admins["justice"])
    assert client.get(INDEX).status_code == 200


def test_an_administrator_sees_and_edits_only_their_agencies_processes(client, world, admins):
    client.force_login(admins["justice"])
    page = client.get(PROCESSES).content.decode()
    assert "1.000001" in page
    assert client.get(process_url(world)).status_code == 200
    client.force_login(admins["finance"])
    assert "1.000001" not in client.get(PROCESSES).content.decode()
    assert client.get(process_url(world)).status_code == 404
    before = shares()
    assert client.post(process_url(world), steps_post(five_steps((0, 20, 12, 8, 0)))).status_code == 404
    assert shares() == before
    # The provincial administrator administers every agency below the provincial People's Committee.
    client.force_login(admins["province"])
    assert client.get(process_url(world)).status_code == 200


# --- validation -----------------------------------------------------------------------------------------------------
def test_shares_must_add_up_to_the_time_limit(client, world, admins):
    client.force_login(admins["justice"])
    before = shares()
    response = client.post(process_url(world), steps_post(five_steps((0, 20, 8, 8, 0))))
    assert response.status_code == 400
    assert response.context["errors"]  # the catalogue's own message (40 working hours expected, 36 given)
    assert "40" in " ".join(response.context["errors"]) and "36" in " ".join(response.context["errors"])
    assert shares() == before


def test_a_department_of_another_agency_is_refused(client, world, admins):
    elsewhere = Department.objects.create(agency=world.finance, code="CM", name="Phòng Chuyên môn Tài chính")
    client.force_login(admins["justice"])
    response = client.post(process_url(world), steps_post(five_steps(row_1={"department": elsewhere.pk})))
    assert response.status_code == 400
    assert shares() == [Decimal(s) for s in (0, 24, 8, 8, 0)]
    assert not ProcessStep.objects.filter(department=elsewhere).exists()


def test_a_step_needs_a_role_or_a_department(client, world, admins):
    client.force_login(admins["justice"])
    response = client.post(process_url(world), steps_post(five_steps(row_2={"role": ""})))
    assert response.status_code == 400 and "role" in response.context["formset"].forms[2].errors


def test_hostile_step_names_are_shown_escaped(client, world, admins):
    client.force_login(admins["justice"])
    names = ["<script>alert(1)</script>", "Thẩm định", "Xem xét", "Ký duyệt", "Trả kết quả"]
    response = client.post(process_url(world), steps_post(five_steps(names=names)))
    assert response.status_code == 302
    page = client.get(process_url(world)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_steps_are_reordered_added_and_removed(client, world, admins):
    client.force_login(admins["justice"])
    rows = five_steps((0, 20, 8, 8, 0))
    rows.append({"order": 2, "name": "Lấy ý kiến", "role": Role.SPECIALIST, "department": "", "agency": "",
                 "share": 8})  # equal orders keep the rows' order: after "Thẩm định"
    rows[3]["DELETE"] = "on"  # "Ký duyệt" goes; its 8 hours go to the specialist
    rows[1]["share"] = 24
    response = client.post(process_url(world), steps_post(rows))
    assert response.status_code == 302, response.context["errors"]
    steps = list(ProcessStep.objects.filter(process__agency=world.justice).order_by("order"))
    assert [(s.name, s.share) for s in steps] == [
        ("Tiếp nhận", 0), ("Thẩm định", 24), ("Lấy ý kiến", 8), ("Xem xét", 8), ("Trả kết quả", 0)]


# --- effect: new dossiers only ---------------------------------------------------------------------------------------
def test_a_changed_process_applies_to_new_dossiers_only(client, world, admins):
    received = create_dossier(intake(world), world.desk)
    client.force_login(admins["justice"])
    response = client.post(process_url(world), steps_post(five_steps((0, 20, 12, 8, 0))))
    assert response.status_code == 302
    received.refresh_from_db()
    assert [Decimal(step["share"]) for step in received.plan] == [0, 24, 8, 8, 0]
    new = create_dossier(intake(world), world.desk)
    assert [Decimal(step["share"]) for step in new.plan] == [0, 20, 12, 8, 0]


def test_the_default_process_is_created_when_there_is_none(client, world, admins):
    make_procedure("1.000002", world.justice, shares=())
    version = world.justice.procedure_implementations.get(version__procedure__code="1.000002").version
    client.force_login(admins["justice"])
    url = reverse("workspace:manage_process_default", args=[version.pk, world.justice.pk])
    assert client.post(url).status_code == 302
    process = Process.objects.get(version=version, agency=world.justice)
    assert sum(s.share for s in process.steps.all()) == 40 and process.is_default


# --- calendar -------------------------------------------------------------------------------------------------------
def next_working_weekday(after: dt.date, before: dt.date) -> dt.date:
    calendar = get_calendar()
    day = after + dt.timedelta(days=1)
    while day < before:
        if day.weekday() < 5 and calendar.is_working_day(day):
            return day
        day += dt.timedelta(days=1)
    raise AssertionError("no working weekday in the window")


def test_only_a_provincial_administrator_edits_the_calendar(client, world, admins):
    client.force_login(admins["justice"])
    page = client.get(CALENDAR)
    assert page.status_code == 200 and CALENDAR_ADD not in page.content.decode()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert client.post(CALENDAR_ADD, {"date": tomorrow.isoformat(), "kind": "day_off", "name": "x",
                                      "status": "official", "active": "on"}).status_code == 403
    client.force_login(admins["province"])
    assert CALENDAR_ADD in client.get(CALENDAR).content.decode()


def test_a_new_day_off_moves_new_appointments_only(client, world, admins):
    received = create_dossier(intake(world), world.desk)
    stored_due = received.due_at
    day = next_working_weekday(max(timezone.localdate(), received.effective_start.date()) - dt.timedelta(days=1),
                               timezone.localtime(stored_due).date())
    client.force_login(admins["province"])
    response = client.post(CALENDAR_ADD, {"date": day.isoformat(), "kind": DayKind.DAY_OFF,
                                          "name": "Nghỉ <b>bão</b>", "status": DayStatus.OFFICIAL,
                                          "note": "Công điện số 1", "active": "on"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    row = CalendarDay.objects.get(date=day)
    assert row.name == "Nghỉ <b>bão</b>" and not row.seed_checksum
    received.refresh_from_db()
    assert received.due_at == stored_due
    new = create_dossier(intake(world), world.desk)
    assert new.due_at > stored_due
    assert new.due_at == compute_due(new.received_at, Decimal(5), "working_day", None)[1]
    page = client.get(f"{CALENDAR}?nam={day.year}").content.decode()
    assert "Nghỉ &lt;b&gt;bão&lt;/b&gt;" in page and "Nghỉ <b>bão" not in page


def test_calendar_rules_are_checked_and_nothing_is_saved(client, world, admins):
    client.force_login(admins["province"])
    today = timezone.localdate()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    count = CalendarDay.objects.count()
    response = client.post(CALENDAR_ADD, {"date": saturday.isoformat(), "kind": DayKind.DAY_OFF, "name": "x",
                                          "status": DayStatus.OFFICIAL, "active": "on"})
    assert response.status_code == 400 and "kind" in response.context["form"].errors
    past = today - dt.timedelta(days=3)
    response = client.post(CALENDAR_ADD, {"date": past.isoformat(), "kind": DayKind.DAY_OFF, "name": "x",
                                          "status": DayStatus.OFFICIAL, "active": "on"})
    assert response.status_code == 400 and "date" in response.context["form"].errors
    response = client.post(CALENDAR_ADD, {"date": "31/02/2027", "kind": DayKind.DAY_OFF, "name": "x",
                                          "status": DayStatus.OFFICIAL})
    assert response.status_code == 400
    assert CalendarDay.objects.count() == count
    # A past row cannot be edited or deleted.
    old = CalendarDay.objects.filter(date__lt=today).order_by("-date").first()
    response = client.post(reverse("workspace:manage_calendar_edit", args=[old.pk]),
                           {"date": old.date.isoformat(), "kind": old.kind, "name": "changed",
                            "status": old.status, "active": "on"})
    assert response.status_code == 400
    assert client.post(reverse("workspace:manage_calendar_delete", args=[old.pk])).status_code == 400
    old.refresh_from_db()
    assert old.name != "changed" and CalendarDay.objects.filter(pk=old.pk).exists()


def test_deleting_a_hand_made_day_deletes_it_and_a_seeded_one_is_switched_off(client, world, admins):
    client.force_login(admins["province"])
    today = timezone.localdate()
    seeded = CalendarDay.objects.filter(date__gte=today).exclude(seed_checksum="").order_by("date").first()
    assert seeded is not None and seeded.active
    response = client.post(reverse("workspace:manage_calendar_delete", args=[seeded.pk]))
    assert response.status_code == 302
    seeded.refresh_from_db()
    assert seeded.active is False
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    while CalendarDay.objects.filter(date=monday).exists():
        monday += dt.timedelta(days=7)
    made = CalendarDay.objects.create(date=monday, kind=DayKind.DAY_OFF, name="Nghỉ thử")
    assert client.post(reverse("workspace:manage_calendar_delete", args=[made.pk])).status_code == 302
    assert not CalendarDay.objects.filter(pk=made.pk).exists()


def test_calendar_pages_in_english_have_the_year(client, world, admins):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admins["justice"])
    page = client.get(f"{CALENDAR}?nam=2025").content.decode()
    assert "02/09/2025" in page  # National Day, seeded as official
    assert client.get(f"{CALENDAR}?nam=abc").status_code == 200
