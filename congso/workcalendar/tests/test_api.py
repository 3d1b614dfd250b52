"""GET /api/v1/calendar/due-date and /api/v1/calendar/days."""

import pytest
from django.urls import reverse

from congso.workcalendar.inputs import MAX_DURATION

pytestmark = pytest.mark.django_db

DUE = "/api/v1/calendar/due-date"
DAYS = "/api/v1/calendar/days"


def test_routes_are_named():
    assert reverse("workcalendar-api:due-date") == DUE
    assert reverse("workcalendar-api:days") == DAYS


def test_due_date(client):
    response = client.get(DUE, {"received": "2025-01-20T09:00", "duration": "5", "unit": "working_day"})
    assert response.status_code == 200
    assert response.json() == {
        "received": "2025-01-20T09:00:00+07:00",
        "effective_start": "2025-01-20T09:00:00+07:00",
        "due_at": "2025-02-03T09:00:00+07:00",
        "duration": 5,
        "unit": "working_day",
        "cutoff": None,
    }


def test_due_date_with_cutoff_and_offset(client):
    response = client.get(DUE, {"received": "2026-04-23T08:10:00+00:00", "duration": "0", "cutoff": "15:00"})
    assert response.status_code == 200
    body = response.json()
    assert body["received"] == "2026-04-23T15:10:00+07:00"
    assert body["effective_start"] == "2026-04-24T08:00:00+07:00"
    assert body["due_at"] == "2026-04-24T17:00:00+07:00"
    assert (body["unit"], body["cutoff"]) == ("working_day", "15:00")


def _problem(response):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["status"] == 400
    return body


def test_all_bad_fields_reported_at_once(client):
    body = _problem(client.get(DUE, {"received": "yesterday", "duration": "-3", "unit": "moons", "cutoff": "99:99"}))
    assert set(body["errors"]) == {"received", "duration", "unit", "cutoff"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "received"),
        ({"received": "", "duration": "1"}, "received"),
        ({"received": "2025-01-20T09:00", "duration": ""}, "duration"),
        ({"received": "2025-01-20T09:00", "duration": "1e3"}, "duration"),
        ({"received": "2025-01-20T09:00", "duration": str(MAX_DURATION + 1)}, "duration"),
        ({"received": "2025-01-20T09:00", "duration": "9" * 5000}, "duration"),
        ({"received": "2025-01-20T09:00", "duration": "1 OR 1=1"}, "duration"),
        ({"received": "2025-01-20T09:00' OR '1'='1", "duration": "1"}, "received"),
        ({"received": "x" * 10000, "duration": "1"}, "received"),
        ({"received": "2025-01-20T09:00", "duration": "1", "unit": "working_day; DROP TABLE x"}, "unit"),
        ({"received": "2025-01-20T09:00", "duration": "1", "cutoff": "<script>"}, "cutoff"),
        ({"received": "2025-01-20T09:00\x00", "duration": "1"}, "received"),
    ],
)
def test_bad_values_answer_problem_json(client, params, field):
    body = _problem(client.get(DUE, params))
    assert field in body["errors"]
    assert "DROP" not in str(body["errors"])  # input is not echoed back


def test_largest_duration_is_fine_and_beyond_the_calendar_is_a_problem(client):
    ok = client.get(DUE, {"received": "2025-01-20T09:00", "duration": str(MAX_DURATION), "unit": "working_day"})
    assert ok.status_code == 200
    body = _problem(client.get(DUE, {"received": "9999-12-31T09:00", "duration": "5"}))
    assert "non_field_errors" in body["errors"]


def test_days_of_a_year(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(DAYS, {"year": "2025"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 13
    first = body["results"][0]
    assert first == {
        "date": "2025-01-01",
        "kind": "day_off",
        "name": "Tết Dương lịch",
        "status": "official",
        "source": "Official schedule 2025",
        "note": "",
        "active": True,
    }
    unconfirmed = client.get(DAYS, {"year": "2026", "status": "unconfirmed"}).json()
    assert unconfirmed["count"] == 4


@pytest.mark.parametrize("year", ["abc", "2025.5", "99999999999", "-1", "2025; DROP TABLE x"])
def test_days_bad_year(client, year):
    body = _problem(client.get(DAYS, {"year": year}))
    assert "year" in body["errors"]


def test_schema_documents_the_calendar(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    operation = paths["/api/v1/calendar/due-date"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"received", "duration", "unit", "cutoff"}
    assert "/api/v1/calendar/days" in paths
