"""A small world for the engine's tests: a province, a service centre, two departments, their staff, one procedure
of 5 working days with a 5-step process (40 working hours), a 50,000 đ fee and two components."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from congso.accounts.models import AccountType, User
from congso.catalog.models import (
    Component,
    Fee,
    Field,
    Implementation,
    Procedure,
    ProcedureDuration,
    ProcedureVersion,
    Process,
    ProcessStep,
    Result,
)
from congso.dossiers.services.creation import ComponentInput, DossierInput
from congso.org.choices import AgencyKind, Role, UnitLevel, UnitType
from congso.org.models import Agency, Membership
from congso.org.services import create_unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


def make_user(username, agency=None, role=None, **extra):
    user = User.objects.create(username=username, full_name=username.title(), account_type=extra.pop(
        "account_type", AccountType.STAFF), **extra)
    if agency is not None:
        Membership.objects.create(user=user, agency=agency, role=role)
    return user


def make_procedure(code, handling, *, amount=Decimal(5), unit="working_day", fee=50_000, online="partial",
                   shares=(0, 24, 8, 8, 0), cutoff=None, valid_from=dt.date(2020, 1, 1)):
    field = Field.objects.get_or_create(name="Hộ tịch")[0]
    procedure = Procedure.objects.create(code=code)
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=1, valid_from=valid_from, name=f"Thủ tục thử {code}", field=field,
        levels=["province"], applicant_types=["citizen"], cutoff_time=cutoff, result_is_document=True,
    )
    ProcedureDuration.objects.create(version=version, channel="direct", amount=amount, unit=unit)
    if fee is not None:
        Fee.objects.create(version=version, name="Lệ phí", kind="charge", amount=fee)
    Component.objects.create(version=version, order=1, name="Tờ khai", originals=1)
    Component.objects.create(version=version, order=2, name="Bản sao giấy tờ tùy thân", certified_copies=1)
    Result.objects.create(version=version, name="Giấy chứng nhận", code="KQ.G15.000001", is_document=True)
    Implementation.objects.create(version=version, agency=handling, online_mode=online, level="province")
    if shares:
        process = Process.objects.create(version=version, agency=handling, name="Quy trình")
        roles = [Role.DESK_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.AGENCY_LEADER, Role.DESK_OFFICER]
        names = ["Tiếp nhận", "Thẩm định", "Xem xét", "Ký duyệt", "Trả kết quả"]
        for order, (name, role, share) in enumerate(zip(names, roles, shares, strict=True), start=1):
            ProcessStep.objects.create(process=process, order=order, name=name, role=role, share=Decimal(share))
    return procedure


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def world_tx(transactional_db):
    """The same world in a database whose transactions really commit (for tests with several threads). Mark such
    tests `serialized_rollback=True` so the seeded calendar survives the flush that follows them."""
    from congso.workcalendar.services import reset_cache

    reset_cache()
    return build_world()


def build_world():
    province = create_unit("97", "Tỉnh Thử", UnitType.PROVINCE, UnitLevel.PROVINCE, valid_from=dt.date(2000, 1, 1))
    root = Agency.objects.create(code="000.00.00.H97", name="UBND tỉnh Thử", kind=AgencyKind.PEOPLES_COMMITTEE,
                                 level=UnitLevel.PROVINCE, admin_unit=province)
    centre = Agency.objects.create(code="000.00.02.H97", name="Trung tâm PVHCC tỉnh", kind=AgencyKind.SERVICE_CENTRE,
                                   level=UnitLevel.PROVINCE, admin_unit=province, parent=root)
    justice = Agency.objects.create(code="000.00.03.H97", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT,
                                    level=UnitLevel.PROVINCE, admin_unit=province, parent=root)
    finance = Agency.objects.create(code="000.00.04.H97", name="Sở Tài chính", kind=AgencyKind.DEPARTMENT,
                                    level=UnitLevel.PROVINCE, admin_unit=province, parent=root)
    w = SimpleNamespace(
        province=province, root=root, centre=centre, justice=justice, finance=finance,
        desk=make_user("desk", centre, Role.DESK_OFFICER),
        justice_desk=make_user("jdesk", justice, Role.DESK_OFFICER),
        spec=make_user("spec", justice, Role.SPECIALIST),
        spec2=make_user("spec2", justice, Role.SPECIALIST),
        head=make_user("head", justice, Role.DEPARTMENT_HEAD),
        lead=make_user("lead", justice, Role.AGENCY_LEADER),
        fin_spec=make_user("finspec", finance, Role.SPECIALIST),
        monitor=make_user("monitor", root, Role.PROVINCIAL_MONITOR),
        citizen=make_user("citizen", account_type=AccountType.CITIZEN, citizen_id="001090012345"),
        other_citizen=make_user("citizen2", account_type=AccountType.CITIZEN),
    )
    w.procedure = make_procedure("1.000001", justice)
    return w


def intake(w, *, channel="direct", files=True, receiving=None, procedure="1.000001", **extra) -> DossierInput:
    components = [
        ComponentInput(catalog_component_id=c.pk, originals=1, file=("to khai.pdf", PDF) if files else None)
        for c in Procedure.objects.get(code=procedure).versions.first().components.all()
    ]
    values = dict(
        procedure_code=procedure, handling_agency_code=w.justice.code,
        receiving_agency_code=(receiving or w.centre).code if channel != "online" else w.justice.code,
        channel=channel, applicant_kind="person", applicant_name="Nguyễn Văn Án", applicant_id_number="001090012345",
        applicant_phone="0912345678", components=components,
    )
    values.update(extra)
    return DossierInput(**values)
