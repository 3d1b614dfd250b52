import base64

import pytest
from rest_framework.test import APIClient

from congso.dossiers.choices import Action
from congso.dossiers.models import Dossier
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import PDF, intake, local


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def payload(w, **extra):
    component = w.procedure.versions.first().components.first()
    body = {
        "procedure_code": "1.000001.000.00.00.H97", "handling_agency_code": w.justice.code,
        "receiving_agency_code": w.centre.code, "channel": "direct", "applicant_kind": "person",
        "applicant_name": "Trần Thị Bích", "applicant_id_number": "079195001234",
        "components": [{"catalog_component_id": component.pk, "originals": 1,
                        "file": {"file_name": "to-khai.pdf", "content_base64": b64(PDF)}}],
        "received_at": "2025-01-20T09:00:00+07:00",
    }
    body.update(extra)
    return body


def make(w, at=None, **kwargs):
    return create_dossier(intake(w, files=False, **kwargs), w.desk, at=at or local(2025, 1, 20, 9))


def test_create_through_the_api(world):
    response = api(world.desk).post("/api/v1/dossiers", payload(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "000.00.02.H97-250120-0001"
    assert response["ETag"] == '"1"'
    assert body["due_at"] == "2025-02-03T09:00:00+07:00"
    assert body["components"][0]["file_name"] == "to-khai.pdf"
    assert [e["action"] for e in body["log"]] == ["create", "accept"]


@pytest.mark.parametrize("change, field", [
    ({"procedure_code": "9.999999"}, "procedure_code"),
    ({"handling_agency_code": "000.00.04.H97"}, "handling_agency_code"),
    ({"applicant_id_number": "12345"}, "applicant_id_number"),
    ({"received_at": "2099-01-01T09:00:00+07:00"}, "at"),
    ({"channel": "carrier-pigeon"}, "channel"),
    ({"components": [{"name": "x", "file": {"file_name": "a.pdf", "content_base64": "%%%not-base64"}}]}, "components"),
])
def test_bad_creation_is_a_validation_problem_and_writes_nothing(world, change, field):
    response = api(world.desk).post("/api/v1/dossiers", payload(world, **change), format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error" and field in body["errors"]
    assert Dossier.objects.count() == 0


def test_wrong_file_type_is_refused(world):
    body = payload(world)
    body["components"][0]["file"] = {"file_name": "to-khai.pdf", "content_base64": b64(b"<script>alert(1)</script>")}
    response = api(world.desk).post("/api/v1/dossiers", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"
    assert Dossier.objects.count() == 0


def test_a_specialist_cannot_take_in_a_dossier(world):
    response = api(world.spec).post("/api/v1/dossiers", payload(world), format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_actions_need_if_match_and_a_current_version(world):
    d = make(world)
    url = f"/api/v1/dossiers/{d.code}/actions/forward"
    response = api(world.desk).post(url, {"assignee": "spec"}, format="json")
    assert response.status_code == 428 and response.json()["code"] == "precondition_required"
    response = api(world.desk).post(url, {"assignee": "spec"}, format="json", HTTP_IF_MATCH='"7"')
    assert response.status_code == 412 and response.json()["code"] == "conflict"
    response = api(world.desk).post(url, {"assignee": "spec"}, format="json", HTTP_IF_MATCH="garbage")
    assert response.status_code == 412
    response = api(world.desk).post(url, {"assignee": "spec"}, format="json", HTTP_IF_MATCH=d.etag)
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{d.version + 1}"'
    assert response.json()["holder"] == "spec"
    # The old ETag is now stale.
    response = api(world.spec).post(f"/api/v1/dossiers/{d.code}/actions/forward", {"assignee": "head"},
                                    format="json", HTTP_IF_MATCH=d.etag)
    assert response.status_code == 412


def test_invalid_transition_and_unknown_action(world):
    d = make(world)
    response = api(world.lead).post(f"/api/v1/dossiers/{d.code}/actions/return_result", {}, format="json",
                                    HTTP_IF_MATCH=d.etag)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    response = api(world.lead).post(f"/api/v1/dossiers/{d.code}/actions/explode", {}, format="json",
                                    HTTP_IF_MATCH=d.etag)
    assert response.status_code == 404


def test_whole_flow_through_the_api(world):
    d = make(world)
    steps = [
        (world.desk, "forward", {"assignee": "spec"}),
        (world.spec, "request_supplement", {"reason": "Thiếu", "items": ["Giấy khai sinh"]}),
        (world.desk, "supply", {"files": [{"file_name": "bs.pdf", "content_base64": b64(PDF)}]}),
        (world.spec, "forward", {"assignee": "head"}),
        (world.head, "forward", {"assignee": "lead"}),
        (world.lead, "complete", {"results": [{"name": "Giấy chứng nhận", "number": "1/GCN",
                                               "file": {"file_name": "kq.pdf", "content_base64": b64(PDF)}}]}),
        (world.desk, "return_result", {}),
    ]
    etag = d.etag
    for user, action, body in steps:
        response = api(user).post(f"/api/v1/dossiers/{d.code}/actions/{action}", body, format="json",
                                  HTTP_IF_MATCH=etag)
        assert response.status_code == 200, (action, response.content)
        etag = response["ETag"]
    body = response.json()
    assert body["status"] == 10
    assert body["results"][0]["is_electronic"]
    assert len(body["control_sheet"]) == 4
    assert body["supplement_requests"][0]["supplied_at"] is not None


def test_dossiers_outside_the_scope_are_404(world):
    d = make(world)
    assert api(world.fin_spec).get(f"/api/v1/dossiers/{d.code}").status_code == 404
    assert api(world.other_citizen).get(f"/api/v1/dossiers/{d.code}").status_code == 404
    response = api(world.fin_spec).post(f"/api/v1/dossiers/{d.code}/actions/stop", {"reason": "x"},
                                        format="json", HTTP_IF_MATCH=d.etag)
    assert response.status_code == 404
    assert api(world.spec).get(f"/api/v1/dossiers/{d.code}").status_code == 200
    assert api(world.monitor).get(f"/api/v1/dossiers/{d.code}").status_code == 200
    assert api().get(f"/api/v1/dossiers/{d.code}").status_code in (401, 403)


def test_citizens_see_only_their_own(world):
    mine = create_dossier(intake(world, channel="online", files=False), world.citizen, at=local(2025, 1, 20, 9))
    make(world)
    codes = [row["code"] for row in api(world.citizen).get("/api/v1/dossiers").json()["results"]]
    assert codes == [mine.code]
    assert api(world.other_citizen).get("/api/v1/dossiers").json()["results"] == []


def test_list_filters_and_search_without_diacritics(world):
    a = make(world, applicant_name="Đặng Thị Hồng")
    b = make(world, at=local(2025, 1, 21, 9), applicant_name="Lê Văn Tám")
    perform(b.code, Action.STOP, world.lead, at=local(2025, 1, 21, 10), reason="x")
    client = api(world.spec)

    def codes(**params):
        response = client.get("/api/v1/dossiers", params)
        assert response.status_code == 200, response.content
        return [row["code"] for row in response.json()["results"]]

    assert codes(q="dang thi hong") == [a.code]
    assert codes(q="HỒNG") == [a.code]
    assert codes(q=a.code) == [a.code]
    assert codes(status=8) == [b.code]
    assert codes(status=[2, 8]) == [b.code, a.code]
    assert codes(received_from="2025-01-21T00:00:00+07:00") == [b.code]
    assert codes(procedure="1.000001", channel="direct", agency=world.justice.code) == [b.code, a.code]
    assert codes(open="true") == [a.code]
    assert client.get("/api/v1/dossiers", {"status": 42}).status_code == 400
    assert client.get("/api/v1/dossiers", {"received_from": "yesterday"}).status_code == 400


def test_list_masks_personal_numbers(world):
    make(world)
    row = api(world.spec).get("/api/v1/dossiers").json()["results"][0]
    assert row["applicant_id_number"].endswith("345") and "001090" not in row["applicant_id_number"]


def test_list_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    for i in range(12):
        make(world, at=local(2025, 1, 20, 9, i))
    client = api(world.spec)
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/dossiers").json()["count"] == 12


def test_detail_query_count_is_bounded(world, django_assert_max_num_queries):
    d = make(world)
    perform(d.code, Action.FORWARD, world.desk, at=local(2025, 1, 20, 10), assignee=world.spec)
    with django_assert_max_num_queries(25):
        assert api(world.spec).get(f"/api/v1/dossiers/{d.code}").status_code == 200


def test_hostile_text_is_stored_as_text(world):
    d = make(world, applicant_name='<script>alert("x")</script>')
    body = api(world.spec).get(f"/api/v1/dossiers/{d.code}").json()
    assert body["applicant_name"] == '<script>alert("x")</script>'  # JSON carries it verbatim; templates escape


def test_list_masks_the_phone_too(world):
    make(world)
    row = api(world.spec).get("/api/v1/dossiers").json()["results"][0]
    assert row["applicant_phone"] == "•••••••678"


def test_every_detail_view_is_written_to_the_access_log(world):
    from congso.privacy.models import AccessLog

    d = make(world)
    for request_id in ("detail-view-0001", "detail-view-0002"):
        response = api(world.spec).get(f"/api/v1/dossiers/{d.code}", HTTP_X_REQUEST_ID=request_id)
        assert response.status_code == 200
    rows = AccessLog.objects.order_by("id")
    assert [(r.user, r.action, r.dossier, r.request_id) for r in rows] == [
        (world.spec, "view", d, "detail-view-0001"), (world.spec, "view", d, "detail-view-0002")]
    # Not found, not logged; the list logs nothing.
    assert api(world.fin_spec).get(f"/api/v1/dossiers/{d.code}").status_code == 404
    api(world.spec).get("/api/v1/dossiers")
    assert AccessLog.objects.count() == 2


def test_monitors_see_personal_numbers_masked_in_the_detail(world):
    d = make(world)
    body = api(world.monitor).get(f"/api/v1/dossiers/{d.code}").json()
    assert (body["applicant_id_number"], body["applicant_phone"]) == ("•••••••••345", "•••••••678")
    body = api(world.spec).get(f"/api/v1/dossiers/{d.code}").json()
    assert (body["applicant_id_number"], body["applicant_phone"]) == ("001090012345", "0912345678")


def test_prefer_return_minimal_answers_204_with_the_new_etag(world):
    d = make(world)
    response = api(world.desk).post(f"/api/v1/dossiers/{d.code}/actions/forward", {"assignee": "spec"},
                                    format="json", HTTP_IF_MATCH=d.etag, HTTP_PREFER="return=minimal")
    assert response.status_code == 204 and response.content == b""
    assert response["ETag"] == f'"{d.version + 1}"' and response["Preference-Applied"] == "return=minimal"
    response = api(world.spec).post(f"/api/v1/dossiers/{d.code}/actions/forward", {"assignee": "head"},
                                    format="json", HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200 and response.json()["holder"] == "head"


def test_dossiers_are_read_only_in_the_admin(world, admin_client):
    d = make(world)
    assert admin_client.get("/admin/dossiers/dossier/").status_code == 200
    assert admin_client.get(f"/admin/dossiers/dossier/{d.pk}/change/").status_code == 200
    assert admin_client.get("/admin/dossiers/dossier/add/").status_code == 403
    response = admin_client.post(f"/admin/dossiers/dossier/{d.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Dossier.objects.filter(pk=d.pk).exists()
