"""Export then import gives the same data, in JSON and in XLSX."""

import io

import pytest

from congso.catalog import services
from congso.catalog.demo import load_demo_catalogue
from congso.catalog.exporting import catalogue_records, export_catalogue
from congso.catalog.importing import import_catalogue
from congso.catalog.models import Fee, Field, Implementation, Procedure, ProcedureVersion, Process


def wipe_catalogue():
    Process.objects.all().delete()
    Implementation.objects.all().delete()
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    Field.objects.all().delete()


@pytest.fixture
def catalogue(org):
    load_demo_catalogue(org.commune_pcs, org.provincial)
    fee = Fee.objects.filter(set_by_province=True).order_by("pk").first()
    services.set_fee_override(fee, 12_000, None)
    return catalogue_records()


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_round_trip_into_the_same_database_changes_nothing(catalogue, fmt):
    buffer = io.BytesIO()
    assert export_catalogue(buffer, fmt) == 60
    buffer.seek(0)
    report = import_catalogue(buffer, fmt=fmt)
    assert not report.has_errors, report.errors[:3]
    assert len(report.unchanged) == 60 and not report.changed


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_round_trip_into_an_empty_catalogue_gives_the_same_records(catalogue, fmt):
    buffer = io.BytesIO()
    export_catalogue(buffer, fmt)
    wipe_catalogue()
    buffer.seek(0)
    report = import_catalogue(buffer, fmt=fmt)
    assert not report.has_errors, report.errors[:3]
    assert len(report.created) == 60
    assert catalogue_records() == catalogue
