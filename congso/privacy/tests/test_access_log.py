"""The access log service, the retention purge and its command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.utils import timezone

from congso.core.problems import Problem
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import intake, local
from congso.privacy.models import AccessLog
from congso.privacy.services import log_access, log_export, purge_access_logs, retention_days

HOSTILE = [
    "<script>alert('x')</script>",
    "'); DROP TABLE privacy_accesslog; --",
    "{{ settings.SECRET_KEY }} %(x)s ${jndi:ldap://x/a}",
    "\u202eevil\u202c ⚠️ Kiểm tra hồ sơ khiếu nại",
    "line one\nline two\tend",
]


@pytest.fixture
def dossier(world):
    return create_dossier(intake(world, files=False), world.desk, at=local(2025, 3, 3, 9))


def test_a_view_row_snapshots_who_and_where(world, dossier, rf: RequestFactory):
    request = rf.get("/x", REMOTE_ADDR="2001:db8::1")
    request.request_id = "abc-123456"
    row = log_access(world.spec, "view", dossier=dossier, request=request)
    assert (row.user, row.actor_name, row.actor_role, row.actor_agency) == (world.spec, "Spec", "specialist",
                                                                            world.justice)
    assert (row.target, row.dossier, row.dossier_code) == ("dossier", dossier, dossier.code)
    assert (row.request_id, row.ip, row.channel, row.unmasked, row.basis) == ("abc-123456", "2001:db8::1", "api",
                                                                             False, "")
    bad_ip = rf.get("/x", REMOTE_ADDR="not-an-ip")
    assert log_access(world.monitor, "view", dossier=dossier, request=bad_ip).ip is None


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_reasons_are_stored_as_text(world, dossier, text):
    row = log_access(world.monitor, "view", dossier=dossier, purpose=text, unmasked=True, basis="stated_reason")
    assert AccessLog.objects.get(pk=row.pk).purpose == text.strip()
    assert AccessLog.objects.count() == 1  # the table is still there


def test_control_characters_are_dropped_and_length_is_limited(world, dossier):
    row = log_access(world.monitor, "view", dossier=dossier, purpose="a\x00b\x1bc\x7fd", unmasked=True,
                     basis="stated_reason")
    assert row.purpose == "abcd"
    with pytest.raises(Problem) as error:
        log_access(world.monitor, "view", dossier=dossier, purpose="x" * 1001, unmasked=True, basis="stated_reason")
    assert error.value.status_code == 400 and "reason" in error.value.errors


def test_purpose_is_required_for_exports_and_revealed_views(world, dossier):
    with pytest.raises(Problem):
        log_access(world.monitor, "view", dossier=dossier, unmasked=True, basis="stated_reason", purpose="  ")
    with pytest.raises(Problem):
        log_export(world.monitor, "dossiers.xlsx", "")
    with pytest.raises(ValueError):
        log_access(world.monitor, "view", dossier=dossier, unmasked=True)  # no basis
    with pytest.raises(ValueError):
        log_access(world.monitor, "view")  # nothing accessed
    assert AccessLog.objects.count() == 0
    row = log_export(world.monitor, "dossiers.xlsx", "Báo cáo quý I", rows=120)
    assert (row.action, row.target, row.export_name, row.details) == ("export", "export", "dossiers.xlsx",
                                                                       {"rows": 120})


def test_the_database_refuses_a_revealed_view_without_purpose(world, dossier):
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLog.objects.create(user=world.monitor, action="view", target="dossier", dossier=dossier,
                                 unmasked=True, basis="stated_reason", purpose="")


def _row(user, dossier, at):
    return log_access(user, "view", dossier=dossier, at=at)


def test_purge_removes_only_rows_older_than_the_retention(world, dossier, settings):
    now = timezone.now()
    old = _row(world.spec, dossier, now - dt.timedelta(days=731))
    edge = _row(world.spec, dossier, now - dt.timedelta(days=729))
    new = _row(world.spec, dossier, now)
    assert retention_days() == 730
    assert purge_access_logs(now=now) == 1
    assert set(AccessLog.objects.values_list("pk", flat=True)) == {edge.pk, new.pk}
    assert old.pk not in AccessLog.objects.values_list("pk", flat=True)
    assert purge_access_logs(now=now) == 0
    settings.CONGSO_ACCESS_LOG_RETENTION_DAYS = 1
    assert purge_access_logs(now=now) == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [new.pk]


def test_purge_works_in_batches(world, dossier, monkeypatch):
    import congso.privacy.services as services

    monkeypatch.setattr(services, "PURGE_BATCH", 2)
    now = timezone.now()
    for days in range(800, 805):
        _row(world.spec, dossier, now - dt.timedelta(days=days))
    _row(world.spec, dossier, now)
    assert purge_access_logs(now=now) == 5 and AccessLog.objects.count() == 1


@pytest.mark.parametrize("value", [0, -5, "730", None, True])
def test_a_bad_retention_setting_fails_loudly(settings, value):
    settings.CONGSO_ACCESS_LOG_RETENTION_DAYS = value
    with pytest.raises(ImproperlyConfigured):
        purge_access_logs()


def test_naive_now_is_refused(db):
    with pytest.raises(ValueError):
        purge_access_logs(now=dt.datetime(2025, 1, 1))


def test_the_purge_command(world, dossier):
    now = timezone.now()
    _row(world.spec, dossier, now - dt.timedelta(days=1000))
    _row(world.spec, dossier, now)
    out = StringIO()
    call_command("privacy", "purge", "--dry-run", stdout=out)
    assert "1" in out.getvalue() and AccessLog.objects.count() == 2
    out = StringIO()
    call_command("privacy", "purge", stdout=out)
    assert "1" in out.getvalue() and AccessLog.objects.count() == 1
