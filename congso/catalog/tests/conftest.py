"""Fixtures of the catalogue tests: a small demo-like province (3 communes) and catalogue helpers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from congso.catalog.tests.factories import make_version
from congso.demo.province import PROVINCIAL_AGENCIES, commune_agency_codes
from congso.org.models import AdminUnit, Agency


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the report messages in the source language; the UI shows them in Vietnamese."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    """A province with its provincial agencies (codes of congso.demo.province) and 3 communes, each with a
    People's Committee and a service centre."""
    province = AdminUnit.objects.create(code="99", level="province", name="Tỉnh Hồng Lam", unit_type="tinh")
    provincial, root = {}, None
    for code, name, short, kind in PROVINCIAL_AGENCIES:
        agency = Agency.objects.create(code=code, name=name, short_name=short, kind=kind, level="province",
                                       admin_unit=province, parent=root)
        root = root or agency
        provincial[code] = agency
    commune_pcs, centres = [], []
    for index in range(1, 4):
        unit = AdminUnit.objects.create(code=f"4100{index}", level="commune", name=f"Xã Số {index}", unit_type="xa",
                                        parent=province)
        pc_code, centre_code = commune_agency_codes(index)
        pc = Agency.objects.create(code=pc_code, name=f"Ủy ban nhân dân Xã Số {index}", kind="peoples_committee",
                                   level="commune", admin_unit=unit, parent=root)
        centre = Agency.objects.create(code=centre_code, name=f"Trung tâm PVHCC Xã Số {index}",
                                       kind="service_centre", level="commune", admin_unit=unit, parent=pc)
        commune_pcs.append(pc)
        centres.append(centre)
    return SimpleNamespace(province=province, provincial=provincial, commune_pcs=commune_pcs, centres=centres,
                           justice=provincial["000.00.03.H99"], centre=provincial["000.00.02.H99"])


@pytest.fixture
def version(db):
    """1.001193 "Thủ tục đăng ký khai sinh": 1 working day, in force since an unknown date."""
    return make_version()
