"""The dossier engine's small world (congso/dossiers/tests/conftest.py) and helpers to reach a completed dossier."""

from __future__ import annotations

import datetime as dt

from rest_framework.test import APIClient

from congso.dossiers.choices import Action, Status
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import PDF, intake, local, world, world_tx  # noqa: F401 - fixtures

START = local(2025, 3, 3, 9, 0)  # a Monday


def api(user=None, **headers):
    client = APIClient(**headers)
    if user is not None:
        client.force_authenticate(user)
    return client


def online(w, at=START, **extra):
    """An online dossier submitted by the world's citizen (status 1)."""
    return create_dossier(intake(w, channel="online", files=False, **extra), w.citizen, at=at)


def at_desk(w, at=START, **extra):
    """A dossier taken in at the service centre's desk (status 2)."""
    return create_dossier(intake(w, files=False, **extra), w.desk, at=at)


def resolve(w, dossier, at=START, *, electronic=True, valid_catalog_result=True):
    """Accept (online), forward desk → specialist → head → leader, and complete with one result."""
    step = dt.timedelta(minutes=10)
    desk = w.desk if dossier.receiving_agency_id == w.centre.pk else w.justice_desk
    d = dossier
    if d.status == Status.NEW:
        d = perform(d.code, Action.ACCEPT, desk, at=at)
    d = perform(d.code, Action.FORWARD, desk, at=at + step, assignee=w.spec)
    d = perform(d.code, Action.FORWARD, w.spec, at=at + 2 * step, assignee=w.head)
    d = perform(d.code, Action.FORWARD, w.head, at=at + 3 * step, assignee=w.lead)
    result = {"name": "Giấy chứng nhận", "number": "12/GCN"}
    if valid_catalog_result:
        result["catalog_result_id"] = d.procedure_version.results.get().pk
    if electronic:
        result["file"] = ("ket qua.pdf", PDF)
    return perform(d.code, Action.COMPLETE, w.lead, at=at + 4 * step, results=[result])
