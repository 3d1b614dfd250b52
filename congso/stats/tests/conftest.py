"""The dossier engine's small world (congso/dossiers/tests/conftest.py), and a scripted history that takes every
kind of action at least once."""

from __future__ import annotations

import datetime as dt

import pytest

from congso.dossiers.choices import Action, PaymentMethod
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import PDF, build_world, intake, local, make_user, world, world_tx  # noqa: F401


def act(dossier, action, user, at, **params):
    return perform(dossier.code, action, user, at=at, **params)


def resolve(w, d, start, electronic=True):
    d = act(d, Action.FORWARD, w.desk, start, assignee=w.spec)
    d = act(d, Action.FORWARD, w.spec, start + dt.timedelta(hours=1), assignee=w.head)
    d = act(d, Action.FORWARD, w.head, start + dt.timedelta(hours=2), assignee=w.lead)
    result = {"name": "Giấy chứng nhận", "result_code": "KQ.G15.000001", "number": "12/GCN"}
    if electronic:
        result["file"] = ("ket qua.pdf", PDF)
    return act(d, Action.COMPLETE, w.lead, start + dt.timedelta(hours=3), results=[result])


def scripted_history(w) -> dict:
    """Dossiers in January–April 2025 covering: early and late resolution, return of the result, refusal at
    intake, online submission waiting for acceptance, supplement (once and twice), apology, withdrawal, stop,
    transfer and return, financial obligation, payments at the desk and online, rating, complaint."""
    from congso.feedback.models import Feedback
    from congso.portal.models import ServiceRating

    made = {}
    # 1. Early, electronic result, returned, paid online, rated satisfied.
    d = create_dossier(intake(w), w.desk, at=local(2025, 1, 20, 9))
    d = act(d, Action.RECORD_PAYMENT, w.desk, local(2025, 1, 20, 9, 5), amount=50_000,
            method=PaymentMethod.LOCAL_GATEWAY, reference="GW-1")
    d = resolve(w, d, local(2025, 1, 20, 10))
    d = act(d, Action.RETURN_RESULT, w.desk, local(2025, 1, 21, 9))
    ServiceRating.objects.create(dossier=d, satisfied=True, rated_at=local(2025, 1, 22, 9))
    made["early"] = d
    # 2. Late (second supplement request), paper result, rated not satisfied, complaint.
    d = create_dossier(intake(w, files=False), w.desk, at=local(2025, 2, 3, 9))
    d = act(d, Action.FORWARD, w.desk, local(2025, 2, 3, 10), assignee=w.spec)
    d = act(d, Action.REQUEST_SUPPLEMENT, w.spec, local(2025, 2, 3, 11), reason="Thiếu", items=["Ảnh"])
    d = act(d, Action.SUPPLY, w.desk, local(2025, 2, 4, 9), files=[("bo sung.pdf", PDF)])
    d = act(d, Action.REQUEST_SUPPLEMENT, w.spec, local(2025, 2, 4, 11), reason="Chưa đạt", items=["Bản chính"])
    d = act(d, Action.SUPPLY, w.desk, local(2025, 2, 5, 9))
    d = act(d, Action.FORWARD, w.spec, local(2025, 2, 5, 10), assignee=w.head)
    d = act(d, Action.FORWARD, w.head, local(2025, 2, 5, 11), assignee=w.lead)
    d = act(d, Action.COMPLETE, w.lead, local(2025, 2, 5, 14), results=[{"name": "Giấy chứng nhận"}])
    d = act(d, Action.RETURN_RESULT, w.desk, local(2025, 2, 6, 9))
    ServiceRating.objects.create(dossier=d, satisfied=False, rated_at=local(2025, 2, 7, 9))
    Feedback.objects.create(
        code="PAKN-1", subject="dossier", dossier=d, agency=w.justice, sender_name="A", title="Chậm",
        content="Chậm", received_at=local(2025, 2, 7, 10), reject_due_at=local(2025, 2, 11, 10),
        info_due_at=local(2025, 2, 14, 10), answer_due_at=local(2025, 2, 28, 10), is_complaint=True)
    made["late"] = d
    # 3. Apology, then late resolution.
    d = create_dossier(intake(w), w.desk, at=local(2025, 3, 3, 9))
    d = act(d, Action.FORWARD, w.desk, local(2025, 3, 3, 10), assignee=w.spec)
    d = act(d, Action.APOLOGIZE, w.lead, local(2025, 3, 7, 9), reason="Xác minh",
            new_due_at=local(2025, 3, 14, 9))
    d = act(d, Action.FORWARD, w.spec, local(2025, 3, 12, 10), assignee=w.head)
    d = act(d, Action.FORWARD, w.head, local(2025, 3, 12, 11), assignee=w.lead)
    d = act(d, Action.COMPLETE, w.lead, local(2025, 3, 12, 14), results=[{"name": "Giấy chứng nhận"}])
    made["apology"] = d
    # 4. Refused at intake (online, never received).
    d = create_dossier(intake(w, channel="online"), w.citizen, at=local(2025, 3, 10, 9))
    d = act(d, Action.REFUSE, w.justice_desk, local(2025, 3, 10, 15), reason="Không thuộc thẩm quyền")
    made["refused"] = d
    # 5. Online, accepted, transferred and back, financial obligation, resolved on the last day of March.
    d = create_dossier(intake(w, channel="online"), w.citizen, at=local(2025, 3, 24, 9))
    d = act(d, Action.ACCEPT, w.justice_desk, local(2025, 3, 24, 10))
    d = act(d, Action.FORWARD, w.justice_desk, local(2025, 3, 24, 11), assignee=w.spec)
    d = act(d, Action.TRANSFER, w.spec, local(2025, 3, 25, 9), reason="Ý kiến", to_agency=w.finance.code,
            share_hours=8)
    d = act(d, Action.RETURN_TRANSFER, w.fin_spec, local(2025, 3, 25, 15), reason="Xong")
    d = act(d, Action.FORWARD, w.spec, local(2025, 3, 26, 9), assignee=w.head)
    d = act(d, Action.REQUEST_PAYMENT, w.head, local(2025, 3, 26, 10), amount=100_000)
    d = act(d, Action.RECORD_PAYMENT, w.justice_desk, local(2025, 3, 27, 10), amount=150_000,
            method=PaymentMethod.NATIONAL_PLATFORM, reference="NP-5")
    d = act(d, Action.FORWARD, w.head, local(2025, 3, 27, 11), assignee=w.lead)
    d = act(d, Action.COMPLETE, w.lead, local(2025, 3, 31, 23, 59), results=[{"name": "Giấy chứng nhận",
                                                                              "file": ("kq.pdf", PDF)}])
    made["transfer"] = d
    # 6. Withdrawn while waiting for a supplement.
    d = create_dossier(intake(w), w.desk, at=local(2025, 4, 1, 0, 0))
    d = act(d, Action.FORWARD, w.desk, local(2025, 4, 1, 9), assignee=w.spec)
    d = act(d, Action.REQUEST_SUPPLEMENT, w.spec, local(2025, 4, 1, 10), reason="Thiếu", items=["Tờ khai"])
    d = act(d, Action.WITHDRAW, w.desk, local(2025, 4, 2, 9), reason="Rút")
    made["withdrawn"] = d
    # 7. Stopped.
    d = create_dossier(intake(w), w.desk, at=local(2025, 4, 2, 9))
    d = act(d, Action.FORWARD, w.desk, local(2025, 4, 2, 10), assignee=w.spec)
    d = act(d, Action.STOP, w.lead, local(2025, 4, 3, 9), reason="Dừng")
    made["stopped"] = d
    # 8. Online, waiting for acceptance (pending); 9. open and within; 10. open and overdue.
    made["pending"] = create_dossier(intake(w, channel="online"), w.citizen, at=local(2025, 4, 3, 9))
    d = create_dossier(intake(w), w.desk, at=local(2025, 4, 7, 9))
    made["open_within"] = act(d, Action.FORWARD, w.desk, local(2025, 4, 7, 10), assignee=w.spec)
    d = create_dossier(intake(w), w.desk, at=local(2025, 1, 6, 9))
    made["open_overdue"] = act(d, Action.FORWARD, w.desk, local(2025, 1, 6, 10), assignee=w.spec)
    return made


@pytest.fixture
def history(world):  # noqa: F811 - the fixture above
    return scripted_history(world)
