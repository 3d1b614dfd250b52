"""Aggregates equal recounts on histories made by the demo generator (through the engine), and stay exact when many
actions run at once."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from congso.core.testing import run_threads as shared_run_threads
from congso.dossiers.choices import Action
from congso.dossiers.services.creation import create_dossier
from congso.org.models import Agency
from congso.stats import rebuild
from congso.stats.queries import dossier_counts, recount_dossier_counts
from congso.stats.tests.conftest import act, intake, local, resolve


@pytest.mark.django_db
def test_demo_history_aggregates_equal_recounts():
    from congso.demo.builder import build_demo
    from congso.demo.history import generate_history

    build_demo()
    stats = generate_history(80, 14, seed=7)
    assert stats["dossiers"] >= 60
    report = rebuild.check()
    assert report.ok, report.differences
    ids = list(Agency.objects.values_list("pk", flat=True))
    today = timezone.localdate()
    for start, end in [(today.replace(month=1, day=1), today), (today - dt.timedelta(days=400), today),
                       (today - dt.timedelta(days=90), today - dt.timedelta(days=30))]:
        fast = dossier_counts(ids, start, end)
        assert fast == recount_dossier_counts(ids, start, end)
    assert dossier_counts(ids, today - dt.timedelta(days=400), today).received > 0


def run_threads(target, args_list):
    """The shared runner, keeping only the exceptions (the aggregates are then checked against a recount)."""
    return [value for kind, value in shared_run_threads(target, args_list) if kind == "error"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_actions_keep_the_aggregates_exact(world_tx):
    """Eight threads resolve dossiers of the same agency, procedure and day at once: every UPSERT lands on the same
    aggregate rows."""
    w = world_tx
    dossiers = [create_dossier(intake(w, files=False), w.desk, at=local(2025, 1, 20, 9, i)) for i in range(8)]

    def work(d):
        for attempt in range(20):
            try:
                resolve(w, d, local(2025, 1, 20, 10))
                return
            except Exception as exc:  # SQLite: a busy database under eight writers — retry like a client would
                if "locked" not in str(exc) or attempt == 19:
                    raise
                connection.close()

    errors = run_threads(work, [(d,) for d in dossiers])
    assert not errors, errors
    report = rebuild.check()
    assert report.ok, report.differences
    counts = dossier_counts([w.justice.pk], dt.date(2025, 1, 20), dt.date(2025, 1, 20))
    assert counts.received == 8 and counts.resolved == 8 and counts.on_time == 8
    assert counts == recount_dossier_counts([w.justice.pk], dt.date(2025, 1, 20), dt.date(2025, 1, 20))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_intake_of_many_desks(world_tx):
    w = world_tx

    def take(i):
        for attempt in range(20):
            try:
                d = create_dossier(intake(w, files=False), w.desk, at=local(2025, 1, 21, 9, i))
                act(d, Action.FORWARD, w.desk, local(2025, 1, 21, 10, i), assignee=w.spec)
                return
            except Exception as exc:
                if "locked" not in str(exc) or attempt == 19:
                    raise
                connection.close()

    errors = run_threads(take, [(i,) for i in range(8)])
    assert not errors, errors
    assert rebuild.check().ok
    assert dossier_counts([w.justice.pk], dt.date(2025, 1, 21), dt.date(2025, 1, 21)).received == 8


def test_dashboard_queries_equal_their_recounts(world, history):
    from congso.stats import dashboard

    ids = list(Agency.objects.values_list("pk", flat=True))
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    trend = dashboard.monthly_trend(ids, start, end)
    assert trend == dashboard.recount_monthly_trend(ids, start, end)
    assert trend["2025-03"]["resolved"] == 2 and trend["2025-04"]["received"] == 3
    late = dashboard.late_by_agency_procedure(ids, start, end)
    assert late == dashboard.recount_late_by_agency_procedure(ids, start, end)
    assert late == [(world.justice.pk, world.procedure.pk, 2)]
    assert dashboard.in_progress_now(ids) == dashboard.recount_in_progress_now(ids)
    for day in (dt.date(2025, 4, 8), dt.date(2025, 4, 30)):
        assert dashboard.in_progress_now(ids, day) == dashboard.recount_in_progress_now(ids, day)
    assert dashboard.satisfaction(ids, start, end) == dashboard.recount_satisfaction(ids, start, end) == (1, 2)
