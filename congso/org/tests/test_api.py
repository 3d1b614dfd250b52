import pytest
from rest_framework.test import APIClient

from congso.org.choices import Role
from congso.org.tests.factories import AgencyFactory, MembershipFactory, UserFactory


@pytest.fixture
def org(db):
    root = AgencyFactory(name="UBND tỉnh")
    justice = AgencyFactory(name="Sở Tư pháp", parent=root, admin_unit=root.admin_unit)
    finance = AgencyFactory(name="Sở Tài chính", parent=root, admin_unit=root.admin_unit)
    return {
        "root": root, "justice": justice, "finance": finance,
        "j1": MembershipFactory(agency=justice, role=Role.SPECIALIST, user__username="tp.cv1").user,
        "j2": MembershipFactory(agency=justice, role=Role.DEPARTMENT_HEAD, user__username="tp.tp").user,
        "f1": MembershipFactory(agency=finance, role=Role.SPECIALIST, user__username="tc.cv1").user,
        "monitor": MembershipFactory(agency=root, role=Role.PROVINCIAL_MONITOR, user__username="giamsat").user,
    }


def api(user=None):
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


def usernames(response):
    assert response.status_code == 200, response.content
    return sorted(row["username"] for row in response.json()["results"])


def test_staff_of_one_agency_cannot_list_another_agencys_staff(org):
    assert usernames(api(org["j1"]).get("/api/v1/org/staff")) == ["tp.cv1", "tp.tp"]
    assert usernames(api(org["f1"]).get("/api/v1/org/staff")) == ["tc.cv1"]
    # Asking explicitly for the other agency gives nothing either.
    assert usernames(api(org["j1"]).get("/api/v1/org/staff", {"agency": org["finance"].code})) == []
    assert usernames(api(org["monitor"]).get("/api/v1/org/staff")) == ["giamsat", "tc.cv1", "tp.cv1", "tp.tp"]


def test_agency_detail_outside_scope_is_404(org):
    response = api(org["j1"]).get(f"/api/v1/org/agencies/{org['finance'].code}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    response = api(org["j1"]).get(f"/api/v1/org/agencies/{org['justice'].code}")
    assert response.status_code == 200
    assert response.json()["name"] == "Sở Tư pháp"


def test_agency_list_is_scoped_and_searchable_without_diacritics(org):
    response = api(org["monitor"]).get("/api/v1/org/agencies", {"q": "so tu phap"})
    assert [a["name"] for a in response.json()["results"]] == ["Sở Tư pháp"]
    response = api(org["f1"]).get("/api/v1/org/agencies")
    assert [a["name"] for a in response.json()["results"]] == ["Sở Tài chính"]


def test_memberships_list_is_scoped(org):
    response = api(org["f1"]).get("/api/v1/org/memberships")
    assert [m["username"] for m in response.json()["results"]] == ["tc.cv1"]


def test_citizen_sees_only_self(org):
    citizen = UserFactory(account_type="citizen", username="cd1")
    assert usernames(api(citizen).get("/api/v1/org/staff")) == ["cd1"]
    assert api(citizen).get("/api/v1/org/agencies").json()["results"] == []


def test_anonymous_gets_problem_json(org):
    response = api().get("/api/v1/org/staff")
    assert response.status_code in (401, 403)
    assert response.json()["code"] == "not_authenticated"


def test_bad_date_is_a_validation_problem(org):
    response = api(org["j1"]).get("/api/v1/org/units", {"on": "31/02/2025"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and "on" in body["errors"]


def test_staff_list_query_count_does_not_grow_with_rows(org, django_assert_max_num_queries):
    for _ in range(15):
        MembershipFactory(agency=org["justice"], role=Role.SPECIALIST)
    client = api(org["monitor"])
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/org/staff")
    assert response.json()["count"] == 19


def test_schema_has_no_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
