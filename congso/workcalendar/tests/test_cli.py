"""`congso due-date` and `congso calendar`: output contract and exit codes."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.parametrize(
    ("args", "last_line"),
    [
        (["--received", "2025-01-20T09:00", "--duration", "5", "--unit", "working_day"], "2025-02-03T09:00:00+07:00"),
        (["--received", "2024-04-24T10:00", "--duration", "4"], "2024-05-03T10:00:00+07:00"),
        (
            ["--received", "2026-04-23T15:10", "--duration", "0", "--unit", "working_day", "--cutoff", "15:00"],
            "2026-04-24T17:00:00+07:00",
        ),
        (["--received", "2025-01-20T02:00Z", "--duration", "5"], "2025-02-03T09:00:00+07:00"),
        (["--received", "2025-03-07 10:00", "--duration", "2", "--unit", "calendar_day"], "2025-03-10T17:00:00+07:00"),
        (
            ["--received", "2025-03-03T10:00+07:00", "--duration", "3", "--unit", "working_hour"],
            "2025-03-03T14:00:00+07:00",
        ),
    ],
)
def test_due_date_prints_the_appointment_last(args, last_line):
    lines = run("due-date", *args)
    assert lines[-1] == last_line
    assert len(lines) >= 3  # a human summary comes first


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--received", "20/01/2025", "--duration", "5"], "--received"),
        (["--received", "", "--duration", "5"], "--received"),
        (["--received", "2025-01-20T09:00", "--duration", "-1"], "--duration"),
        (["--received", "2025-01-20T09:00", "--duration", "1.5"], "--duration"),
        (["--received", "2025-01-20T09:00", "--duration", "99999999999999999999"], "--duration"),
        (["--received", "2025-01-20T09:00", "--duration", "5", "--unit", "weeks"], "--unit"),
        (["--received", "2025-01-20T09:00", "--duration", "5", "--cutoff", "25:00"], "--cutoff"),
        (["--received", "2025-01-20T09:00", "--duration", "5", "--cutoff", "3pm"], "--cutoff"),
        (["--received", "2025-01-20T09:00'; DROP TABLE workcalendar_calendarday; --", "--duration", "5"], "--received"),
    ],
)
def test_due_date_bad_input_exits_with_2(args, field):
    with pytest.raises(CommandError) as caught:
        run("due-date", *args)
    assert caught.value.returncode == 2
    assert field in str(caught.value)


def test_due_date_beyond_the_calendar_exits_with_2():
    with pytest.raises(CommandError) as caught:
        run("due-date", "--received", "9999-12-31T09:00", "--duration", "10000")
    assert caught.value.returncode == 2


def test_calendar_list_and_seed():
    lines = run("calendar", "list", "--year", "2025")
    assert lines[0].startswith("2025-01-01 Wed day_off")
    assert any("2025-04-26" in line and "working_day" in line for line in lines)
    assert lines[-1].startswith("13")
    assert run("calendar", "seed", "--years", "2015-2030")[-1].endswith("created=0 updated=0 retired=0 kept=191")


@pytest.mark.parametrize(("args"), [["seed", "--years", "x"], ["list", "--year", "abc"], ["list", "--year", "0"]])
def test_calendar_bad_input_exits_with_2(args):
    with pytest.raises(CommandError) as caught:
        run("calendar", *args)
    assert caught.value.returncode == 2
