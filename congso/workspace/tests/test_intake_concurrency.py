"""Two submissions of the wizard's last step at the same moment (a double click, two tabs): one dossier.
Runs on PostgreSQL and on the file-backed SQLite test database, with real threads and commits."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from congso.dossiers.models import Dossier, DossierFile
from congso.dossiers.tests.conftest import build_world
from congso.workspace.intake import drafts
from congso.workspace.tests.test_intake import URL, through_components


@pytest.fixture
def world_tx(transactional_db):
    from congso.workcalendar.services import reset_cache

    reset_cache()
    return build_world()


def run_together(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def runner(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_submits_of_one_draft_create_one_dossier(world_tx):
    first = Client()
    first.force_login(world_tx.desk)
    through_components(first)
    token = drafts.get_draft(first.session)["token"]
    second = Client()
    second.cookies[settings.SESSION_COOKIE_NAME] = first.cookies[settings.SESSION_COOKIE_NAME].value

    data = {"token": token, "payment": "now"}
    results = run_together([lambda: first.post(URL["save"], data), lambda: second.post(URL["save"], data)])
    assert all(not isinstance(r, Exception) for r in results), results
    assert Dossier.objects.count() == 1
    dossier = Dossier.objects.get()
    receipt = reverse("workspace:intake_receipt", args=[dossier.code])
    assert [r.status_code for r in results] == [302, 302]
    assert [r["Location"] for r in results] == [receipt, receipt]
    assert DossierFile.objects.filter(dossier=dossier).count() == 2
    assert dossier.fee_paid == dossier.fee_due == 50_000  # paid once, not twice
