"""A small world with known dossiers in March 2025 (docs of each case below), counted by hand in the tests.

Handling agency: the justice department of province 97 (procedure 1.000001, 5 working days, 50,000 đ fee), and a
commune (97001) with its own People's Committee and procedure 2.000001. Period: 01/03/2025 – 31/03/2025.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from congso.catalog.models import LegalBasis, ProcedureVersion
from congso.dossiers.choices import Action, PaymentMethod
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import PDF, build_world, intake, local, make_procedure, make_user
from congso.feedback.models import Feedback, FeedbackSubject
from congso.org.choices import AgencyKind, Role, UnitLevel, UnitType
from congso.org.models import Agency
from congso.org.services import create_unit
from congso.portal.models import ServiceRating

RESULT = {"name": "Giấy chứng nhận", "result_code": "KQ.G15.000001", "number": "1/GCN"}


def act(dossier, action, user, at, **params):
    return perform(dossier.code, action, user, at=at, **params)


def resolve_dossier(w, d, start, *, e_result=True, desk=None):
    """Holder's desk → specialist → head → leader → resolved, an hour apart; with an e-result file or not."""
    d = act(d, Action.FORWARD, desk or d.holder, start, assignee=w.spec)
    d = act(d, Action.FORWARD, w.spec, start + dt.timedelta(hours=1), assignee=w.head)
    d = act(d, Action.FORWARD, w.head, start + dt.timedelta(hours=2), assignee=w.lead)
    result = dict(RESULT, file=("ket qua.pdf", PDF)) if e_result else dict(RESULT)
    return act(d, Action.COMPLETE, w.lead, start + dt.timedelta(hours=3), results=[result])


def desk_dossier(w, at, **extra):
    return create_dossier(intake(w, **extra), w.desk, at=at)


def online_dossier(w, at, accept_at, user=None, **extra):
    d = create_dossier(intake(w, channel="online", **extra), user or w.citizen, at=at)
    return act(d, Action.ACCEPT, w.justice_desk, accept_at) if accept_at else d


def feedback(w, code, received, answer_due, answered=None, **extra):
    return Feedback.objects.create(
        code=code, subject=FeedbackSubject.AGENCY, agency=w.justice, sender_name="Người gửi", title="Phản ánh",
        content="Nội dung", received_at=received, reject_due_at=received + dt.timedelta(days=2),
        info_due_at=received + dt.timedelta(days=5), answer_due_at=answer_due, answered_at=answered,
        status="answered" if answered else "received", **extra)


def build_march(w):
    version = ProcedureVersion.objects.get(procedure=w.procedure)
    version.decision_date = dt.date(2020, 1, 1)
    version.national_publication_date = dt.date(2020, 1, 3)
    version.save()
    LegalBasis.objects.create(version=version, title="Luật Hộ tịch", number="60/2014/QH13",
                              effective_date=dt.date(2020, 2, 1))
    w.citizen.eid_verified_at = local(2025, 1, 1, 8, 0)
    w.citizen.save()
    eid_citizen = w.citizen
    plain_citizen = w.other_citizen
    d = SimpleNamespace()
    # D1: desk, received Mon 03/03 09:00 (due 10/03 09:00), resolved early with an e-result, paid online, rated +.
    d.d1 = resolve_dossier(w, desk_dossier(w, local(2025, 3, 3, 9, 0)), local(2025, 3, 4, 9, 0))
    act(d.d1, Action.RECORD_PAYMENT, w.desk, local(2025, 3, 4, 14, 0), amount=50_000,
        method=PaymentMethod.NATIONAL_PLATFORM, reference="GW-0001")
    ServiceRating.objects.create(dossier=d.d1, satisfied=True, rated_at=local(2025, 3, 5, 9, 0))
    # D2: desk, no files, resolved late (12/03) without an e-result, paid at the desk.
    d.d2 = desk_dossier(w, local(2025, 3, 3, 9, 5), files=False)
    act(d.d2, Action.RECORD_PAYMENT, w.desk, local(2025, 3, 3, 9, 30), amount=50_000,
        method=PaymentMethod.OFFLINE)
    d.d2 = resolve_dossier(w, d.d2, local(2025, 3, 12, 9, 0), e_result=False)
    # D3: late with an apology (new appointment 14/03), resolved 12/03 after the original 10/03: still late.
    d.d3 = desk_dossier(w, local(2025, 3, 3, 9, 10))
    act(d.d3, Action.APOLOGIZE, w.lead, local(2025, 3, 7, 9, 0), reason="Chờ xác minh",
        new_due_at=local(2025, 3, 14, 17, 0))
    d.d3 = resolve_dossier(w, d.d3, local(2025, 3, 12, 9, 0), e_result=False)
    # D4: received 27/03 (due 03/04), open at the period's end: within the deadline.
    d.d4 = desk_dossier(w, local(2025, 3, 27, 9, 0))
    # D5: received 10/03 (due 17/03), still open on 31/03: past the deadline; resolved in April (ignored).
    d.d5 = desk_dossier(w, local(2025, 3, 10, 9, 0))
    d.d5 = resolve_dossier(w, d.d5, local(2025, 4, 2, 9, 0))
    # D6: submitted online and refused at intake: never received, excluded.
    d.d6 = online_dossier(w, local(2025, 3, 5, 9, 0), None, user=plain_citizen)
    d.d6 = act(d.d6, Action.REFUSE, w.justice_desk, local(2025, 3, 5, 10, 0), reason="Không thuộc thẩm quyền")
    # D7: online (citizen without e-ID), accepted 04/03, resolved 05/03 with an e-result; rated "not satisfied".
    d.d7 = online_dossier(w, local(2025, 3, 4, 8, 0), local(2025, 3, 4, 9, 0), user=plain_citizen)
    d.d7 = resolve_dossier(w, d.d7, local(2025, 3, 5, 9, 0))
    ServiceRating.objects.create(dossier=d.d7, satisfied=False, rated_at=local(2025, 3, 6, 9, 0))
    # D8: online, resolved without an e-result; a complaint about it arrives in April (after the period).
    d.d8 = online_dossier(w, local(2025, 3, 4, 8, 5), local(2025, 3, 4, 9, 5), user=plain_citizen)
    d.d8 = resolve_dossier(w, d.d8, local(2025, 3, 5, 9, 5), e_result=False)
    # D9: desk, a component reused from digitised data, resolved early with an e-result.
    data = intake(w)
    data.components[0].reused = True
    d.d9 = create_dossier(data, w.desk, at=local(2025, 3, 6, 9, 0))
    d.d9 = resolve_dossier(w, d.d9, local(2025, 3, 7, 9, 0))
    # D10: online by an e-ID-verified citizen, a component from the national data store, resolved with an e-result.
    data = intake(w, channel="online")
    data.components[1].from_national_store = True
    d.d10 = create_dossier(data, eid_citizen, at=local(2025, 3, 11, 8, 0))
    d.d10 = act(d.d10, Action.ACCEPT, w.justice_desk, local(2025, 3, 11, 9, 0))
    d.d10 = resolve_dossier(w, d.d10, local(2025, 3, 12, 9, 0))
    # D11: received 20/03 (due 27/03), supplement asked 24/03 and supplied 27/03 (3 working days back: due 01/04):
    # open within on 31/03. A second request on 02/04 (after the period) must not make March late.
    d.d11 = desk_dossier(w, local(2025, 3, 20, 9, 0))
    act(d.d11, Action.REQUEST_SUPPLEMENT, w.desk, local(2025, 3, 24, 9, 0), reason="Thiếu giấy tờ",
        items=["Bản sao CCCD"])
    act(d.d11, Action.SUPPLY, w.desk, local(2025, 3, 27, 9, 0))
    act(d.d11, Action.REQUEST_SUPPLEMENT, w.desk, local(2025, 4, 2, 9, 0), reason="Thiếu lần hai", items=["Ảnh"])
    # Feedback: F1 answered on time, F2 answered late; F3 a complaint about D8 in April.
    feedback(w, "PA-1", local(2025, 3, 2, 9, 0), local(2025, 3, 20, 17, 0), answered=local(2025, 3, 10, 9, 0))
    feedback(w, "PA-2", local(2025, 3, 3, 9, 0), local(2025, 3, 24, 17, 0), answered=local(2025, 3, 26, 9, 0))
    feedback(w, "PA-3", local(2025, 4, 5, 9, 0), local(2025, 4, 25, 17, 0), dossier=d.d8, is_complaint=True)
    return d


def build_commune(w):
    """Commune 97001 with its People's Committee, a desk officer, procedure 2.000001 and two dossiers in March:
    one resolved early, one open past its deadline."""
    commune = create_unit("97001", "Xã Thử <b>Một</b>", UnitType.COMMUNE, UnitLevel.COMMUNE, parent=w.province,
                          valid_from=dt.date(2000, 1, 1))
    committee = Agency.objects.create(code="000.31.01.H97", name="UBND xã Thử Một", kind=AgencyKind.PEOPLES_COMMITTEE,
                                      level=UnitLevel.COMMUNE, admin_unit=commune, parent=w.root)
    desk = make_user("xdesk", committee, Role.DESK_OFFICER)
    for user, role in ((w.spec, Role.SPECIALIST), (w.head, Role.DEPARTMENT_HEAD), (w.lead, Role.AGENCY_LEADER)):
        from congso.org.models import Membership

        Membership.objects.create(user=user, agency=committee, role=role)
    officer = make_user("xofficer", committee, Role.SPECIALIST)
    make_procedure("2.000001", committee)
    first = create_dossier(intake(w, procedure="2.000001", handling_agency_code=committee.code,
                                  receiving=committee), desk, at=local(2025, 3, 4, 9, 0))
    resolve_dossier(w, first, local(2025, 3, 5, 9, 0), desk=desk)
    second = create_dossier(intake(w, procedure="2.000001", handling_agency_code=committee.code,
                                   receiving=committee), desk, at=local(2025, 3, 4, 10, 0))
    return SimpleNamespace(unit=commune, committee=committee, desk=desk, officer=officer, first=first, second=second)


@pytest.fixture
def march(db):
    w = build_world()
    w.d = build_march(w)
    return w


@pytest.fixture
def province_world(db):
    w = build_world()
    w.d = build_march(w)
    w.commune = build_commune(w)
    return w


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """The tests read English texts: pages render in English when the request names no language."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
