"""The bulk history generator (congso/demo/bulk.py): same kind of rows as the engine, resumable, checks the disk,
and leaves the aggregates equal to the recount."""

import datetime as dt
from collections import namedtuple

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congso.demo import bulk
from congso.dossiers.models import Dossier, ProcessingEvent
from congso.org.models import Agency
from congso.stats import rebuild
from congso.stats.queries import dossier_counts, recount_dossier_counts


@pytest.fixture
def demo(db, monkeypatch, settings, tmp_path):
    from congso.demo.builder import build_demo

    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(bulk, "CHUNK", 150)
    build_demo()


def test_bulk_history_is_resumable_and_the_aggregates_equal_the_recount(demo):
    call_command("demo_bulk", "--dossiers", "300", "--years", "2")
    assert Dossier.objects.filter(origin="bulk").count() == 300
    first_codes = set(Dossier.objects.filter(origin="bulk").values_list("code", flat=True))
    call_command("demo_bulk", "--dossiers", "450", "--years", "2", "--resume")
    assert Dossier.objects.filter(origin="bulk").count() == 450
    assert first_codes < set(Dossier.objects.filter(origin="bulk").values_list("code", flat=True))
    assert ProcessingEvent.objects.filter(dossier__origin="bulk").count() > 450 * 3
    report = rebuild.check()
    assert report.ok, report.differences
    ids = list(Agency.objects.values_list("pk", flat=True))
    from django.utils import timezone

    today = timezone.localdate()
    for start, end in [(today - dt.timedelta(days=365), today), (today - dt.timedelta(days=700), today - dt.timedelta(days=300))]:
        fast = dossier_counts(ids, start, end)
        assert fast == recount_dossier_counts(ids, start, end)
        assert fast.received > 0 and fast.resolved > 0 and fast.paid_online[1] > 0
    # every kind of outcome is there
    statuses = set(Dossier.objects.filter(origin="bulk").values_list("status", flat=True))
    assert {3, 10} <= statuses
    # nothing more to do
    call_command("demo_bulk", "--dossiers", "450")
    assert Dossier.objects.filter(origin="bulk").count() == 450


def test_bulk_refuses_when_the_disk_is_too_small(demo, monkeypatch):
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(bulk.shutil, "disk_usage", lambda path: Usage(10**9, 10**9 - 10**5, 10**5))
    with pytest.raises(CommandError, match="GB"):
        call_command("demo_bulk", "--dossiers", "1000")
    assert not Dossier.objects.filter(origin="bulk").exists()


def test_bulk_rejects_bad_arguments(demo):
    for args in (["--dossiers", "0"], ["--dossiers", "10", "--years", "0"], ["--dossiers", "10", "--years", "99"]):
        with pytest.raises(CommandError):
            call_command("demo_bulk", *args)
