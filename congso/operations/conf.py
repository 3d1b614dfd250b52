"""The operations app's settings, with their defaults.

Each value is read from Django settings first (`CONGSO_…` in settings.py), then from the environment variable of
the same name, then the default below, so a deployment can tune the beat and the reminders without a code change.
A malformed value fails loudly (`ConfigurationError`), like every other congso setting.
"""

from __future__ import annotations

import datetime as dt
import os

from django.conf import settings

from congso.env import ConfigurationError

#: Seconds between two ticks of `congso beat`.
DEFAULT_BEAT_INTERVAL = 60.0
#: A lease not renewed for this many intervals is stale and can be taken over by another beat.
LEASE_INTERVALS = 3
#: "Due soon": the step deadline is at most this many WORKING hours away (8 = one working day).
DEFAULT_DUE_SOON_HOURS = 8.0
#: A step is overdue once its deadline has passed by more than this many working hours (0 = as soon as it passes).
DEFAULT_STEP_OVERDUE_AFTER_HOURS = 0.0
#: A dossier is escalated once its appointment has passed by more than this many working hours.
DEFAULT_ESCALATE_AFTER_HOURS = 0.0
#: Deadlines that passed longer ago than this (calendar days) are not reminded any more: a dossier imported from a
#: previous system or the first start of the beat on an old database does not flood people with old news.
DEFAULT_LOOKBACK_DAYS = 30
#: At most this many dossiers per kind and sweep; the rest waits for the next sweep (keeps a sweep bounded).
DEFAULT_MAX_PER_SWEEP = 10_000
#: Channels of the reminders and escalations (the outbox skips a channel the recipient has no address for).
DEFAULT_CHANNELS = ("email",)
#: The daily purge deletes finished task results older than this many days (0 = keep them).
DEFAULT_TASK_RESULTS_KEEP_DAYS = 30


def _raw(name: str):
    if hasattr(settings, name):
        return getattr(settings, name)
    return os.environ.get(name)


def _number(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = _raw(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"{name}={raw!r} is not a number") from exc
    if value < minimum or value != value:  # NaN
        raise ConfigurationError(f"{name}={raw!r} must be at least {minimum:g}")
    return value


def beat_interval() -> float:
    return _number("CONGSO_BEAT_INTERVAL", DEFAULT_BEAT_INTERVAL, minimum=0.05)


def due_soon() -> dt.timedelta:
    return dt.timedelta(hours=_number("CONGSO_REMINDER_DUE_SOON_HOURS", DEFAULT_DUE_SOON_HOURS))


def step_overdue_after() -> dt.timedelta:
    return dt.timedelta(hours=_number("CONGSO_REMINDER_OVERDUE_AFTER_HOURS", DEFAULT_STEP_OVERDUE_AFTER_HOURS))


def escalate_after() -> dt.timedelta:
    return dt.timedelta(hours=_number("CONGSO_ESCALATE_AFTER_HOURS", DEFAULT_ESCALATE_AFTER_HOURS))


def lookback() -> dt.timedelta:
    return dt.timedelta(days=_number("CONGSO_REMINDER_LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS, minimum=1))


def max_per_sweep() -> int:
    return int(_number("CONGSO_REMINDER_MAX_PER_SWEEP", DEFAULT_MAX_PER_SWEEP, minimum=1))


def channels() -> tuple[str, ...]:
    raw = _raw("CONGSO_REMINDER_CHANNELS")
    if raw is None:
        return DEFAULT_CHANNELS
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return tuple(item.strip() for item in items if str(item).strip())


def task_results_keep_days() -> int:
    return int(_number("CONGSO_TASK_RESULTS_KEEP_DAYS", DEFAULT_TASK_RESULTS_KEEP_DAYS))


def purge_hooks() -> list[str]:
    """Dotted paths of extra callables the daily purge runs (each takes no argument, returns a count or a dict)."""
    raw = _raw("CONGSO_PURGE_HOOKS")
    if not raw:
        return []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    return [str(item).strip() for item in items if str(item).strip()]


def schedule_overrides() -> dict[str, float]:
    """`CONGSO_BEAT_SCHEDULE`: seconds per sweep name, e.g. {"reminders": 600} or "reminders=600,escalations=1800"."""
    raw = _raw("CONGSO_BEAT_SCHEDULE")
    if not raw:
        return {}
    if isinstance(raw, str):
        pairs = []
        for item in raw.split(","):
            if not item.strip():
                continue
            name, sep, value = item.partition("=")
            if not sep:
                raise ConfigurationError(f"CONGSO_BEAT_SCHEDULE: {item!r} is not name=seconds")
            pairs.append((name.strip(), value.strip()))
    else:
        pairs = list(dict(raw).items())
    result = {}
    for name, value in pairs:
        try:
            seconds = float(value)
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"CONGSO_BEAT_SCHEDULE: {name}={value!r} is not a number of seconds") from exc
        if not seconds > 0:
            raise ConfigurationError(f"CONGSO_BEAT_SCHEDULE: {name}={value!r} must be more than 0")
        result[name] = seconds
    return result
