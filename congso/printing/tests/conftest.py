"""Dossiers in every state a form is printed for, built with the engine's own services on the dossiers app's small
world (congso/dossiers/tests/conftest.py), with Vietnamese names and hostile text in the applicant's name and the
reasons."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from congso.dossiers.choices import Action
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier

# `world` and `world_tx` are fixtures, re-exported for these tests; the rest are helpers the tests import from here.
from congso.dossiers.tests.conftest import (  # noqa: F401
    PDF,
    build_world,
    intake,
    local,
    make_user,
    world,
    world_tx,
)

SCRIPT = "<script>alert('xss')</script>"
APPLICANT = f"Nguyễn Thị Ngọc Ánh {SCRIPT}"
ADDRESS = "Số 12 đường Lê Lợi, phường Điện Biên, tỉnh Thử"
SUPPLEMENT_REASON = f"Thiếu bản sao giấy khai sinh hợp lệ {SCRIPT}"
REFUSAL_REASON = f"Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan {SCRIPT}"
APOLOGY_REASON = f"Cần xác minh thêm thông tin với cơ quan khác {SCRIPT}"
STOP_REASON = f"Người yêu cầu đề nghị dừng giải quyết theo đơn ngày 22/01/2025 {SCRIPT}"
RECEIVED = local(2025, 1, 20, 9, 0)  # Monday; 5 working days → Mon 03/02/2025 09:00 (Tết in between)


def new_dossier(w, at=RECEIVED, **extra):
    values = dict(applicant_name=APPLICANT, applicant_address=ADDRESS, applicant_email="ngoc.anh@example.vn")
    values.update(extra)
    accept = values.pop("accept", None)
    return create_dossier(intake(w, **values), w.desk, at=at, accept=accept)


def act(dossier, action, user, at, **params):
    return perform(dossier.code, action, user, at=at, **params)


@pytest.fixture
def dossiers(world):  # noqa: F811 - the fixture imported above
    w = world
    received = new_dossier(w)

    supplement = new_dossier(w, at=RECEIVED + dt.timedelta(minutes=5))
    supplement = act(supplement, Action.FORWARD, w.desk, local(2025, 1, 20, 10, 0), assignee=w.spec)
    supplement = act(supplement, Action.REQUEST_SUPPLEMENT, w.spec, local(2025, 1, 21, 9, 0),
                     reason=SUPPLEMENT_REASON, items=["Bản sao giấy khai sinh có chứng thực", "Ảnh chân dung 4x6"])

    refused = new_dossier(w, at=RECEIVED + dt.timedelta(minutes=10), accept=False)
    refused = act(refused, Action.REFUSE, w.desk, RECEIVED + dt.timedelta(minutes=30), reason=REFUSAL_REASON)

    apology = new_dossier(w, at=RECEIVED + dt.timedelta(minutes=15))
    apology = act(apology, Action.FORWARD, w.desk, local(2025, 1, 20, 10, 0), assignee=w.spec)
    apology = act(apology, Action.APOLOGIZE, w.head, local(2025, 2, 3, 8, 0), reason=APOLOGY_REASON,
                  new_due_at=local(2025, 2, 7, 16, 30))

    stopped = new_dossier(w, at=RECEIVED + dt.timedelta(minutes=20))
    stopped = act(stopped, Action.FORWARD, w.desk, local(2025, 1, 20, 10, 0), assignee=w.spec)
    stopped = act(stopped, Action.STOP, w.head, local(2025, 1, 22, 14, 0), reason=STOP_REASON)

    done = new_dossier(w, at=RECEIVED + dt.timedelta(minutes=25))
    done = act(done, Action.FORWARD, w.desk, local(2025, 1, 20, 10, 0), assignee=w.spec)
    # The specialist's 24 working hours run to Thu 23/01 10:00: handing over on Fri is late.
    done = act(done, Action.FORWARD, w.spec, local(2025, 1, 24, 10, 0), assignee=w.head)
    done = act(done, Action.FORWARD, w.head, local(2025, 1, 24, 11, 0), assignee=w.lead)
    done = act(done, Action.COMPLETE, w.lead, local(2025, 1, 24, 15, 0),
               results=[{"name": "Giấy chứng nhận", "number": "12/GCN", "file": ("ket qua.pdf", PDF)}])
    done = act(done, Action.RETURN_RESULT, w.desk, local(2025, 2, 3, 8, 30))

    return SimpleNamespace(received=received, supplement=supplement, refused=refused, apology=apology,
                           stopped=stopped, done=done)
