"""The dossier engine's test world (congso/dossiers/tests/conftest.py), with e-mail addresses so the outbox has
somewhere to send reminders, and a few helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import build_world, intake, local, make_user, world, world_tx  # noqa: F401 (fixtures)
from congso.notifications.models import Notification
from congso.operations.models import ReminderLog


@pytest.fixture(autouse=True)
def _english():
    """The assertions read the English source strings (the default language is Vietnamese once translated)."""
    with translation.override("en"):
        yield


def give_addresses(w) -> None:
    for value in vars(w).values():
        if hasattr(value, "username") and hasattr(value, "email") and not value.email:
            value.email = f"{value.username}@example.gov.vn"
            value.save(update_fields=["email"])


@pytest.fixture
def ops_world(world):  # noqa: F811 - the fixture imported above
    give_addresses(world)
    return world


def create(w, at, **kwargs):
    return create_dossier(intake(w, files=False, **kwargs), w.desk, at=at)


def act(dossier, action, user, at, **params):
    return perform(dossier.code, action, user, at=at, **params)


def sent(template: str | None = None):
    """(template, username) of every message in the outbox, in order."""
    rows = Notification.objects.order_by("id")
    if template:
        rows = rows.filter(template=template)
    return [(n.template, n.user.username) for n in rows.select_related("user")]


def logged(kind: str | None = None) -> int:
    rows = ReminderLog.objects.all()
    return rows.filter(kind=kind).count() if kind else rows.count()


def minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


__all__ = ["act", "create", "give_addresses", "local", "logged", "minutes", "sent"]
