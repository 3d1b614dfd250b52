"""The engine's small world (congso/dossiers/tests/conftest.py) plus what the portal needs: citizens with
passwords, a birth-registration procedure to search for, and helpers that play the agency's side."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from congso.accounts.models import AccountType
from congso.catalog.models import Fee, Field, LegalBasis, ProcedureVersion
from congso.dossiers.choices import Action
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import ComponentInput, DossierInput, create_dossier
from congso.dossiers.tests.conftest import PDF, PNG, build_world, make_procedure, make_user  # noqa: F401

PASSWORD = "Mat-khau-rat-dai-2026"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def world(db):
    return build_portal_world()


def build_portal_world():
    """The engine's world, citizens with passwords and e-mail, and "Đăng ký khai sinh" (fully online, a reduced
    online fee, a legal basis)."""
    w = build_world()
    for user in (w.citizen, w.other_citizen):
        user.set_password(PASSWORD)
        user.email = f"{user.username}@example.vn"
        user.phone = "0912345678"
        user.save()
    birth = make_procedure("1.001193", w.justice, fee=8_000, online="full")
    version = ProcedureVersion.objects.get(procedure=birth)
    version.name = "Đăng ký khai sinh"
    version.field = Field.objects.get_or_create(name="Hộ tịch")[0]
    version.steps = "Bước 1: nộp hồ sơ.\nBước 2: nhận kết quả."
    version.method = "Trực tiếp hoặc trực tuyến"
    version.conditions = "Không"
    version.save()
    fee = Fee.objects.get(version=version)
    fee.online_amount = 4_000
    fee.save()
    LegalBasis.objects.create(version=version, title="Luật Hộ tịch", number="60/2014/QH13")
    w.birth = birth
    w.birth_version = version
    return w


def online_dossier(w, user=None, procedure="1.001193", phone="0912345678", id_number="001090012345"):
    """An online dossier of `user` (default the citizen), status new."""
    user = user or w.citizen
    version = ProcedureVersion.objects.get(procedure__code=procedure)
    components = [ComponentInput(catalog_component_id=c.pk, file=("giay.pdf", PDF)) for c in version.components.all()]
    data = DossierInput(procedure_code=procedure, handling_agency_code=w.justice.code, channel="online",
                        applicant_kind="person", applicant_name=user.display_name, applicant_id_number=id_number,
                        applicant_phone=phone, components=components)
    return create_dossier(data, user, accept=False)


def accept(w, dossier):
    return perform(dossier.code, Action.ACCEPT, w.justice_desk)


def to_resolved(w, dossier):
    d = perform(dossier.code, Action.FORWARD, w.justice_desk, assignee=w.spec)
    d = perform(d.code, Action.FORWARD, w.spec, assignee=w.head)
    d = perform(d.code, Action.FORWARD, w.head, assignee=w.lead)
    return perform(d.code, Action.COMPLETE, w.lead, results=[
        {"name": "Giấy khai sinh", "number": "12/GKS", "file": ("giay khai sinh.pdf", PDF)}])


def returned(w, dossier):
    d = to_resolved(w, accept(w, dossier))
    return perform(d.code, Action.RETURN_RESULT, w.justice_desk)


@pytest.fixture
def citizen_client(client, world):
    client.force_login(world.citizen)
    return client


__all__ = ["PASSWORD", "AccountType", "make_user", "online_dossier", "accept", "to_resolved", "returned"]
