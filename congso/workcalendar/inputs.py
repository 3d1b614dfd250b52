"""Parsing of due-date requests typed by people or sent to the API, with one set of messages for the CLI and the API.

Everything arrives as text; everything is checked before the engine runs, and every problem is reported per field at
once (so `received` and `unit` can both be wrong in one answer). Values are bounded so that hostile input (huge
numbers, very long strings) is refused cheaply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, tzinfo
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from congso.workcalendar.units import DurationUnit

#: Longest accepted duration, in any unit; far beyond any procedure (they count in tens of days).
MAX_DURATION = 10_000
_MAX_TEXT = 64
_DURATION_RE = re.compile(r"[0-9]{1,9}")
_CUTOFF_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")


def local_time_zone() -> tzinfo:
    """The time zone of the rules (settings.TIME_ZONE, Asia/Ho_Chi_Minh), for input given without an offset."""
    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


class InvalidInput(ValueError):
    """Raised with `errors`: field name → list of messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))


@dataclass(frozen=True)
class DueDateQuery:
    received: datetime
    duration: int
    unit: DurationUnit
    cutoff: time | None


def parse_received(text, tz: tzinfo) -> datetime:
    """ISO 8601 date and time; without an offset it is local time in `tz`."""
    text = (text or "").strip()
    if not text:
        raise ValueError(_("This field is required."))
    example = _("Enter a date and time in ISO 8601, e.g. 2025-01-20T09:00 or 2025-01-20T09:00+07:00.")
    # Printable ASCII only: fromisoformat() itself lets a trailing NUL through.
    if len(text) > _MAX_TEXT or not text.isascii() or not text.isprintable():
        raise ValueError(example)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(example) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def parse_duration(text) -> int:
    """A whole number of units, 0 or more, at most `MAX_DURATION`."""
    text = (str(text) if text is not None else "").strip()
    if not text:
        raise ValueError(_("This field is required."))
    if not _DURATION_RE.fullmatch(text):
        raise ValueError(_("Enter a whole number of 0 or more."))
    value = int(text)
    if value > MAX_DURATION:
        raise ValueError(_("Enter a number no greater than %(max)d.") % {"max": MAX_DURATION})
    return value


def parse_unit(text) -> DurationUnit:
    text = (text or "").strip()
    if not text:
        raise ValueError(_("This field is required."))
    try:
        return DurationUnit(text)
    except ValueError:
        raise ValueError(
            _("Unknown unit; use one of: %(units)s.") % {"units": ", ".join(DurationUnit.values)}
        ) from None


def parse_cutoff(text) -> time | None:
    """HH:MM (or HH:MM:SS) local time; empty means no cut-off."""
    text = (text or "").strip()
    if not text:
        return None
    match = _CUTOFF_RE.fullmatch(text)
    message = _("Enter a time of day as HH:MM, e.g. 15:00.")
    if not match:
        raise ValueError(message)
    hour, minute, second = (int(part) if part else 0 for part in match.groups())
    try:
        return time(hour, minute, second)
    except ValueError:
        raise ValueError(message) from None


def parse_due_date_query(received, duration, unit, cutoff, tz: tzinfo) -> DueDateQuery:
    """All four fields at once; raises `InvalidInput` listing every bad field."""
    errors: dict[str, list[str]] = {}
    values = {}
    parsers = {
        "received": lambda: parse_received(received, tz),
        "duration": lambda: parse_duration(duration),
        "unit": lambda: parse_unit(unit),
        "cutoff": lambda: parse_cutoff(cutoff),
    }
    for field, parse in parsers.items():
        try:
            values[field] = parse()
        except ValueError as exc:
            errors[field] = [str(exc)]
    if errors:
        raise InvalidInput(errors)
    return DueDateQuery(**values)
