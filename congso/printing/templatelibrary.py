"""The only tags and filters a form template may use (the sandbox of `engine.py`).

Form templates are data typed in the admin, so they get Django's built-in tags minus the ones that reach outside
the fixed context (`load`, `url`, `csrf_token`, `debug`, and the loader tags `include` / `extends`), the built-in
filters minus `safe` / `safeseq` (text typed by applicants must stay escaped), and a few filters for Vietnamese
forms: `vn_date` (03/02/2025), `vn_datetime` (09:00 03/02/2025), `vn_time_words` (09 giờ 00 phút, ngày
03/02/2025), `vnd` (50.000) and `dots` (the dotted blank of a form when a value is missing).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.conf import settings
from django.template import defaultfilters, defaulttags
from django.utils import timezone

register = template.Library()

BLOCKED_TAGS = {"load", "url", "csrf_token", "debug"}
BLOCKED_FILTERS = {"safe", "safeseq"}

for name, tag in defaulttags.register.tags.items():
    if name not in BLOCKED_TAGS:
        register.tags[name] = tag
for name, function in defaultfilters.register.filters.items():
    if name not in BLOCKED_FILTERS:
        register.filters[name] = function


def _local(value):
    if isinstance(value, dt.datetime):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        return value.replace(tzinfo=zone) if timezone.is_naive(value) else value.astimezone(zone)
    return value


@register.filter
def vn_date(value) -> str:
    value = _local(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


@register.filter
def vn_datetime(value) -> str:
    value = _local(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%H:%M %d/%m/%Y")
    return vn_date(value)


@register.filter
def vn_time_words(value) -> str:
    """The way the forms write an instant: "09 giờ 00 phút, ngày 03/02/2025"."""
    value = _local(value)
    if isinstance(value, dt.datetime):
        return f"{value:%H} giờ {value:%M} phút, ngày {value:%d/%m/%Y}"
    return vn_date(value)


@register.filter
def vnd(value) -> str:
    """50000 → 50.000 (Vietnamese thousands separator)."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return "" if value is None else str(value)


@register.filter
def dots(value, width=20) -> str:
    """The value, or a dotted blank to fill in by hand when there is none."""
    if value in (None, "", [], {}):
        try:
            return "." * max(3, min(int(width), 120))
        except (TypeError, ValueError):
            return "." * 20
    return value
