"""Test data builders for the catalogue (factory-boy for plain rows, helpers going through the services)."""

from __future__ import annotations

import datetime as dt

import factory

from congso.catalog import services
from congso.catalog.importing import validate_version_data
from congso.catalog.models import Field, Procedure


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("name",)

    name = "Hộ tịch"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"1.{n + 100000:06d}")


def record_data(**overrides) -> dict:
    """A valid record in the import format (without code)."""
    data = {
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "levels": ["commune"],
        "applicant_types": ["citizen"],
        "agency_text": "Ủy ban nhân dân cấp xã",
        "steps": "Nộp hồ sơ; kiểm tra; cấp Giấy khai sinh.",
        "method": "Trực tiếp, trực tuyến, bưu chính",
        "durations": [{"channel": "direct", "amount": 1, "unit": "working_day"},
                      {"channel": "online", "amount": 1, "unit": "working_day"}],
        "cutoff_time": "15:00",
        "fee_text": "Miễn phí.",
        "fees": [{"name": "Lệ phí đăng ký khai sinh", "kind": "charge", "amount": 0}],
        "components": [{"name": "Tờ khai đăng ký khai sinh", "originals": 1, "certified_copies": 0}],
        "results": [{"name": "Giấy khai sinh (KQ.G15.000031)"}],
        "legal_basis": [{"title": "Luật Hộ tịch số 60/2014/QH13", "effective_date": "2016-01-01"}],
    }
    data.update(overrides)
    return data


def make_version(code: str = "1.001193", valid_from: dt.date | None = None, **overrides):
    """A procedure with one version written through the same path as the importer."""
    record = validate_version_data(record_data(valid_from=valid_from.isoformat() if valid_from else None,
                                               **overrides), code)
    procedure = Procedure.objects.create(code=code)
    field, _created = Field.objects.get_or_create(name=record["field"])
    return services.write_version(procedure, 1, record, field, None)
