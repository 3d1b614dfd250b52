"""The worklists of the staff workspace (danh sách công việc) and their counts.

A worklist is a named filter over the dossiers a person may see. Definitions (all on open dossiers):

- `todo` — to do: the dossiers whose current step is mine: I hold it, or nobody holds it and it waits at an agency
  where I have the step's role (in my department when the step names one); plus, for desk officers, dossiers
  submitted online that wait to be accepted (status "new") at the agency that receives them.
- `due_today`, `due_soon`, `overdue` — the to-do dossiers whose deadline (the step deadline, else the current
  appointment) falls today, within the next 2 working days, or has passed.
- `waiting` — waiting for the applicant (supplement or financial obligation) at an agency where I work.
- `transferred` — transferred out: dossiers my agency is responsible for, now at another agency by an inter-agency
  transfer (liên thông), until that agency sends them back.
- `unit` — leaders and department heads: every open dossier held by their agency (or department).

`counts(user)` answers all of them in one query, for the menu.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier
from congso.org.choices import Role
from congso.org.models import Membership
from congso.workcalendar.services import get_calendar

ACTIVE_STATUSES = (Status.NEW, Status.RECEIVED, Status.IN_PROGRESS, Status.RESOLVED)
WAITING = (Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION)
OPEN_STATUSES = ACTIVE_STATUSES + WAITING
LEADING_ROLES = (Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD)
# Roles whose members work dossiers (others — clerks, monitors, administrators — have no to-do list).
WORKING_ROLES = (Role.DESK_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.AGENCY_LEADER)


@dataclass(frozen=True)
class Worklist:
    key: str
    label: str
    urgency: str = ""  # the CSS colour of its count in the menu


WORKLISTS = [
    Worklist("todo", _("To do")),
    Worklist("due_today", _("Due today"), "warn"),
    Worklist("due_soon", _("Due within 2 working days"), "warn"),
    Worklist("overdue", _("Overdue"), "late"),
    Worklist("waiting", _("Waiting for the applicant")),
    Worklist("transferred", _("Transferred to another agency")),
    Worklist("unit", _("All open dossiers of my unit")),
]
BY_KEY = {w.key: w for w in WORKLISTS}


@dataclass(frozen=True)
class Seat:
    """Where the user works: (agency id, role, department id or None) for each active membership."""

    memberships: tuple[tuple[int, str, int | None], ...]

    @classmethod
    def of(cls, user) -> Seat:
        rows = Membership.objects.active().filter(user=user).values_list("agency_id", "role", "department_id")
        return cls(tuple(rows))

    def agencies(self, roles=None) -> set[int]:
        return {a for a, r, _d in self.memberships if roles is None or r in roles}

    @property
    def leads(self) -> bool:
        return any(r in LEADING_ROLES for _a, r, _d in self.memberships)

    @property
    def works(self) -> bool:
        return any(r in WORKING_ROLES for _a, r, _d in self.memberships)


def deadline_windows(now: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """(start of today, end of today, end of the 2nd working day after today), local time."""
    calendar = get_calendar()
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end_today = start + dt.timedelta(days=1)
    day = local.date()
    for _i in range(2):
        day = calendar.next_working_day(day)
    end_soon = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), local.tzinfo)
    return start, end_today, end_soon


def _mine(user, seat: Seat) -> Q:
    """The dossiers whose current step is for this user."""
    condition = Q(holder=user)
    for agency_id, role, department_id in seat.memberships:
        if role not in WORKING_ROLES:
            continue
        free = Q(holder__isnull=True, current_agency_id=agency_id, holder_role=role)
        if department_id is not None:
            free &= Q(holder_department_id=department_id) | Q(holder_department__isnull=True)
        condition |= free
    desk = seat.agencies((Role.DESK_OFFICER, Role.AGENCY_LEADER))
    if desk:
        condition |= Q(status=Status.NEW, receiving_agency_id__in=desk)
    return condition & Q(status__in=ACTIVE_STATUSES)


def _unit(seat: Seat) -> Q:
    condition = Q(pk__in=[])
    for agency_id, role, department_id in seat.memberships:
        if role == Role.AGENCY_LEADER or (role == Role.DEPARTMENT_HEAD and department_id is None):
            condition |= Q(current_agency_id=agency_id)
        elif role == Role.DEPARTMENT_HEAD:
            condition |= Q(current_agency_id=agency_id, holder_department_id=department_id)
    return condition & Q(status__in=OPEN_STATUSES)


def conditions(user, seat: Seat, now: dt.datetime) -> dict[str, Q]:
    """The filter of every worklist for this user (deadline filters use the `deadline` annotation)."""
    start, end_today, end_soon = deadline_windows(now)
    mine = _mine(user, seat)
    agencies = seat.agencies(WORKING_ROLES)
    return {
        "todo": mine,
        "due_today": mine & Q(deadline__gte=now, deadline__lt=end_today),
        "due_soon": mine & Q(deadline__gte=now, deadline__lt=end_soon),
        "overdue": mine & Q(deadline__lt=now),
        "waiting": Q(status__in=WAITING) & (Q(holder=user) | Q(current_agency_id__in=agencies)),
        "transferred": Q(status__in=OPEN_STATUSES, handling_agency_id__in=agencies,
                         current_step__plan_index__isnull=True, current_step__return_to_index__isnull=False)
        & ~Q(current_agency_id__in=agencies),
        "unit": _unit(seat),
    }


def with_deadline(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(deadline=Coalesce(F("step_due_at"), F("extended_due_at"), F("current_due_at")))


def worklist(user, key: str, now: dt.datetime | None = None, seat: Seat | None = None) -> QuerySet:
    """The dossiers of one worklist, with the columns a worklist shows loaded in the same query."""
    if key not in BY_KEY:
        raise KeyError(key)
    now = now or timezone.now()
    seat = seat or Seat.of(user)
    condition = conditions(user, seat, now)[key]
    return (
        with_deadline(Dossier.objects.for_user(user))
        .filter(condition)
        .select_related("procedure", "procedure_version", "holder", "current_agency", "current_step")
        .only(
            "code", "status", "channel", "applicant_name", "submitted_at", "received_at", "due_at",
            "current_due_at", "extended_due_at", "step_due_at", "finished_at", "version", "holder_role",
            "procedure_version__name", "procedure__code", "holder__username", "holder__full_name", "holder__first_name", "holder__organisation_name",
            "holder__last_name", "current_agency__name", "current_agency__short_name", "current_step__name",
        )
    )


def visible_worklists(seat: Seat, user) -> list[Worklist]:
    """The worklists that mean something for this person."""
    if not seat.works and not user.is_superuser:
        return []
    return [w for w in WORKLISTS if w.key != "unit" or seat.leads]


def counts(user, now: dt.datetime | None = None, seat: Seat | None = None) -> dict[str, int]:
    """Every visible worklist's size. One query reads the few columns of the dossiers any list may hold; the lists'
    rules are then applied to those rows in Python (`classify`), which costs far less than asking the database for
    seven filtered counts. A test keeps `classify` and `conditions` in agreement."""
    now = now or timezone.now()
    seat = seat or Seat.of(user)
    lists = visible_worklists(seat, user)
    if not lists:
        return {}
    all_conditions = conditions(user, seat, now)
    union = Q(pk__in=[])
    for w in lists:
        union |= all_conditions[w.key]
    rows = with_deadline(Dossier.objects.for_user(user)).filter(union).values_list(*ROW).order_by()
    totals = {w.key: 0 for w in lists}
    windows = deadline_windows(now)
    for row in rows:
        for key in classify(row, user.pk, seat, now, windows):
            if key in totals:
                totals[key] += 1
    return totals


ROW = ("status", "holder_id", "holder_role", "holder_department_id", "current_agency_id", "receiving_agency_id",
       "handling_agency_id", "deadline", "current_step__plan_index", "current_step__return_to_index")


def classify(row, user_id: int, seat: Seat, now: dt.datetime, windows) -> set[str]:
    """The worklists a dossier (a `ROW` tuple) belongs to for this user: the same rules as `conditions`."""
    status, holder, role, department, current, receiving, handling, deadline, plan_index, return_to = row
    keys = set()
    working = seat.agencies(WORKING_ROLES)
    mine = False
    if status in ACTIVE_STATUSES:
        if holder == user_id:
            mine = True
        elif holder is None:
            mine = any(a == current and r == role and r in WORKING_ROLES and (d is None or department in (None, d))
                       for a, r, d in seat.memberships)
        if not mine and status == Status.NEW and receiving in seat.agencies((Role.DESK_OFFICER, Role.AGENCY_LEADER)):
            mine = True
    if mine:
        keys.add("todo")
        if deadline is not None:
            _start, end_today, end_soon = windows
            if deadline < now:
                keys.add("overdue")
            else:
                if deadline < end_today:
                    keys.add("due_today")
                if deadline < end_soon:
                    keys.add("due_soon")
    if status in WAITING and (holder == user_id or current in working):
        keys.add("waiting")
    transferred = plan_index is None and return_to is not None
    if status in OPEN_STATUSES and transferred and handling in working and current not in working:
        keys.add("transferred")
    if status in OPEN_STATUSES:
        for a, r, d in seat.memberships:
            if a == current and (r == Role.AGENCY_LEADER or (r == Role.DEPARTMENT_HEAD and (d is None or
                                                                                           d == department))):
                keys.add("unit")
                break
    return keys


def urgency(deadline: dt.datetime | None, now: dt.datetime, windows=None) -> str:
    """"overdue", "today", "soon" or "ok": the colour of a deadline in a list."""
    if deadline is None:
        return ""
    start, end_today, end_soon = windows or deadline_windows(now)
    if deadline < now:
        return "overdue"
    if deadline < end_today:
        return "today"
    if deadline < end_soon:
        return "soon"
    return "ok"
