"""`congso beat`: one tick enqueues the due sweeps and records them; the lease; options; signals."""

import datetime as dt
import io
import os
import signal
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from congso.dossiers.choices import Action, Timeliness
from congso.dossiers.models import Dossier
from congso.notifications.models import Notification
from congso.operations.models import BeatLock, SweepRun
from congso.operations.services import schedule
from congso.operations.services.lock import EPOCH, Lease
from congso.operations.tests.conftest import act, create

FREQUENT = ["deliver_outbox", "escalations", "payments_reconcile", "refresh_timeliness", "reminders"]


def beat(*args):
    out = io.StringIO()
    call_command("beat", *args, stdout=out)
    return out.getvalue()


def runs():
    return {r.name: r.runs for r in SweepRun.objects.all()}


@pytest.fixture
def late_dossier(ops_world):
    """A dossier received 20 days ago whose step and appointment have passed (relative to the real clock)."""
    w = ops_world
    received = timezone.now() - dt.timedelta(days=20)
    d = create(w, received)
    return act(d, Action.FORWARD, w.desk, received + dt.timedelta(hours=1), assignee=w.spec)


def test_once_enqueues_the_due_sweeps_runs_them_and_records_them(late_dossier):
    output = beat("--once")
    assert "Enqueued: reminders, escalations, refresh_timeliness, deliver_outbox, payments_reconcile" in output
    rows = {r.name: r for r in SweepRun.objects.all()}
    assert sorted(rows) == sorted([*FREQUENT, "daily_purge"])
    now = timezone.now()
    for name in FREQUENT:
        row = rows[name]
        assert row.runs == 1 and row.failures == 0 and row.last_error == "", name
        assert row.last_started <= row.last_finished <= now and row.in_flight_since is None
        assert now < row.next_due_at <= now + dt.timedelta(seconds=row.every_seconds)
    assert rows["reminders"].last_result["step_overdue"]["selected"] == 1
    assert rows["escalations"].last_result["dossier_overdue"]["selected"] == 1
    assert rows["refresh_timeliness"].last_count == 1
    assert Dossier.objects.get(pk=late_dossier.pk).timeliness == Timeliness.OPEN_OVERDUE
    # The daily purge waits for its slot (02:00 local time) rather than running at the first start.
    assert rows["daily_purge"].runs == 0 and rows["daily_purge"].next_due_at > now
    assert timezone.localtime(rows["daily_purge"].next_due_at).hour == 2
    assert sorted(Notification.objects.values_list("template", flat=True)) == [
        "dossier_overdue_escalation", "dossier_overdue_escalation", "step_overdue"]
    # A second beat right after: nothing is due, nothing runs twice in the period.
    assert "Enqueued" not in beat("--once")
    assert runs() == {**dict.fromkeys(FREQUENT, 1), "daily_purge": 0}
    # The lease was given back on the way out.
    assert BeatLock.objects.get(name="beat").holder == ""


def test_a_slot_that_came_is_claimed_again_and_a_missed_period_runs_once(db):
    beat("--once")
    SweepRun.objects.filter(name="reminders").update(next_due_at=timezone.now() - dt.timedelta(hours=5))
    output = beat("--once")
    assert "Enqueued: reminders" in output and "escalations" not in output
    assert runs()["reminders"] == 2


def test_a_sweep_in_flight_is_not_queued_again_until_it_is_stuck(db):
    now = timezone.now()
    sweep = next(s for s in schedule.schedule() if s.name == "reminders")
    schedule.ensure_rows([sweep], now)
    assert schedule.claim(sweep, now, "a")
    later = schedule.next_slot(now, sweep) + dt.timedelta(seconds=1)
    assert not schedule.claim(sweep, later, "a")  # still queued or running
    assert schedule.claim(sweep, now + sweep.stuck_after + dt.timedelta(minutes=6), "a")  # lost: queued again
    SweepRun.objects.filter(name="reminders").update(in_flight_since=None)
    assert not schedule.claim(sweep, now + sweep.stuck_after + dt.timedelta(minutes=6), "b")  # slot already taken


def test_a_failing_sweep_records_its_error_and_frees_the_slot(db, monkeypatch):
    from congso.operations.services import reminders

    def broken(at=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(reminders, "send_step_reminders", broken)
    beat("--once")
    row = SweepRun.objects.get(name="reminders")
    assert row.failures == 1 and row.last_error == "RuntimeError: boom" and row.in_flight_since is None
    assert SweepRun.objects.get(name="escalations").failures == 0  # the others ran


def test_another_beat_holding_the_lease_makes_a_second_one_exit(db):
    BeatLock.objects.create(name="beat", holder="node-a:4242:cafe", expires_at=timezone.now() + dt.timedelta(minutes=3))
    with pytest.raises(CommandError) as caught:
        beat("--once")
    assert caught.value.returncode == 3
    assert "node-a:4242:cafe" in str(caught.value) and "--wait" in str(caught.value)
    assert not SweepRun.objects.exists()
    assert BeatLock.objects.get().holder == "node-a:4242:cafe"


def test_a_stale_lease_is_taken_over(db):
    BeatLock.objects.create(name="beat", holder="node-a:4242:cafe", expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "Enqueued" in beat("--once")
    assert BeatLock.objects.get().holder == ""  # taken over, then released


def test_wait_stands_by_until_the_lease_expires(db):
    BeatLock.objects.create(name="beat", holder="node-a:4242:cafe",
                            expires_at=timezone.now() + dt.timedelta(seconds=0.6))
    started = time.monotonic()
    output = beat("--once", "--wait", "--interval", "0.1")
    assert "waiting for the lock" in output and "Enqueued" in output
    assert 0.5 <= time.monotonic() - started < 10


@pytest.mark.django_db
def test_a_lease_is_renewed_by_its_holder_and_lost_to_a_takeover():
    now = timezone.now()
    a = Lease(lease=dt.timedelta(seconds=30), holder="a")
    b = Lease(lease=dt.timedelta(seconds=30), holder="b")
    assert a.acquire(now) and not b.acquire(now + dt.timedelta(seconds=10))
    assert a.renew(now + dt.timedelta(seconds=20))
    assert not b.acquire(now + dt.timedelta(seconds=45))  # renewed at +20 s: valid until +50 s
    assert b.acquire(now + dt.timedelta(seconds=51))  # stale: taken over
    assert not a.renew(now + dt.timedelta(seconds=52))  # a must stop
    assert b.release() and not a.release()
    assert BeatLock.objects.get().expires_at == EPOCH


@pytest.mark.parametrize("args", [
    ["--interval", "abc"], ["--interval", "0"], ["--interval", "-5"], ["--interval", "nan"],
    ["--ticks", "0"], ["--ticks", "x"], ["--once", "--ticks", "2"], ["--interval", "5", "--lease", "5"],
    ["--lease", "0"],
])
def test_malformed_options_exit_with_code_2(db, args):
    with pytest.raises(CommandError) as caught:
        beat(*args)
    assert caught.value.returncode == 2
    assert not BeatLock.objects.exists()


def test_bad_schedule_setting_exits_with_code_2(db, settings):
    settings.CONGSO_BEAT_SCHEDULE = "reminders=300,nonsense=10"
    with pytest.raises(CommandError) as caught:
        beat("--once")
    assert caught.value.returncode == 2 and "nonsense" in str(caught.value)
    settings.CONGSO_BEAT_SCHEDULE = "reminders=600"
    beat("--once")
    assert SweepRun.objects.get(name="reminders").every_seconds == 600


def test_status_prints_the_lock_and_the_schedule(db):
    beat("--once")
    output = beat("--status")
    assert "Lock: free" in output
    for name in [*FREQUENT, "daily_purge"]:
        assert name in output
    assert "5 min" in output and "1 d" in output


class Watched(io.StringIO):
    """Output that tells when the beat has entered its loop (its handlers are installed by then)."""

    def __init__(self):
        super().__init__()
        self.running = threading.Event()

    def write(self, text):
        if "holds the lock" in text:
            self.running.set()
        return super().write(text)


def test_sigterm_stops_the_loop_promptly_and_releases_the_lease(db):
    out = Watched()

    def terminate():
        if out.running.wait(timeout=20):
            time.sleep(0.3)  # inside the 30-second sleep
            os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM)
    killer = threading.Thread(target=terminate)
    killer.start()
    started = time.monotonic()
    call_command("beat", "--interval", "30", stdout=out)
    killer.join()
    assert time.monotonic() - started < 10
    assert "stopped after 1 tick" in out.getvalue()
    assert BeatLock.objects.get().holder == ""
    assert signal.getsignal(signal.SIGTERM) == previous


def test_purge_deletes_old_finished_task_results_and_runs_hooks(db, settings):
    from django_tasks_db.models import DBTaskResult

    from congso.operations.services.maintenance import daily_purge

    now = timezone.now()
    common = dict(args_kwargs={"args": [], "kwargs": {}}, task_path="congso.operations.tasks.daily_purge",
                  backend_name="default", queue_name="default", run_after=now, exception_class_path="",
                  traceback="")
    old = DBTaskResult.objects.create(status="SUCCESSFUL", finished_at=now - dt.timedelta(days=40), **common)
    recent = DBTaskResult.objects.create(status="SUCCESSFUL", finished_at=now - dt.timedelta(days=2), **common)
    waiting = DBTaskResult.objects.create(status="READY", **common)
    settings.CONGSO_PURGE_HOOKS = ["congso.operations.tests.test_beat.sample_hook", "no.such.hook"]
    result = daily_purge(now)
    assert result["task_results"] == 1 and result["congso.operations.tests.test_beat.sample_hook"] == {"count": 7}
    assert result["count"] == 8 and len(result["errors"]) == 1
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {recent.id, waiting.id}
    assert old.id not in set(DBTaskResult.objects.values_list("id", flat=True))


def sample_hook():
    return 7


def test_a_beat_whose_lease_was_taken_over_stops_with_code_3(db, monkeypatch):
    original = schedule.tick

    def tick_then_lose_the_lease(now, *, holder):
        names = original(now, holder=holder)
        BeatLock.objects.update(holder="node-b:7:beef", expires_at=now + dt.timedelta(minutes=3))
        return names

    monkeypatch.setattr(schedule, "tick", tick_then_lose_the_lease)
    with pytest.raises(CommandError) as caught:
        beat("--ticks", "3", "--interval", "0.05")
    assert caught.value.returncode == 3 and "took the lock over" in str(caught.value)
    assert BeatLock.objects.get().holder == "node-b:7:beef"  # the loser did not release someone else's lease


def test_a_database_error_in_a_tick_is_reported_and_the_next_tick_goes_on(db, monkeypatch):
    from django.db import OperationalError

    original = schedule.tick
    calls = []

    def flaky(now, *, holder):
        calls.append(now)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return original(now, holder=holder)

    monkeypatch.setattr(schedule, "tick", flaky)
    output = beat("--ticks", "2", "--interval", "0.05")
    assert "Enqueued: reminders" in output and "stopped after 2 tick(s)" in output


def test_outbox_sweep_delivers_through_deliver_due_or_skips_without_it(db, monkeypatch):
    from congso.notifications import services as outbox
    from congso.operations.services.maintenance import deliver_outbox

    calls = []
    monkeypatch.setattr(outbox, "deliver_due", lambda batch=100: calls.append(batch) or (100 if len(calls) < 3 else 7),
                        raising=False)
    assert deliver_outbox() == {"count": 207, "sent": 207}  # full batches again, until one comes back short
    assert calls == [100, 100, 100]
    monkeypatch.delattr(outbox, "deliver_due")
    assert deliver_outbox()["count"] == 0 and "not available" in deliver_outbox()["skipped"]
