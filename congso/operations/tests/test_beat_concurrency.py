"""Two beats at once, for real (threads, committed transactions): on the file-backed SQLite and on PostgreSQL."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from congso.core.testing import run_threads
from congso.operations.models import BeatLock, SweepRun
from congso.operations.services import schedule
from congso.operations.services.lock import Lease

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_processes_racing_for_the_lease_one_gets_it():
    now = timezone.now()
    leases = [Lease(lease=dt.timedelta(seconds=30), holder=f"node-{i}") for i in range(4)]
    results = run_threads(lambda lease: lease.acquire(now), [(lease,) for lease in leases])
    assert sorted(value for _kind, value in results) == [False, False, False, True], results
    winner = next(lease for lease, (_kind, value) in zip(leases, results, strict=True) if value)
    assert BeatLock.objects.get(name="beat").holder == winner.holder


def test_two_beats_started_together_one_runs_the_other_exits():
    def start(_index):
        out = io.StringIO()
        with translation.override("en"):  # the language is per thread
            call_command("beat", "--ticks", "3", "--interval", "0.3", stdout=out)
        return out.getvalue()

    results = run_threads(start, [(0,), (1,)])
    kinds = sorted(kind for kind, _value in results)
    assert kinds == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, CommandError) and error.returncode == 3
    assert "Another beat is running" in str(error)
    output = next(value for kind, value in results if kind == "ok")
    assert "stopped after 3 tick(s)" in output
    # Three ticks, one slot each: every frequent sweep ran once.
    assert {r.name: r.runs for r in SweepRun.objects.all()} == {
        "reminders": 1, "escalations": 1, "refresh_timeliness": 1, "deliver_outbox": 1, "payments_reconcile": 1,
        "daily_purge": 0}


def test_two_beats_overlapping_during_a_takeover_never_enqueue_a_slot_twice():
    """The old holder (paused past its lease) and the new one tick at the same moment: each slot is claimed by one."""
    now = timezone.now()
    sweeps = schedule.schedule()
    schedule.ensure_rows(sweeps, now)
    results = run_threads(lambda holder: schedule.tick(now, holder=holder), [("old",), ("new",)])
    assert all(kind == "ok" for kind, _value in results), results
    first, second = (value for _kind, value in results)
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(["reminders", "escalations", "refresh_timeliness", "deliver_outbox",
                                            "payments_reconcile"])
    assert {r.name: r.runs for r in SweepRun.objects.all()}["reminders"] == 1
