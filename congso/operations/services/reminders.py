"""Reminders (nhắc hạn) and escalations (cảnh báo quá hạn): selection, recipients, the outbox, the log.

Three kinds, each fired ONCE per fact:

| kind | fires when | to | once per | outbox template |
|---|---|---|---|---|
| `step_due_soon` | the current step's deadline is at most N working hours away | the holder (no holder: the step's role at the holding agency) | step | `step_due_soon` |
| `step_overdue` | the current step's deadline has passed | the same | step | `step_overdue` |
| `dossier_overdue` | the appointment in force has passed and the dossier is not finished | department heads and agency leaders | appointment | `dossier_overdue_escalation` |

A `ReminderLog` row records each fired fact (unique per step or per appointment) and keeps the next sweep from
selecting it again; the outbox's own dedupe key (per fact and recipient) makes a second, overlapping sweep harmless.
A new step (after a forward, send-back or transfer) is a new fact; so is a new appointment (a clock stop that moved
it, an apology's new appointment).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from congso.dossiers.models import Dossier
from congso.operations import conf, selection
from congso.operations.models import ReminderKind, ReminderLog
from congso.operations.services.recipients import Recipients
from congso.operations.windows import due_soon_until, overdue_before
from congso.workcalendar.services import get_calendar

logger = logging.getLogger(__name__)

BATCH = 200  # dossiers per transaction: short write locks on SQLite even with a backlog
ANALYZE_AFTER = 1000  # log rows written by one sweep after which PostgreSQL's statistics are refreshed
TEMPLATES = {
    ReminderKind.STEP_DUE_SOON: "step_due_soon",
    ReminderKind.STEP_OVERDUE: "step_overdue",
    ReminderKind.DOSSIER_OVERDUE: "dossier_overdue_escalation",
}
# Only what the messages need: the dossier row has large JSON columns (plan, legacy data) that a sweep never reads.
FIELDS = ["id", "code", "current_agency_id", "handling_agency_id", "holder", "holder_role", "holder_department_id",
          "step_due_at", "current_due_at", "extended_due_at", "current_step__id", "current_step__name",
          "procedure_version__id", "procedure_version__name"]


@dataclass(frozen=True)
class Windows:
    """The instants a sweep at `at` compares deadlines with (computed once from the working calendar)."""

    at: dt.datetime
    due_soon_until: dt.datetime
    step_overdue_before: dt.datetime
    dossier_overdue_before: dt.datetime
    since: dt.datetime

    @classmethod
    def at_instant(cls, at: dt.datetime) -> Windows:
        calendar = get_calendar()
        return cls(
            at=at,
            due_soon_until=due_soon_until(calendar, at, conf.due_soon()),
            step_overdue_before=overdue_before(calendar, at, conf.step_overdue_after()),
            dossier_overdue_before=overdue_before(calendar, at, conf.escalate_after()),
            since=at - conf.lookback(),
        )


@dataclass
class Fired:
    """What one kind of a sweep did: dossiers selected, facts logged, messages put in the outbox."""

    selected: int = 0
    logged: int = 0
    notifications: int = 0
    without_recipient: int = 0

    def as_dict(self) -> dict:
        return {"selected": self.selected, "logged": self.logged, "notifications": self.notifications,
                "without_recipient": self.without_recipient}


def send_step_reminders(at: dt.datetime | None = None) -> dict:
    """The reminders sweep: steps due soon, then overdue steps. Returns counts per kind and `count` (dossiers)."""
    at = at or timezone.now()
    windows = Windows.at_instant(at)
    recipients = Recipients(timezone.localdate(at))
    soon = _fire(ReminderKind.STEP_DUE_SOON, selection.steps_due_soon(at, windows.due_soon_until), "step_due_at",
                 at, recipients, recipients.for_step, lambda d: d.step_due_at)
    overdue = _fire(ReminderKind.STEP_OVERDUE,
                    selection.steps_overdue(windows.step_overdue_before, windows.since), "step_due_at",
                    at, recipients, recipients.for_step, lambda d: d.step_due_at)
    return {"count": soon.selected + overdue.selected, "step_due_soon": soon.as_dict(),
            "step_overdue": overdue.as_dict(), "membership_queries": recipients.queries}


def send_escalations(at: dt.datetime | None = None) -> dict:
    """The escalations sweep: open dossiers past their appointment in force."""
    at = at or timezone.now()
    windows = Windows.at_instant(at)
    recipients = Recipients(timezone.localdate(at))
    fired = _fire(ReminderKind.DOSSIER_OVERDUE,
                  selection.dossiers_overdue(windows.dossier_overdue_before, windows.since), "current_due_at",
                  at, recipients, recipients.for_escalation, lambda d: d.appointment)
    return {"count": fired.selected, "dossier_overdue": fired.as_dict(), "membership_queries": recipients.queries}


def _fire(kind: str, queryset: QuerySet, order: str, at: dt.datetime, recipients: Recipients,
          recipients_of: Callable, deadline_of: Callable) -> Fired:
    from congso.notifications.services import enqueue

    fired = Fired()
    ids = list(queryset.order_by(order, "id").values_list("id", flat=True)[:conf.max_per_sweep()])
    fired.selected = len(ids)
    channels = conf.channels()
    link = _link_maker()
    template = TEMPLATES[kind]
    for start in range(0, len(ids), BATCH):
        # The same filter again with the ids: a dossier an officer moved on meanwhile drops out.
        rows = list(queryset.filter(id__in=ids[start:start + BATCH])
                    .select_related("current_step", "procedure_version", "holder").only(*FIELDS))
        recipients.load({d.current_agency_id for d in rows} | {d.handling_agency_id for d in rows})
        with transaction.atomic():
            logs, targets = [], []
            for dossier in rows:
                deadline = deadline_of(dossier)
                people = recipients_of(dossier)
                step_id = dossier.current_step_id if kind != ReminderKind.DOSSIER_OVERDUE else None
                logs.append(ReminderLog(kind=kind, dossier_id=dossier.pk, step_id=step_id, deadline=deadline, at=at,
                                        recipients=len(people)))
                targets.append((dossier, deadline, people, step_id))
            ReminderLog.objects.bulk_create(logs, ignore_conflicts=True)
            fired.logged += len(logs)
            for dossier, deadline, people, step_id in targets:
                if not people:
                    fired.without_recipient += 1
                    continue
                context = _context(dossier, deadline, link)
                subject = step_id if step_id is not None else f"{dossier.pk}:{int(deadline.timestamp())}"
                for user in people:
                    fired.notifications += len(enqueue(
                        template=template, context=context, dedupe_key=f"reminder:{kind}:{subject}:{user.pk}",
                        user=user, channels=channels, dossier=dossier,
                    ))
    if fired.without_recipient:
        logger.warning("%s: %d dossier(s) had nobody to notify", kind, fired.without_recipient)
    if fired.logged >= ANALYZE_AFTER:
        _refresh_statistics()
    return fired


def _refresh_statistics() -> None:
    """After a large backlog went into the log, refresh PostgreSQL's statistics of the log table at once.

    The selections anti-join the log; with statistics from when the table was (nearly) empty, the planner expects
    one row and nests the loops, which costs 0.4 s at 3,400 overdue dossiers and grows with the square of the
    backlog until autovacuum analyzes the table. ANALYZE of this narrow table takes milliseconds.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(ReminderLog._meta.db_table)}")


def _context(dossier: Dossier, deadline: dt.datetime, link: Callable[[str], str]) -> dict:
    holder = dossier.holder
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name if dossier.procedure_version_id else "",
        "step": dossier.current_step.name if dossier.current_step_id else "",
        "deadline": timezone.localtime(deadline).isoformat(),
        "holder": holder.display_name if holder is not None else "",
        "link": link(dossier.code),
    }


_PLACEHOLDER = "CODE-PLACEHOLDER"


def _link_maker() -> Callable[[str], str]:
    """Absolute link to a dossier: the staff page when the project has one, else the API detail."""
    for name in ("dossiers:detail", "dossiers:dossier-detail", "dossiers-api:dossier-detail"):
        try:
            path = reverse(name, kwargs={"code": _PLACEHOLDER})
        except NoReverseMatch:
            continue
        except Exception:  # noqa: BLE001 - a broken URLconf must not stop the reminders; they go without a link
            logger.exception("cannot build dossier links")
            break
        base = settings.SITE_URL.rstrip("/") + path
        return lambda code: base.replace(_PLACEHOLDER, code)
    return lambda code: ""
