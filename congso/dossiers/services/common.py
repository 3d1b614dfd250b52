"""What every dossier service shares: errors, the actor's role check, the processing log, the clock."""

from __future__ import annotations

import contextlib
import datetime as dt
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.middleware import current_request_id
from congso.core.problems import Problem
from congso.dossiers.choices import Status
from congso.dossiers.models import ClockStop, Dossier, ProcessingEvent
from congso.dossiers.signals import event_recorded
from congso.dossiers.timeliness import ClockState, judge
from congso.org.models import Membership
from congso.workcalendar.services import get_calendar
from congso.workcalendar.units import DurationUnit


class InvalidTransition(Problem):
    def __init__(self, detail):
        super().__init__("invalid_transition", 409, detail)


class Conflict(Problem):
    def __init__(self, detail=None):
        super().__init__("conflict", 412, detail or _("The dossier was changed by someone else; reload it."))


class Forbidden(Problem):
    def __init__(self, detail=None):
        super().__init__("forbidden", 403, detail or _("You may not do this on this dossier."))


class BadInput(Problem):
    def __init__(self, errors: dict, detail=None):
        super().__init__("validation_error", 400, detail or _("The request has invalid fields; see errors."),
                         errors={k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()})


class NotFound(Problem):
    def __init__(self):
        super().__init__("not_found", 404, _("No such dossier."))


@dataclass
class Actor:
    """Who acts, with which role, on behalf of which agency (None for the applicant)."""

    user: object
    role: str
    agency_id: int | None = None
    department_id: int | None = None

    @property
    def name(self) -> str:
        return self.user.display_name if self.user else ""


def now() -> dt.datetime:
    return timezone.now()


def check_time(at: dt.datetime | None) -> dt.datetime:
    """The moment of an action: now by default; a past moment is allowed (imports, desk back-entry, generators),
    a future one is bad input."""
    current = now()
    if at is None:
        return current
    if timezone.is_naive(at):
        raise BadInput({"at": _("Give the time with its time zone.")})
    if at > current + dt.timedelta(minutes=1):
        raise BadInput({"at": _("The time of an action cannot be in the future.")})
    return at


_memberships: ContextVar[dict | None] = ContextVar("congso_action_memberships", default=None)


@contextlib.contextmanager
def membership_cache():
    """Within one action, each (user, agency) pair's memberships are read once."""
    token = _memberships.set({})
    try:
        yield
    finally:
        _memberships.reset(token)


@dataclass(frozen=True)
class Held:
    """A role a user holds in an agency (the part of a Membership the engine needs)."""

    role: str
    department_id: int | None


def load_roles(*users) -> dict:
    """Read the active memberships of these users in one query (kept for the current action)."""
    cache = _memberships.get()
    wanted = {u.pk for u in users if u is not None and (cache is None or u.pk not in cache)}
    if not wanted:
        return {}
    day = timezone.localdate()
    found: dict[int, list[tuple[int, Held]]] = {pk: [] for pk in wanted}
    for user_id, agency_id, role, department_id, valid_from, valid_to in Membership.objects.filter(
        user_id__in=wanted
    ).order_by().values_list("user_id", "agency_id", "role", "department_id", "valid_from", "valid_to"):
        if (valid_from is None or valid_from <= day) and (valid_to is None or valid_to > day):
            found[user_id].append((agency_id, Held(role, department_id)))
    if cache is not None:
        cache.update(found)
    return found


def role_in(user, agency, roles) -> Held | None:
    """The user's active role in `agency` among `roles` (the first in `roles`' order), or None.

    A user's memberships are read once per action, as plain values (no model objects, no joins): this runs on
    every action."""
    if user is None or agency is None or not user.is_active:
        return None
    agency_id = getattr(agency, "pk", agency)
    cache = _memberships.get()
    if cache is None:
        held = load_roles(user)[user.pk]
    else:
        if user.pk not in cache:
            load_roles(user)
        held = cache[user.pk]
    order = list(roles)
    found = sorted((h for a, h in held if a == agency_id and h.role in order), key=lambda h: order.index(h.role))
    return found[0] if found else None


def record_event(dossier: Dossier, action: str, from_status, actor: Actor | None, at: dt.datetime,
                 reason: str = "", data: dict | None = None) -> ProcessingEvent:
    dossier.last_event_seq += 1  # saved with the dossier by the caller (the row is locked)
    event = ProcessingEvent.objects.create(
        dossier=dossier, seq=dossier.last_event_seq, action=action, from_status=from_status, to_status=dossier.status, at=at,
        actor=actor.user if actor else None, actor_name=actor.name if actor else "",
        actor_role=actor.role if actor else "", agency_id=actor.agency_id if actor else None,
        department_id=actor.department_id if actor else None, reason=reason or "", data=data or {},
        request_id=current_request_id() or "",
    )
    event_recorded.send(sender=ProcessingEvent, event=event, dossier=dossier)
    return event


def stops_of(dossier: Dossier) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(s.started_at, s.ended_at) for s in ClockStop.objects.filter(dossier=dossier, ended_at__isnull=False)]


def refresh_clock(dossier: Dossier, at: dt.datetime | None = None) -> None:
    """Recompute the current appointment and the timeliness verdict from the stored facts (no save)."""
    at = at or now()
    if dossier.due_at and dossier.duration_unit:
        stops = stops_of(dossier) if dossier.waiting_seconds else []
        dossier.current_due_at = (
            get_calendar().shift_by_stops(dossier.due_at, stops, dossier.duration_unit) if stops else dossier.due_at
        )
    dossier.timeliness = judge(clock_state(dossier), max(at, dossier.finished_at or at))
    dossier.timeliness_at = at


def clock_state(dossier: Dossier) -> ClockState:
    return ClockState(
        received_at=dossier.received_at, due_at=dossier.due_at, current_due_at=dossier.current_due_at,
        finished_at=dossier.finished_at, waiting=dt.timedelta(seconds=dossier.waiting_seconds),
        waiting_since=dossier.waiting_since, supplement_count=dossier.supplement_count,
    )


def compute_due(received: dt.datetime, duration: Decimal | None, unit: str, cutoff) -> tuple:
    """(effective start, appointment) for a dossier; (received, None) when the procedure gives no time limit."""
    if duration is None or not unit:
        return received, None
    calendar = get_calendar()
    if duration == int(duration):
        due = calendar.due_date(received, int(duration), unit, cutoff)
        return due.effective_start, due.due_at
    # A fractional limit (e.g. 0.5 working days) is counted in working time.
    start = calendar.effective_start(received, cutoff if unit != DurationUnit.CALENDAR_DAY else None)
    if unit == DurationUnit.CALENDAR_DAY:
        return received, received + dt.timedelta(days=float(duration))
    hours = float(duration) * (calendar.schedule_on(start.date()).length.total_seconds() / 3600
                               if unit == DurationUnit.WORKING_DAY else 1)
    return start, calendar.add_working_time(start, dt.timedelta(hours=hours))


def status_label(value: int) -> str:
    return str(Status(value).label)


_SNAPSHOT_FIELDS: list[str] = []


def snapshot(dossier: Dossier) -> dict:
    """The dossier's column values, to write later only what changed (`save_changes`)."""
    if not _SNAPSHOT_FIELDS:
        _SNAPSHOT_FIELDS.extend(f.attname for f in Dossier._meta.concrete_fields if not f.primary_key)
    # Lists and dicts (the plan, population references) are copied so that changes made in place are seen.
    return {name: _copy(getattr(dossier, name)) for name in _SNAPSHOT_FIELDS}


def save_changes(dossier: Dossier, before: dict) -> None:
    """Write only the columns changed since `before` (the row has ~65, among them the JSON plan)."""
    changed = [name for name, value in before.items() if getattr(dossier, name) != value]
    if changed:
        dossier.save(update_fields=changed)


def _copy(value):
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
