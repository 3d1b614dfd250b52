"""Masking in the dossier API, reveal with a reason, and who may read a dossier's access log."""

import pytest
from rest_framework.test import APIClient

from congso.accounts.models import AccountType
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import intake, local, make_user
from congso.org.choices import Role
from congso.privacy.models import AccessLog

FULL_ID, FULL_PHONE = "001090012345", "0912345678"
MASKED_ID, MASKED_PHONE = "•••••••••345", "•••••••678"


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def desk_dossier(world):
    return create_dossier(intake(world, files=False), world.desk, at=local(2025, 3, 3, 9))


@pytest.fixture
def own_dossier(world):
    return create_dossier(intake(world, channel="online", files=False), world.citizen, at=local(2025, 3, 3, 9))


def numbers(response):
    body = response.json()
    return body["applicant_id_number"], body["applicant_phone"], body["personal_numbers_masked"]


@pytest.mark.parametrize("who, full", [
    ("desk", True),  # the receiving agency's desk officer
    ("spec", True), ("head", True), ("lead", True),  # the handling agency
    ("monitor", False),  # provincial monitor
])
def test_detail_shows_numbers_in_full_only_to_those_handling_it(world, desk_dossier, who, full):
    response = api(getattr(world, who)).get(f"/api/v1/dossiers/{desk_dossier.code}")
    assert response.status_code == 200
    assert numbers(response) == ((FULL_ID, FULL_PHONE, False) if full else (MASKED_ID, MASKED_PHONE, True))
    row = AccessLog.objects.get()
    assert row.unmasked is full and row.basis == ("handling" if full else "")


def test_the_applicant_sees_their_own_numbers(world, own_dossier):
    response = api(world.citizen).get(f"/api/v1/dossiers/{own_dossier.code}")
    assert numbers(response) == (FULL_ID, FULL_PHONE, False)
    assert AccessLog.objects.get().basis == "applicant"


def test_a_clerk_and_a_leader_above_see_them_masked(world, desk_dossier):
    clerk = make_user("clerk", world.justice, Role.CLERK)
    top = make_user("chairman", world.root, Role.AGENCY_LEADER)
    for user in (clerk, top):
        assert numbers(api(user).get(f"/api/v1/dossiers/{desk_dossier.code}"))[2] is True


def test_lists_mask_for_everyone(world, desk_dossier, own_dossier):
    for user in (world.spec, world.monitor, world.citizen):
        for row in api(user).get("/api/v1/dossiers").json()["results"]:
            assert (row["applicant_id_number"], row["applicant_phone"]) == (MASKED_ID, MASKED_PHONE)
    assert AccessLog.objects.count() == 0


def test_reveal_with_a_reason_is_logged(world, desk_dossier):
    url = f"/api/v1/dossiers/{desk_dossier.code}"
    response = api(world.monitor).get(url, {"reveal": "1", "reason": "Xác minh phản ánh số 12/PA"},
                                      HTTP_X_REQUEST_ID="reveal-000001")
    assert response.status_code == 200 and numbers(response) == (FULL_ID, FULL_PHONE, False)
    row = AccessLog.objects.get()
    assert (row.user, row.unmasked, row.basis, row.purpose, row.request_id) == (
        world.monitor, True, "stated_reason", "Xác minh phản ánh số 12/PA", "reveal-000001")


def test_reveal_needs_a_reason_and_a_permitted_user(world, desk_dossier):
    url = f"/api/v1/dossiers/{desk_dossier.code}"
    response = api(world.monitor).get(url, {"reveal": "1"})
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = api(world.monitor).get(url, {"reveal": "1", "reason": "   "})
    assert response.status_code == 400
    clerk = make_user("clerk", world.justice, Role.CLERK)
    response = api(clerk).get(url, {"reveal": "1", "reason": "tò mò"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert AccessLog.objects.count() == 0


def test_a_hostile_reason_comes_back_as_text(world, desk_dossier):
    reason = "<img src=x onerror=alert(1)> '; DROP TABLE x; --"
    response = api(world.monitor).get(f"/api/v1/dossiers/{desk_dossier.code}", {"reveal": "1", "reason": reason})
    assert response.status_code == 200
    log = api(world.lead).get("/api/v1/privacy/access-log", {"dossier": desk_dossier.code})
    assert log["Content-Type"].startswith("application/json")
    assert log.json()["results"][0]["purpose"] == reason


def test_who_viewed_my_dossier(world, own_dossier):
    api(world.justice_desk).get(f"/api/v1/dossiers/{own_dossier.code}")
    api(world.monitor).get(f"/api/v1/dossiers/{own_dossier.code}")
    response = api(world.citizen).get("/api/v1/privacy/access-log", {"dossier": own_dossier.code})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["actor"], r["actor_role"], r["unmasked"]) for r in rows] == [
        ("Monitor", "provincial_monitor", False), ("Jdesk", "desk_officer", True)]
    assert all(r["ip"] is None for r in rows)  # staff addresses are not shown to applicants
    assert rows[1]["actor_agency"] == world.justice.code
    # Without a filter: everything about the applicant's own dossiers and documents, nothing about others'.
    other = create_dossier(intake(world, files=False), world.desk, at=local(2025, 3, 3, 10))
    api(world.spec).get(f"/api/v1/dossiers/{other.code}")
    everything = api(world.citizen).get("/api/v1/privacy/access-log").json()["results"]
    assert [r["id"] for r in everything] == [r["id"] for r in rows]
    assert api(world.other_citizen).get("/api/v1/privacy/access-log").json()["results"] == []


@pytest.mark.parametrize("who, status", [
    ("lead", 200), ("spec", 403), ("desk", 403), ("monitor", 403), ("other_citizen", 404), ("fin_spec", 404),
])
def test_who_may_read_a_dossiers_access_log(world, desk_dossier, who, status):
    response = api(getattr(world, who)).get("/api/v1/privacy/access-log", {"dossier": desk_dossier.code})
    assert response.status_code == status, response.content


def test_administrators_above_and_superusers_may_read_it(world, desk_dossier):
    admin = make_user("admin", world.root, Role.ADMINISTRATOR)
    root = make_user("root", account_type=AccountType.STAFF, is_superuser=True)
    api(world.spec).get(f"/api/v1/dossiers/{desk_dossier.code}", HTTP_X_REQUEST_ID="view-00000001")
    for user in (admin, root):
        response = api(user).get("/api/v1/privacy/access-log", {"dossier": desk_dossier.code})
        assert response.status_code == 200
        assert response.json()["results"][0]["request_id"] == "view-00000001"
    assert api(root).get("/api/v1/privacy/access-log").status_code == 200
    assert api(admin).get("/api/v1/privacy/access-log").status_code == 400


def test_the_access_log_of_my_document(world):
    from congso.datastore.models import ApplicantDocument
    from congso.datastore.tests.conftest import online, resolve

    resolve(world, online(world))
    document = ApplicantDocument.objects.get()
    api(world.spec).get(f"/api/v1/datastore/documents/{document.pk}/file")
    rows = api(world.citizen).get("/api/v1/privacy/access-log", {"document": document.pk}).json()["results"]
    assert [(r["actor"], r["action"], r["target"]) for r in rows] == [("Spec", "download", "document")]
    assert api(world.other_citizen).get("/api/v1/privacy/access-log", {"document": document.pk}).status_code == 404
    assert api(world.spec).get("/api/v1/privacy/access-log", {"document": document.pk}).status_code == 404
    assert api(world.citizen).get("/api/v1/privacy/access-log", {"document": "x"}).status_code == 400
