import datetime as dt

import pytest
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from congso.catalog import services
from congso.catalog.demo import load_demo_catalogue
from congso.catalog.models import Procedure
from congso.catalog.tests.factories import record_data

LIST = "/api/v1/catalog/procedures"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def demo(org):
    load_demo_catalogue(org.commune_pcs, org.provincial)
    return org


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["results"]]


def test_list_is_public_and_paginated(api, demo):
    response = api.get(LIST, {"page_size": 10})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 60 and len(body["results"]) == 10
    first = body["results"][0]
    assert set(first) >= {"code", "local_code", "name", "field", "levels", "durations", "online_summary", "has_fee"}


def test_search_on_folded_text_every_word_must_match(api, demo):
    assert "1.001193" in codes(api.get(LIST, {"q": "dang ky khai sinh"}))
    found = codes(api.get(LIST, {"q": "Đăng ký KHAI SINH có yếu tố nước ngoài"}))
    assert found == ["2.000528"]
    assert codes(api.get(LIST, {"q": "khai sinh xe"})) == []
    assert codes(api.get(LIST, {"q": "1.001193.000.00.00.H99"})) == ["1.001193"]
    assert "1.004222" in codes(api.get(LIST, {"q": "cu tru"}))  # matches the field name


def test_filters(api, demo):
    justice_field = api.get("/api/v1/catalog/fields").json()["results"]
    ho_tich = next(f for f in justice_field if f["name"] == "Hộ tịch")
    assert ho_tich["procedure_count"] == 13
    assert len(codes(api.get(LIST, {"field": ho_tich["id"], "page_size": 100}))) == 13
    province = codes(api.get(LIST, {"level": "province", "page_size": 100}))
    assert "3.000333" in province and "1.001193" not in province
    police = codes(api.get(LIST, {"agency": "000.00.15.H99", "page_size": 100}))
    assert "3.000347" in police and "1.001193" not in police
    full = codes(api.get(LIST, {"online_mode": "full", "page_size": 100}))
    assert {"1.001193", "1.012575"} <= set(full) and "2.000815" not in full
    commune = demo.commune_pcs[0].code
    both = codes(api.get(LIST, {"agency": commune, "online_mode": "none", "page_size": 100}))
    assert "2.000815" in both and "1.001193" not in both
    assert codes(api.get(LIST, {"status": "abolished"})) == []
    bad = api.get(LIST, {"level": "village"})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"


def test_detail_with_children(api, demo):
    response = api.get(f"{LIST}/1.001193")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "1.001193" and body["local_code"] == "1.001193.000.00.00.H99"
    assert body["results"][0]["code"] == "KQ.G15.000031"
    assert body["durations"][0] == {"channel": "direct", "amount": 1, "unit": "working_day", "unit_inferred": True}
    assert len(body["implementations"]) == 3 and body["implementations"][0]["online_mode"] == "full"
    assert body["needs_review"] and "unit_inferred" in body["review_reasons"]
    assert body["missing_content"] == ["steps"]
    assert body["versions"] == [{"number": 1, "valid_from": None, "valid_to": None}]
    assert api.get(f"{LIST}/1.001193.000.00.00.H99").json()["code"] == "1.001193"
    liquor = api.get(f"{LIST}/2.000620").json()
    assert liquor["implementations"] == []  # the inactive implementation is not published


def test_detail_on_a_date_gives_the_version_in_force(api, demo):
    start = timezone.localdate() + dt.timedelta(days=400)
    services.publish_new_version(Procedure.objects.get(code="1.001193"), record_data(name="Đăng ký khai sinh mới"),
                                 start, None)
    assert api.get(f"{LIST}/1.001193").json()["version"] == 1
    later = api.get(f"{LIST}/1.001193", {"on": start.isoformat()}).json()
    assert later["version"] == 2 and later["name"] == "Đăng ký khai sinh mới"
    assert [v["number"] for v in later["versions"]] == [1, 2]
    assert codes(api.get(LIST, {"on": start.isoformat(), "q": "khai sinh moi"})) == ["1.001193"]
    assert codes(api.get(LIST, {"q": "khai sinh moi"})) == []
    assert api.get(LIST, {"on": "2027-13-01"}).status_code == 400


@pytest.mark.parametrize("code", ["9.999999", "not-a-code", "1.001193.H", "1.001193.000.00.00.H9"])
def test_unknown_code_is_a_problem_404(api, demo, code):
    response = api.get(f"{LIST}/{code}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_query_counts(api, demo, django_assert_max_num_queries, settings):
    # Throttling keeps its counters in the cache (the database by default); count only the catalogue's queries.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with django_assert_max_num_queries(6):
        response = api.get(LIST, {"page_size": 60})
    assert len(response.json()["results"]) == 60
    with django_assert_max_num_queries(12):
        assert api.get(f"{LIST}/2.000635").status_code == 200
    with django_assert_max_num_queries(3):
        assert api.get("/api/v1/catalog/fields").status_code == 200


def test_schema_has_no_warnings():
    GENERATOR_STATS.reset()
    patterns = [path("api/v1/catalog/", include("congso.catalog.api.urls"))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache
    assert {"/api/v1/catalog/procedures", "/api/v1/catalog/procedures/{code}", "/api/v1/catalog/fields"} <= set(
        schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/catalog/procedures"]["get"]["parameters"]}
    assert {"q", "field", "level", "agency", "online_mode", "status", "on"} <= parameters
