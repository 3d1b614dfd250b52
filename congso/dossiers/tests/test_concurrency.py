"""Two officers at once, many desks at once: on PostgreSQL and on a file-backed SQLite database (CI runs both)."""

import datetime as dt

import pytest

from congso.core.testing import run_threads
from congso.dossiers.choices import Action, Status
from congso.dossiers.models import Dossier, ProcessingEvent
from congso.dossiers.services.actions import perform
from congso.dossiers.services.common import Conflict, InvalidTransition
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import intake, local


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_on_one_dossier_one_wins_one_gets_a_conflict(world_tx):
    w = world_tx
    d = create_dossier(intake(w, files=False), w.desk, at=local(2025, 1, 20, 9))
    d = perform(d.code, Action.FORWARD, w.desk, at=local(2025, 1, 20, 10), assignee=w.spec)
    version = d.version

    def attempt(user, action, params):
        return perform(d.code, action, user, expected_version=version, at=local(2025, 1, 20, 11), **params)

    results = run_threads(attempt, [
        (w.spec, Action.FORWARD, {"assignee": w.head}),
        (w.lead, Action.STOP, {"reason": "Dừng"}),
    ])
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, Conflict)
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.version == version + 1
    assert ProcessingEvent.objects.filter(dossier=fresh).count() == 4  # create, accept, forward, + one winner
    assert fresh.status in (Status.IN_PROGRESS, Status.STOPPED)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_same_action_twice_without_versions_applies_once_then_is_invalid(world_tx):
    w = world_tx
    d = create_dossier(intake(w, files=False), w.desk, at=local(2025, 1, 20, 9))

    def stop():
        return perform(d.code, Action.STOP, w.lead, at=local(2025, 1, 20, 11), reason="Dừng")

    results = run_threads(stop, [(), ()])
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"]
    assert isinstance(next(v for k, v in results if k == "error"), InvalidTransition)
    assert ProcessingEvent.objects.filter(dossier=d, action=Action.STOP).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creation_gives_unique_gap_free_codes(world_tx):
    w = world_tx
    per_thread, threads = 5, 4

    def create_many(offset):
        codes = []
        for i in range(per_thread):
            at = local(2025, 1, 20, 9) + dt.timedelta(seconds=offset * 100 + i)
            codes.append(create_dossier(intake(w, files=False), w.desk, at=at).code)
        return codes

    results = run_threads(create_many, [(n,) for n in range(threads)])
    assert all(kind == "ok" for kind, _ in results), results
    codes = sorted(code for _, batch in results for code in batch)
    assert codes == [f"000.00.02.H97-250120-{n:04d}" for n in range(1, per_thread * threads + 1)]
    assert Dossier.objects.count() == per_thread * threads
