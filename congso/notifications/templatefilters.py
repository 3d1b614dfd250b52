"""Filters available in message templates without `{% load %}`: dates the Vietnamese way, in local time.

`{{ appointment|local_datetime }}` → 03/02/2025 09:00; `{{ appointment|local_date }}` → 03/02/2025. They accept a
datetime, a date or an ISO 8601 string (how dates are stored in a notification's context) and leave any other
text as it is, so a template never shows an empty date because the caller formatted it already.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django import template
from django.conf import settings
from django.utils import timezone

register = template.Library()

ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_moment(value):
    """A datetime or date from an ISO string; anything else unchanged."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if ISO_DATETIME.match(text):
                return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if ISO_DATE.match(text):
                return dt.date.fromisoformat(text)
        except ValueError:
            return value
    return value


def _local(value: dt.datetime) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    if timezone.is_naive(value):
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


@register.filter
def local_datetime(value) -> str:
    value = parse_moment(value)
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value


@register.filter
def local_date(value) -> str:
    value = parse_moment(value)
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else value
