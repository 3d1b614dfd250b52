"""The schedule table and the slot claims: which sweep is due, and which beat enqueues it.

Each sweep runs in slots aligned on the wall clock (every 5 minutes: :00, :05, …; daily: at 02:00 local time).
`SweepRun.next_due_at` is the start of the next slot. A beat claims a due sweep with a conditional UPDATE

    UPDATE operations_sweeprun SET next_due_at = <next slot>, in_flight_since = now, …
     WHERE name = %s AND next_due_at <= now AND (in_flight_since IS NULL OR in_flight_since < now - stuck_after)

and enqueues its task only when the UPDATE changed the row, so two beats that overlap during a takeover never
enqueue the same slot twice. A sweep still queued or running from an earlier slot is not queued again (a stopped
worker does not pile up work); after `stuck_after` it is considered lost and queued again. A beat that was down
for hours runs each sweep once at its first tick, not once per missed slot.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from congso.operations import conf
from congso.operations.models import SweepRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    every: dt.timedelta
    task: str  # dotted path of the django-tasks Task
    description: str
    offset: dt.timedelta = dt.timedelta(0)  # where the slots start within the period (local time)
    run_at_start: bool = True  # a sweep never seen before runs at the first tick (else at its next slot)

    @property
    def stuck_after(self) -> dt.timedelta:
        """How long a queued or running sweep may stay in flight before it is queued again."""
        return max(self.every * 5, dt.timedelta(minutes=30))


#: name → every N seconds, in the order a tick enqueues them (delivery after the sweeps that fill the outbox). Change the intervals with CONGSO_BEAT_SCHEDULE (e.g. "reminders=600").
SCHEDULE: tuple[Sweep, ...] = (
    Sweep("reminders", dt.timedelta(minutes=5), "congso.operations.tasks.send_reminders",
          _("Remind holders of steps due soon and overdue")),
    Sweep("escalations", dt.timedelta(minutes=15), "congso.operations.tasks.send_escalations",
          _("Escalate overdue dossiers to department heads and agency leaders")),
    Sweep("refresh_timeliness", dt.timedelta(minutes=15), "congso.operations.tasks.refresh_open_timeliness",
          _("Re-judge the timeliness of open dossiers")),
    Sweep("deliver_outbox", dt.timedelta(minutes=1), "congso.operations.tasks.deliver_outbox",
          _("Deliver due outbox messages and retries")),
    Sweep("payments_reconcile", dt.timedelta(minutes=15), "congso.payments.tasks.reconcile_payments",
          _("Reconcile open online payments with the gateway")),
    Sweep("daily_purge", dt.timedelta(days=1), "congso.operations.tasks.daily_purge",
          _("Purge old task results and run the purge hooks"), offset=dt.timedelta(hours=2), run_at_start=False),
)


def schedule() -> list[Sweep]:
    """The schedule in force: the table above with the intervals of CONGSO_BEAT_SCHEDULE."""
    overrides = conf.schedule_overrides()
    known = {s.name for s in SCHEDULE}
    unknown = sorted(set(overrides) - known)
    if unknown:
        from congso.env import ConfigurationError

        raise ConfigurationError(f"CONGSO_BEAT_SCHEDULE: unknown sweep(s) {', '.join(unknown)}; "
                                 f"known: {', '.join(sorted(known))}")
    return [replace(s, every=dt.timedelta(seconds=overrides[s.name])) if s.name in overrides else s
            for s in SCHEDULE]


def next_slot(now: dt.datetime, sweep: Sweep) -> dt.datetime:
    """The start of the first slot strictly after `now`."""
    reference = dt.datetime(2000, 1, 1, tzinfo=timezone.get_default_timezone()) + sweep.offset
    elapsed = now - reference
    return reference + (elapsed // sweep.every + 1) * sweep.every


def ensure_rows(sweeps: list[Sweep], now: dt.datetime) -> None:
    """Create the SweepRun rows of new sweeps; follow a changed interval (the next slot never lies further away than
    one new period)."""
    existing = {r.name: r for r in SweepRun.objects.filter(name__in=[s.name for s in sweeps])}
    missing = [SweepRun(name=s.name, every_seconds=int(s.every.total_seconds()),
                        next_due_at=now if s.run_at_start else next_slot(now, s))
               for s in sweeps if s.name not in existing]
    if missing:
        SweepRun.objects.bulk_create(missing, ignore_conflicts=True)
    for sweep in sweeps:
        row = existing.get(sweep.name)
        seconds = int(sweep.every.total_seconds())
        if row is not None and row.every_seconds != seconds:
            values = {"every_seconds": seconds}
            if row.next_due_at > now + sweep.every:
                values["next_due_at"] = next_slot(now, sweep)
            SweepRun.objects.filter(pk=row.pk).update(**values)


def claim(sweep: Sweep, now: dt.datetime, holder: str) -> bool:
    """Claim the current slot of `sweep` for this beat (see the module docstring). True when it is ours."""
    return SweepRun.objects.filter(name=sweep.name, next_due_at__lte=now).filter(
        Q(in_flight_since__isnull=True) | Q(in_flight_since__lt=now - sweep.stuck_after)
    ).update(next_due_at=next_slot(now, sweep), last_enqueued_at=now, in_flight_since=now, enqueued_by=holder) == 1


def _enqueues_in_transaction(task) -> bool:
    """The database task backend writes the task row in the caller's transaction: claim and task commit together.
    Other backends (immediate in tests, RQ) are called after the claim commits."""
    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:  # pragma: no cover
        return False
    return isinstance(task.get_backend(), DatabaseBackend)


def tick(now: dt.datetime | None = None, *, holder: str, sweeps: list[Sweep] | None = None) -> list[str]:
    """One beat tick: enqueue every due sweep whose slot this beat claims. Returns the names enqueued."""
    now = now or timezone.now()
    sweeps = schedule() if sweeps is None else sweeps
    ensure_rows(sweeps, now)
    enqueued = []
    for sweep in sweeps:
        task = import_string(sweep.task)
        in_transaction = _enqueues_in_transaction(task)
        try:
            with transaction.atomic():
                if not claim(sweep, now, holder):
                    continue
                if in_transaction:  # the claim and the task row commit together, or neither does
                    result = task.enqueue()
                    SweepRun.objects.filter(name=sweep.name).update(last_task_id=str(result.id)[:64])
        except DatabaseError:
            raise  # the database is away: the beat's loop reports it and tries again at the next tick
        except Exception:
            logger.exception("could not enqueue sweep %s", sweep.name)
            continue
        if not in_transaction:
            try:
                result = task.enqueue()
            except Exception as exc:  # noqa: BLE001 - give the slot back, report, go on with the others
                logger.exception("could not enqueue sweep %s", sweep.name)
                SweepRun.objects.filter(name=sweep.name).update(
                    in_flight_since=None, next_due_at=now, last_error=_error_text(exc))
                continue
            SweepRun.objects.filter(name=sweep.name).update(last_task_id=str(result.id)[:64])
        enqueued.append(sweep.name)
    return enqueued


def run_sweep(name: str, work: Callable[[], dict]) -> dict:
    """Run a sweep's service inside its task and record the outcome on its SweepRun row."""
    started = timezone.now()
    SweepRun.objects.filter(name=name).update(last_started=started)
    try:
        result = work()
    except Exception as exc:
        SweepRun.objects.filter(name=name).update(
            last_finished=timezone.now(), last_error=_error_text(exc), in_flight_since=None,
            runs=F("runs") + 1, failures=F("failures") + 1)
        raise
    count = result.get("count") if isinstance(result, dict) else None
    errors = result.get("errors") if isinstance(result, dict) else None
    SweepRun.objects.filter(name=name).update(
        last_finished=timezone.now(), last_result=result, last_count=count if isinstance(count, int) else None,
        last_error="; ".join(errors)[:4000] if errors else "", in_flight_since=None, runs=F("runs") + 1)
    return result


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:4000]


def describe() -> list[dict]:
    """The schedule with each sweep's recorded state (for `congso beat --status` and the docs)."""
    rows = {r.name: r for r in SweepRun.objects.all()}
    out = []
    for sweep in schedule():
        row = rows.get(sweep.name)
        out.append({"name": sweep.name, "every": sweep.every, "description": str(sweep.description), "row": row})
    return out

