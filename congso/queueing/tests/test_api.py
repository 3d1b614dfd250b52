"""The queue API: groups, taking a ticket from a kiosk device, a ticket's state, the display board; problem+json."""

import uuid

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from congso.queueing import services
from congso.queueing.models import Ticket


def base(qw):
    return f"/api/v1/queue/{qw.centre.code}"


@pytest.fixture
def api():
    return APIClient()


def test_groups_are_public_with_waiting_counts(qw, api):
    services.take_ticket(qw.centre, qw.group_b)
    response = api.get(f"{base(qw)}/groups")
    assert response.status_code == 200
    assert response.json() == [
        {"prefix": "A", "name": qw.group_a.name, "fields": ["Hộ tịch"], "waiting": 0},
        {"prefix": "B", "name": "Đất đai", "fields": ["Đất đai"], "waiting": 1},
    ]


def test_take_a_ticket(qw, api):
    services.take_ticket(qw.centre, qw.group_a)
    response = api.post(f"{base(qw)}/tickets", {"group": "a", "phone": "0912 345 678"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["group"], body["status"], body["waiting_ahead"]) == ("A002", "A", "waiting", 1)
    assert body["taken_at"].endswith("+07:00") and body["day"].count("-") == 2  # ISO 8601, Vietnam time
    assert body["url"].endswith(f"/xep-hang/{qw.centre.code}/phieu/{body['token']}/")
    assert Ticket.objects.get(token=body["token"]).phone == "0912345678"
    detail = api.get(f"{base(qw)}/tickets/{body['token']}")
    assert detail.status_code == 200 and detail.json()["number"] == "A002"


@pytest.mark.parametrize("payload,field", [
    ({"group": "Z"}, "group"),
    ({"group": "<script>"}, "group"),
    ({}, "group"),
    ({"group": "A", "phone": "12"}, "phone"),
])
def test_bad_input_is_problem_json_and_changes_nothing(qw, api, payload, field):
    response = api.post(f"{base(qw)}/tickets", payload, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_error" and field in body["errors"]
    assert "<script>" not in str(body["errors"])
    assert not Ticket.objects.exists()


def test_malformed_json_is_a_validation_error(qw, api):
    response = api.post(f"{base(qw)}/tickets", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"


def test_unknown_agency_or_ticket_is_404(qw, api):
    assert api.get("/api/v1/queue/000.00.99.H97/calls").json()["code"] == "not_found"
    assert api.post("/api/v1/queue/000.00.99.H97/tickets", {"group": "A"}, format="json").status_code == 404
    response = api.get(f"{base(qw)}/tickets/{uuid.uuid4()}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_taking_is_rate_limited_per_address(qw, settings):
    settings.CONGSO_QUEUE_TAKE_LIMIT = 2
    api = APIClient(REMOTE_ADDR="198.51.100.9")
    statuses = [api.post(f"{base(qw)}/tickets", {"group": "A"}, format="json") for _ in range(3)]
    assert [r.status_code for r in statuses] == [201, 201, 429]
    assert statuses[2].json()["code"] == "throttled" and int(statuses[2]["Retry-After"]) > 0
    assert Ticket.objects.count() == 2


def test_calls_show_the_latest_calls_newest_first(qw, api):
    services.take_ticket(qw.centre, qw.group_a)
    services.take_ticket(qw.centre, qw.group_b)
    services.open_counter(qw.desk, qw.counter1)
    services.open_counter(qw.desk3, qw.counter3)
    services.call_next(qw.counter1, qw.desk)
    services.call_next(qw.counter3, qw.desk3)
    body = api.get(f"{base(qw)}/calls").json()
    assert [(c["number"], c["counter_number"]) for c in body["calls"]] == [("B001", 3), ("A001", 1)]
    assert body["calls"][0]["fresh"] is True and body["agency"] == qw.centre.code
    assert [(w["prefix"], w["count"]) for w in body["waiting"]] == [("A", 0), ("B", 0)]


def test_the_schema_of_the_queue_api_is_clean():
    GENERATOR_STATS.reset()
    patterns = [path("api/v1/queue/", include("congso.queueing.api.urls"))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache
    assert {"/api/v1/queue/{agency_code}/groups", "/api/v1/queue/{agency_code}/tickets",
            "/api/v1/queue/{agency_code}/tickets/{token}", "/api/v1/queue/{agency_code}/calls"} <= set(schema["paths"])
