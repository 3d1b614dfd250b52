"""The sweeps as django-tasks tasks: `congso beat` enqueues them, `congso db_worker` runs them.

Each task wraps one service and records its outcome on the sweep's `SweepRun` row. They take no arguments (the
moment is the worker's "now"), so a slot that waited in the queue still works on fresh data. Any of them can be
queued by hand: `congso shell -c "from congso.operations import tasks; tasks.send_reminders.enqueue()"`.
"""

from __future__ import annotations

from django_tasks import task

from congso.operations.services import maintenance, reminders
from congso.operations.services.schedule import run_sweep


@task()
def deliver_outbox() -> dict:
    return run_sweep("deliver_outbox", maintenance.deliver_outbox)


@task()
def send_reminders() -> dict:
    return run_sweep("reminders", reminders.send_step_reminders)


@task()
def send_escalations() -> dict:
    return run_sweep("escalations", reminders.send_escalations)


@task()
def refresh_open_timeliness() -> dict:
    return run_sweep("refresh_timeliness", maintenance.refresh_open_timeliness)


@task()
def daily_purge() -> dict:
    return run_sweep("daily_purge", maintenance.daily_purge)
