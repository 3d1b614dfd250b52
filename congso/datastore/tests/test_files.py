"""Downloading a document: only for those who may see it, as an attachment, written to the access log."""

import pytest

from congso.datastore.models import ApplicantDocument
from congso.datastore.tests.conftest import PDF, api, online, resolve
from congso.privacy.models import AccessLog


@pytest.fixture
def stored(world):
    resolve(world, online(world))
    return ApplicantDocument.objects.get()


def test_download_is_an_attachment_and_is_logged_with_the_request_id(world, stored):
    response = api(world.citizen).get(f"/api/v1/datastore/documents/{stored.pk}/file",
                                      HTTP_X_REQUEST_ID="download-0001", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    row = AccessLog.objects.get()
    assert (row.user, row.action, row.target, row.document) == (world.citizen, "download", "document", stored)
    assert row.request_id == "download-0001" and row.ip == "203.0.113.7" and row.channel == "api"


def test_a_client_asking_for_the_files_own_type_gets_it(world, stored):
    response = api(world.citizen).get(f"/api/v1/datastore/documents/{stored.pk}/file", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200


def test_detail_views_are_logged_and_refusals_are_not(world, stored):
    assert api(world.spec).get(f"/api/v1/datastore/documents/{stored.pk}").status_code == 200
    assert api(world.other_citizen).get(f"/api/v1/datastore/documents/{stored.pk}/file").status_code == 404
    rows = list(AccessLog.objects.all())
    assert [(r.user, r.action) for r in rows] == [(world.spec, "view")]
    assert rows[0].actor_role == "specialist" and rows[0].actor_agency == world.justice


def test_a_missing_file_is_a_problem_not_a_crash(world, stored):
    stored.file.storage.delete(stored.file.name)
    response = api(world.citizen).get(f"/api/v1/datastore/documents/{stored.pk}/file")
    assert response.status_code == 409 and response.json()["code"] == "file_integrity"
    assert AccessLog.objects.count() == 0


def test_the_list_logs_nothing(world, stored):
    assert api(world.citizen).get("/api/v1/datastore/documents").status_code == 200
    assert AccessLog.objects.count() == 0


def test_errors_are_problem_json_whatever_the_client_accepts(world, stored):
    response = api(world.other_citizen).get(f"/api/v1/datastore/documents/{stored.pk}/file",
                                            HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_list_query_count_does_not_grow_with_rows(world, stored, django_assert_max_num_queries):
    from congso.datastore.services import add_digitized

    for i in range(8):
        add_digitized(actor=world.citizen, file=(f"giay-{i}.pdf", PDF), document_type="Giấy tờ")
    client = api(world.citizen)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/datastore/documents").json()["count"] == 9
    client = api(world.spec)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/datastore/documents").json()["count"] == 1
