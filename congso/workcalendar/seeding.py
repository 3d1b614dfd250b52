"""Seed data of the calendar (dữ liệu khởi tạo lịch nghỉ): the official schedules and rule-generated years.

Two sources, in this order of precedence:

1. `data/official_schedules.json` — the government's announced schedules for state agencies (status `official`),
   copied into the repository so that nothing is read from outside it at run time;
2. the `holidays` package (pinned exactly in pyproject.toml, so an upgrade never moves past deadlines) for every
   other year and for the days a year's official schedule does not settle yet (status `unconfirmed`). Weekday
   holidays become `day_off` rows; the Saturdays the package swaps for a weekday off become `working_day` rows
   (the package lists only the day off, "substituted from" the Saturday); a holiday on a weekend without a
   compensation day in the package gets one on the next free weekday (Labor Code 2019 art. 111(3)).

Building the rows is pure (`seed_days`); writing them (`write_seed`) takes the model class as a parameter so that
the data migration can call it with its historical model. Writing only inserts missing dates, and updates a row only
from official data and only if nobody edited it since it was seeded (its values still match `seed_checksum`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from congso.workcalendar.choices import DayKind, DayStatus

DEFAULT_YEARS = range(2015, 2031)
DATA_FILE = Path(__file__).resolve().parent / "data" / "official_schedules.json"
SEEDED_FIELDS = ("kind", "name", "status", "source", "note")

_NOTE_UNCONFIRMED = "Sinh tự động theo gói holidays {version}; quản trị viên cần đối chiếu với thông báo của Chính phủ."
_NOTE_OPEN_YEAR = (
    "Chưa có trong lịch nghỉ chính thức năm {year}; lấy từ gói holidays {version}, quản trị viên cần kiểm tra."
)
_NOTE_MAKE_UP = (
    "Gói holidays không đánh dấu ngày làm bù; suy ra từ ngày nghỉ thay thế {day:%d/%m/%Y}, quản trị viên cần kiểm tra."
)


@dataclass(frozen=True)
class SeedDay:
    """One row as the seed would write it."""

    date: date
    kind: str
    name: str
    status: str
    source: str
    note: str = ""

    def values(self) -> dict:
        data = asdict(self)
        data.pop("date")
        return data

    @property
    def checksum(self) -> str:
        return checksum(self.values())


@dataclass
class SeedResult:
    created: int = 0
    updated: int = 0
    retired: int = 0
    kept: int = 0

    def __str__(self) -> str:
        return f"created={self.created} updated={self.updated} retired={self.retired} kept={self.kept}"


def checksum(values: Mapping) -> str:
    """A fingerprint of the seeded fields, to tell a row nobody touched from one an administrator edited."""
    payload = json.dumps({name: values[name] for name in SEEDED_FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


@cache
def load_official() -> dict[int, dict]:
    """The official schedules by year, from the JSON file shipped with the app."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        raw = json.load(handle)
    return {int(year): entry for year, entry in raw["years"].items()}


def official_days(year: int) -> list[SeedDay]:
    entry = load_official().get(year)
    if entry is None:
        return []
    rows = []
    for kind, key in ((DayKind.DAY_OFF, "days_off"), (DayKind.WORKING_DAY, "working_days")):
        for item in entry[key]:
            rows.append(
                SeedDay(
                    date=date.fromisoformat(item["date"]),
                    kind=kind.value,
                    name=item["name"],
                    status=DayStatus.OFFICIAL.value,
                    source=entry["source"],
                    note=item.get("note", ""),
                )
            )
    return rows


def package_version() -> str:
    import holidays

    return holidays.__version__


def generated_days(year: int, note: str | None = None) -> list[SeedDay]:
    """Rule-generated rows of one year from the `holidays` package, all `unconfirmed`."""
    import holidays

    version = package_version()
    source = f"holidays {version} rule"
    note = note if note is not None else _NOTE_UNCONFIRMED.format(version=version)
    full = holidays.country_holidays("VN", years=year, language="vi")
    base = holidays.country_holidays("VN", years=year, language="vi", observed=False)
    days = {day: name for day, name in full.items() if day.year == year}
    for day, name in missing_compensations(dict(base.items()), days):
        days[day] = name

    rows = [
        SeedDay(day, DayKind.DAY_OFF.value, name, DayStatus.UNCONFIRMED.value, source, note)
        for day, name in sorted(days.items())
        if day.weekday() < 5
    ]
    for day_off, worked in substitutions(year):
        if worked.weekday() >= 5:
            rows.append(
                SeedDay(
                    worked,
                    DayKind.WORKING_DAY.value,
                    f"Ngày làm bù (cho ngày nghỉ {day_off:%d/%m/%Y})",
                    DayStatus.UNCONFIRMED.value,
                    source,
                    _NOTE_MAKE_UP.format(day=day_off),
                )
            )
    return rows


def substitutions(year: int) -> list[tuple[date, date]]:
    """(weekday off, weekend day worked instead) swaps the `holidays` package knows for a year."""
    from holidays.countries.vietnam import VietnamStaticHolidays

    spec = VietnamStaticHolidays.special_public_holidays.get(year, ())
    if spec and isinstance(spec[0], int):
        spec = (spec,)
    swaps = []
    for item in spec:
        if len(item) not in (4, 5):
            continue
        month, day, from_month, from_day, *rest = item
        swaps.append((date(year, month, day), date(rest[0] if rest else year, from_month, from_day)))
    return swaps


def missing_compensations(base: Mapping[date, str], observed: Mapping[date, str]) -> list[tuple[date, str]]:
    """Labor Code art. 111(3): compensation days for weekend holidays that `observed` does not already provide.

    `base` holds the holidays without compensation, `observed` with it. Every weekday in `observed` that is not in
    `base` counts as one compensation; weekend holidays beyond that count (the latest ones) each get the next
    weekday that is not already off.
    """
    weekend = sorted(day for day in base if day.weekday() >= 5)
    provided = sum(1 for day in observed if day not in base and day.weekday() < 5)
    taken = set(base) | set(observed)
    added = []
    for day in weekend[provided:]:
        candidate = day + timedelta(days=1)
        while candidate.weekday() >= 5 or candidate in taken:
            candidate += timedelta(days=1)
        taken.add(candidate)
        added.append((candidate, f"{base[day]} (nghỉ bù)"))
    return added


def seed_days(years: Iterable[int] = DEFAULT_YEARS) -> list[SeedDay]:
    """All rows the seed wants for `years`, one per date, official rows first."""
    version = package_version()
    by_date: dict[date, SeedDay] = {}
    for year in sorted(set(years)):
        official = official_days(year)
        entry = load_official().get(year)
        rows = list(official)
        if entry is None:
            rows += generated_days(year)
        elif not entry.get("complete"):
            covered = {row.date for row in official}
            note = _NOTE_OPEN_YEAR.format(year=year, version=version)
            rows += [row for row in generated_days(year, note=note) if row.date not in covered]
        for row in rows:
            by_date.setdefault(row.date, row)
    return sorted(by_date.values(), key=lambda row: row.date)


def complete_official_years() -> set[int]:
    return {year for year, entry in load_official().items() if entry.get("complete")}


def write_seed(calendar_day_model, days: Iterable[SeedDay]) -> SeedResult:
    """Insert missing dates; refresh untouched rows from official data; retire untouched guesses an official year rules out.

    Never changes a row whose values differ from what was seeded (an administrator edited it) or a row created by
    hand (no checksum). Safe to run any number of times and concurrently (inserts ignore conflicts).
    """
    days = list(days)
    result = SeedResult()
    wanted = {row.date: row for row in days}
    existing = {row.date: row for row in calendar_day_model.objects.filter(date__in=list(wanted))}

    new_rows = [
        calendar_day_model(date=row.date, seed_checksum=row.checksum, **row.values())
        for row in days
        if row.date not in existing
    ]
    for row in days:
        current = existing.get(row.date)
        if current is None:
            continue
        untouched = bool(current.seed_checksum) and current.seed_checksum == checksum(vars(current))
        if untouched and row.status == DayStatus.OFFICIAL and current.seed_checksum != row.checksum:
            for name, value in row.values().items():
                setattr(current, name, value)
            current.seed_checksum = row.checksum
            current.active = True
            current.save(update_fields=[*SEEDED_FIELDS, "seed_checksum", "active", "updated_at"])
            result.updated += 1
        else:
            result.kept += 1

    # An official, complete year rules out the guesses nobody confirmed that it does not list.
    years = {row.date.year for row in days if row.status == DayStatus.OFFICIAL} & complete_official_years()
    for year in sorted(years):
        stale = calendar_day_model.objects.filter(date__year=year, status=DayStatus.UNCONFIRMED, active=True).exclude(
            date__in=[day for day in wanted if day.year == year]
        )
        for current in stale:
            if current.seed_checksum and current.seed_checksum == checksum(vars(current)):
                current.active = False
                current.save(update_fields=["active", "updated_at"])
                result.retired += 1

    if new_rows:
        before = calendar_day_model.objects.count()
        calendar_day_model.objects.bulk_create(new_rows, ignore_conflicts=True)
        result.created = calendar_day_model.objects.count() - before
    return result


def ensure_default_schedule(work_schedule_model) -> bool:
    """Create the standard schedule (08:00–12:00, 13:00–17:00) if there is none; True when one was created."""
    if work_schedule_model.objects.exists():
        return False
    work_schedule_model.objects.create(name="Giờ làm việc hành chính", valid_from=date(2000, 1, 1))
    return True


def parse_years(text: str) -> list[int]:
    """'2015-2030', '2025' or '2015,2020-2022' → a list of years; ValueError on anything else."""
    years: set[int] = set()
    for part in str(text).replace(" ", "").split(","):
        first, sep, last = part.partition("-")
        if not first.isascii() or not first.isdigit() or (sep and (not last.isascii() or not last.isdigit())):
            raise ValueError(part)
        low, high = int(first), int(last) if sep else int(first)
        if not (1900 <= low <= high <= 2200) or high - low > 300:
            raise ValueError(part)
        years.update(range(low, high + 1))
    return sorted(years)
