"""Seeding: the data migration has run on the test database; re-seeding is idempotent and respects edits."""

from datetime import date

import pytest

from congso.workcalendar import seeding, services
from congso.workcalendar.choices import DayKind, DayStatus
from congso.workcalendar.models import CalendarDay, WorkSchedule

pytestmark = pytest.mark.django_db

OFFICIAL = {
    2024: (
        [
            "2024-01-01",
            "2024-02-08",
            "2024-02-09",
            "2024-02-12",
            "2024-02-13",
            "2024-02-14",
            "2024-04-18",
            "2024-04-29",
            "2024-04-30",
            "2024-05-01",
            "2024-09-02",
            "2024-09-03",
        ],
        ["2024-05-04"],
    ),
    2025: (
        [
            "2025-01-01",
            "2025-01-27",
            "2025-01-28",
            "2025-01-29",
            "2025-01-30",
            "2025-01-31",
            "2025-04-07",
            "2025-04-30",
            "2025-05-01",
            "2025-05-02",
            "2025-09-01",
            "2025-09-02",
        ],
        ["2025-04-26"],
    ),
    2026: (
        [
            "2026-01-01",
            "2026-02-16",
            "2026-02-17",
            "2026-02-18",
            "2026-02-19",
            "2026-02-20",
            "2026-04-27",
            "2026-04-30",
            "2026-05-01",
            "2026-09-02",
        ],
        [],
    ),
}


def _snapshot():
    return list(CalendarDay.objects.order_by("date").values_list("date", "kind", "name", "status", "source", "active"))


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_official_schedules_seeded_exactly(year):
    days_off, working_days = OFFICIAL[year]
    official = CalendarDay.objects.filter(date__year=year, status=DayStatus.OFFICIAL)
    assert (
        sorted(d.isoformat() for d in official.filter(kind=DayKind.DAY_OFF).values_list("date", flat=True)) == days_off
    )
    assert (
        sorted(d.isoformat() for d in official.filter(kind=DayKind.WORKING_DAY).values_list("date", flat=True))
        == working_days
    )
    assert set(official.values_list("source", flat=True)) == {f"Official schedule {year}"}


def test_complete_official_years_have_nothing_else():
    for year in (2024, 2025):
        assert not CalendarDay.objects.filter(date__year=year, status=DayStatus.UNCONFIRMED).exists()


def test_2026_open_items_are_unconfirmed_from_the_package():
    unconfirmed = {row.date: row for row in CalendarDay.objects.filter(date__year=2026, status=DayStatus.UNCONFIRMED)}
    assert set(unconfirmed) == {date(2026, 8, 22), date(2026, 8, 31), date(2026, 9, 1), date(2026, 11, 24)}
    assert unconfirmed[date(2026, 8, 22)].kind == DayKind.WORKING_DAY  # the Saturday swapped for 31 Aug
    assert unconfirmed[date(2026, 11, 24)].name == "Ngày Văn hóa Việt Nam"
    assert all(row.source == "holidays 0.109 rule" for row in unconfirmed.values())


def test_2015_has_tet_and_every_seeded_year_has_rows():
    tet = CalendarDay.objects.filter(date__range=(date(2015, 2, 16), date(2015, 2, 23)), kind=DayKind.DAY_OFF)
    assert tet.count() == 6  # 16–20 and 23 Feb 2015 (21–22 are a weekend)
    assert CalendarDay.objects.filter(date=date(2015, 2, 14), kind=DayKind.WORKING_DAY).exists()
    for year in seeding.DEFAULT_YEARS:
        assert CalendarDay.objects.filter(date__year=year, name__icontains="Tết").exists(), year
    assert WorkSchedule.objects.count() == 1


def test_no_weekday_rule_violations_in_seed():
    for row in CalendarDay.objects.all():
        row.full_clean()


def test_seeding_twice_changes_nothing():
    before = _snapshot()
    first = services.seed_calendar()
    second = services.seed_calendar()
    assert first.created == second.created == 0
    assert second.updated == second.retired == 0
    assert _snapshot() == before


def test_seeding_an_empty_table_then_again():
    CalendarDay.objects.all().delete()
    result = services.seed_calendar()
    assert result.created == len(seeding.seed_days())
    snapshot = _snapshot()
    assert services.seed_calendar().created == 0
    assert _snapshot() == snapshot


def test_admin_edits_are_never_overwritten():
    row = CalendarDay.objects.get(date=date(2026, 9, 1))
    row.name = "Quốc khánh (đã xác nhận)"
    row.status = DayStatus.OFFICIAL
    row.note = "Theo thông báo số …"
    row.save()
    deleted_then_recreated = CalendarDay.objects.get(date=date(2026, 11, 24))
    deleted_then_recreated.active = False
    deleted_then_recreated.save()

    services.seed_calendar([2026])

    row.refresh_from_db()
    assert (row.name, row.status, row.note) == ("Quốc khánh (đã xác nhận)", DayStatus.OFFICIAL, "Theo thông báo số …")
    assert CalendarDay.objects.get(date=date(2026, 11, 24)).active is False


def test_official_data_upgrades_untouched_guesses_only(monkeypatch):
    """When a new release ships an official year, untouched unconfirmed rows follow it; edited ones do not."""
    official = dict(seeding.load_official())
    entry = dict(official[2026])
    entry["complete"] = True
    entry["days_off"] = [*entry["days_off"], {"date": "2026-09-01", "name": "Quốc khánh"}]
    official[2026] = entry
    monkeypatch.setattr(seeding, "load_official", lambda: official)
    edited = CalendarDay.objects.get(date=date(2026, 8, 31))
    edited.note = "Đang chờ công văn"
    edited.save()

    result = services.seed_calendar([2026])

    assert result.updated == 1 and result.retired == 2  # 1 Sep upgraded; 22 Aug and 24 Nov retired
    upgraded = CalendarDay.objects.get(date=date(2026, 9, 1))
    assert (upgraded.status, upgraded.source) == (DayStatus.OFFICIAL, "Official schedule 2026")
    assert CalendarDay.objects.get(date=date(2026, 11, 24)).active is False
    assert CalendarDay.objects.get(date=date(2026, 8, 31)).active is True  # edited: left alone


def test_missing_compensations_rule():
    # A holiday on Saturday with no compensation gets the next free weekday; one already provided is not doubled.
    base = {date(2027, 5, 1): "Ngày Quốc tế Lao động"}
    assert seeding.missing_compensations(base, base) == [(date(2027, 5, 3), "Ngày Quốc tế Lao động (nghỉ bù)")]
    observed = {**base, date(2027, 5, 3): "Ngày Quốc tế Lao động (nghỉ bù)"}
    assert seeding.missing_compensations(base, observed) == []
    both = {date(2022, 4, 30): "Ngày Chiến thắng", date(2022, 5, 1): "Ngày Quốc tế Lao động"}
    assert [d for d, _ in seeding.missing_compensations(both, both)] == [date(2022, 5, 2), date(2022, 5, 3)]


@pytest.mark.parametrize(
    ("text", "years"),
    [("2015-2030", list(range(2015, 2031))), ("2025", [2025]), ("2015, 2020-2021", [2015, 2020, 2021])],
)
def test_parse_years(text, years):
    assert seeding.parse_years(text) == years


@pytest.mark.parametrize("text", ["", "20x", "2030-2015", "1-99999", "2015;DROP TABLE", "٢٠٢٥", "2015-"])
def test_parse_years_rejects(text):
    with pytest.raises(ValueError):
        seeding.parse_years(text)
