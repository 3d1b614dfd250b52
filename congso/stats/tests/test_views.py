"""Statistics pages, exports and API: figures, scoping, hostile and malformed parameters."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import translation

from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import make_procedure
from congso.org.choices import AgencyKind, Role, UnitLevel, UnitType
from congso.org.models import Agency
from congso.org.services import create_unit
from congso.stats.statistics import Filters, recount_statistics_rows, statistics_rows
from congso.stats.tests.conftest import act, intake, local, make_user, resolve

Q1 = {"period": "quarter", "year": "2025", "quarter": "1"}


@pytest.fixture
def commune(world):
    unit = create_unit("97001", "Xã Thử", UnitType.COMMUNE, UnitLevel.COMMUNE, parent=world.province,
                       valid_from=dt.date(2000, 1, 1))
    agency = Agency.objects.create(code="000.01.00.H97", name="UBND xã <b>Thử</b>", kind=AgencyKind.PEOPLES_COMMITTEE,
                                   level=UnitLevel.COMMUNE, admin_unit=unit, parent=world.root)
    world.commune = agency
    world.commune_desk = make_user("cdesk", agency, Role.DESK_OFFICER)
    world.commune_spec = make_user("cspec", agency, Role.SPECIALIST)
    make_user("clead", agency, Role.AGENCY_LEADER)
    make_procedure("1.000002", agency, shares=None)
    d = create_dossier(intake(world, procedure="1.000002", handling_agency_code=agency.code, receiving=agency),
                       world.commune_desk, at=local(2025, 2, 10, 9))
    return d


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_statistics_from_aggregates_equal_the_recount_for_every_grouping(world, history, commune):
    ids = list(Agency.objects.values_list("pk", flat=True))
    for group in ("agency", "level", "field", "procedure", "channel"):
        for start, end in [(dt.date(2025, 1, 1), dt.date(2025, 3, 31)), (dt.date(2025, 1, 1), dt.date(2025, 12, 31))]:
            fast, total = statistics_rows(Filters(ids), start, end, group)
            slow, slow_total = recount_statistics_rows(Filters(ids), start, end, group)
            assert [(r.key, r.values) for r in fast] == [(r.key, r.values) for r in slow], group
            assert total.values == slow_total.values
    rows, total = statistics_rows(Filters(ids), dt.date(2025, 1, 1), dt.date(2025, 12, 31), "level")
    assert [r.key for r in rows] == ["province", "commune"]
    assert total.values["resolved"] == 4 and total.values["resolved_late"] == 2
    assert total.values["resolved_late_apology"] == 1
    assert total.values["refused"] == 1 and total.values["withdrawn"] == 1 and total.values["stopped"] == 1
    assert total.values["received_online"] == 1  # the refused and the pending online ones were not received
    assert total.rates["on_time_pct"] == 50.0


def test_report_page_and_level_table(world, history, commune):
    c = client_for(world.monitor)
    with translation.override("en"):
        page = c.get("/thong-ke/", {**Q1, "group": "level"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-key="province"' in html and 'data-testid="stats-table"' in html
    levels = c.get("/thong-ke/theo-cap/", {"period": "year", "year": "2025"})
    assert levels.status_code == 200 and 'data-testid="levels-table"' in levels.content.decode()
    # agency names are escaped
    by_agency = c.get("/thong-ke/", {"period": "year", "year": "2025", "group": "agency"}).content.decode()
    assert "UBND xã &lt;b&gt;Thử&lt;/b&gt;" in by_agency and "<b>Thử</b>" not in by_agency


def test_exports_csv_and_xlsx(world, history):
    from openpyxl import load_workbook

    c = client_for(world.monitor)
    csv = c.get("/thong-ke/xuat.csv", {**Q1, "group": "level"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3  # heading, province, total
    xlsx = c.get("/thong-ke/xuat.xlsx", {**Q1, "group": "level"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 4  # title, heading, province, total
    assert sheet.cell(row=3, column=2).value == 5  # received in Q1 at province level (1, 2, 3, 5 and the open one)


def test_commune_officer_sees_only_their_commune(world, history, commune):
    c = client_for(world.commune_spec)
    data = c.get("/api/v1/stats/table/", {"period": "year", "year": "2025", "group": "agency"}).json()
    assert [row["key"] for row in data["rows"]] == [str(world.commune.pk)]
    assert data["total"]["values"]["received"] == 1
    # another agency's figures are not reachable by URL
    assert c.get("/api/v1/stats/table/", {"agency": world.justice.pk}).status_code == 404
    assert c.get("/thong-ke/", {"agency": world.justice.pk}).status_code == 404
    assert c.get("/thong-ke/xuat.csv", {"agency": world.justice.pk}).status_code == 404
    counts = c.get("/api/v1/stats/dossier-counts/", {"period": "year", "year": "2025"}).json()
    assert counts["received"] == 1
    assert c.get("/api/v1/stats/dossier-counts/", {"agency": world.root.pk}).status_code == 404


def test_citizens_and_anonymous_users_get_nothing(world, history):
    assert Client().get("/thong-ke/").status_code == 302
    assert Client().get("/api/v1/stats/table/").status_code in (401, 403)
    citizen = client_for(world.citizen)
    assert citizen.get("/thong-ke/").status_code == 403
    assert citizen.get("/api/v1/stats/table/").status_code == 403


@pytest.mark.parametrize("params, field", [
    ({"period": "week"}, "period"),
    ({"period": "quarter", "quarter": "5"}, "quarter"),
    ({"period": "month", "month": "0"}, "month"),
    ({"period": "year", "year": "<script>alert(1)</script>"}, "year"),
    ({"period": "custom", "from": "2025-02-30", "to": "2025-03-01"}, "from"),
    ({"period": "custom", "from": "2025-03-01", "to": "2025-02-01"}, "to"),
    ({"period": "custom", "from": "1900-01-01", "to": "2025-02-01"}, "from"),
    ({"period": "custom", "from": "2025-01-01"}, "to"),
    ({"period": "year", "year": "9" * 40}, "year"),
])
def test_bad_periods_answer_problem_json(world, params, field):
    c = client_for(world.monitor)
    response = c.get("/api/v1/stats/table/", params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "invalid_period" and field in body["errors"]
    page = c.get("/thong-ke/", params)
    assert page.status_code == 400 and "<script>alert" not in page.content.decode()


@pytest.mark.parametrize("params, field", [
    ({"group": "<script>"}, "group"), ({"channel": "fax"}, "channel"), ({"level": "ward"}, "level"),
    ({"agency": "1 OR 1=1"}, "agency"), ({"procedure": "-1"}, "procedure"), ({"field": "x"}, "field"),
])
def test_bad_parameters_answer_problem_json(world, params, field):
    response = client_for(world.monitor).get("/api/v1/stats/table/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter" and field in response.json()["errors"]


def test_bad_as_of(world):
    c = client_for(world.monitor)
    for value in ("yesterday", "2025-01-01T10:00", "2025-13-01T00:00:00+07:00"):
        response = c.get("/api/v1/stats/dossier-counts/", {"as_of": value})
        assert response.status_code == 400 and response.json()["code"] == "invalid_parameter", value


def test_dossier_counts_api_matches_the_function(world, history):
    from congso.stats.queries import dossier_counts

    c = client_for(world.monitor)
    body = c.get("/api/v1/stats/dossier-counts/", {"period": "custom", "from": "2025-01-01", "to": "2025-03-31",
                                                  "as_of": "2025-03-31T23:59:59+07:00"}).json()
    ids = list(Agency.objects.values_list("pk", flat=True))
    expected = dossier_counts(ids, dt.date(2025, 1, 1), dt.date(2025, 3, 31), local(2025, 3, 31, 23, 59, 59))
    assert body["received"] == expected.received == 5
    assert body["on_time"] == expected.on_time
    assert body["e_result"] == list(expected.e_result)


def test_in_progress_counts_follow_the_appointment(world):
    from congso.stats.tests.conftest import scripted_history  # noqa: F401 - documented helper

    d = create_dossier(intake(world), world.desk, at=local(2025, 1, 6, 9))
    act(d, "forward", world.desk, local(2025, 1, 6, 10), assignee=world.spec)
    d2 = create_dossier(intake(world), world.desk, at=local(2025, 1, 6, 9, 30))
    resolve(world, d2, local(2025, 1, 6, 10))
    ids = [world.justice.pk]
    rows, total = statistics_rows(Filters(ids), dt.date(2025, 1, 1), dt.date(2025, 1, 31), "agency")
    assert total.values["in_progress_overdue"] == 1 and total.values["in_progress_within"] == 0
    assert total.values["resolved"] == 1
