"""Reporting periods: a month, a quarter, a year, or custom dates (both inclusive, local days)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.problems import Problem

KINDS = ("month", "quarter", "year", "custom")
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_DAYS = 366 * 20


class BadPeriod(Problem):
    def __init__(self, errors: dict):
        super().__init__("invalid_period", 400, _("The period is not valid; see errors."),
                         errors={k: [str(v)] for k, v in errors.items()})


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%m/%Y}"
        if self.kind == "quarter":
            return _("Quarter %(q)d/%(y)d") % {"q": (self.start.month - 1) // 3 + 1, "y": self.start.year}
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


def _int(params, name: str, low: int, high: int, errors: dict, default=None):
    raw = params.get(name)
    if raw in (None, ""):
        if default is None:
            errors[name] = _("This field is required.")
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        errors[name] = _("Enter a whole number.")
        return None
    if not low <= value <= high:
        errors[name] = _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        return None
    return value


def _date(params, name: str, errors: dict):
    raw = str(params.get(name) or "").strip()
    if not raw:
        errors[name] = _("This field is required.")
        return None
    for parse in (dt.date.fromisoformat, lambda s: dt.datetime.strptime(s, "%d/%m/%Y").date()):
        try:
            value = parse(raw[:10])
        except ValueError:
            continue
        if len(raw) <= 10 and MIN_YEAR <= value.year <= MAX_YEAR:
            return value
    errors[name] = _("Enter a date as dd/mm/yyyy or yyyy-mm-dd between 2000 and 2100.")
    return None


def parse_period(params) -> Period:
    """From request parameters: period=month&year=2025&month=3, period=quarter&year=2025&quarter=1,
    period=year&year=2025, period=custom&from=2025-01-01&to=2025-03-31. Default: the current quarter."""
    errors: dict = {}
    today = timezone.localdate()
    kind = str(params.get("period") or "quarter")
    if kind not in KINDS:
        raise BadPeriod({"period": _("Choose month, quarter, year or custom.")})
    if kind == "custom":
        start, end = _date(params, "from", errors), _date(params, "to", errors)
        if not errors and end < start:
            errors["to"] = _("The end is before the start.")
        if not errors and (end - start).days > MAX_DAYS:
            errors["to"] = _("The period is too long (at most 20 years).")
        if errors:
            raise BadPeriod(errors)
        return Period(kind, start, end)
    year = _int(params, "year", MIN_YEAR, MAX_YEAR, errors, default=today.year)
    if kind == "month":
        month = _int(params, "month", 1, 12, errors, default=today.month)
        if errors:
            raise BadPeriod(errors)
        return Period(kind, dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))
    if kind == "quarter":
        quarter = _int(params, "quarter", 1, 4, errors, default=(today.month - 1) // 3 + 1)
        if errors:
            raise BadPeriod(errors)
        first = 3 * (quarter - 1) + 1
        last = first + 2
        return Period(kind, dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1]))
    if errors:
        raise BadPeriod(errors)
    return Period(kind, dt.date(year, 1, 1), dt.date(year, 12, 31))
