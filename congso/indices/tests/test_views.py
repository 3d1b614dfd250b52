"""The IOC dashboard, its JSON, the drill-down lists (scoped) and the public page (no login, no personal data)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from congso.org.models import Agency

QUERY = {"from": "01/03/2025", "to": "31/03/2025"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_ioc_requires_staff(province_world):
    w = province_world
    assert Client().get("/chi-so/ioc/").status_code == 302
    assert client_for(w.citizen).get("/chi-so/ioc/").status_code == 403


def test_ioc_page_for_the_monitor(province_world):
    w = province_world
    with translation.override("en"):
        response = client_for(w.monitor).get("/chi-so/ioc/", {"unit": w.province.code, **QUERY})
    assert response.status_code == 200
    html = response.content.decode()
    assert "echarts.min.js" in html and 'id="chart-gauge"' in html
    assert "Operations dashboard" in html
    assert "/chi-so/ioc/chi-tiet/progress/?" in html  # a drill-down link for an indicator that lost points
    assert "No data yet" in html  # dossiers_synced
    # the commune's hostile name is escaped in the unit filter
    assert "Xã Thử &lt;b&gt;Một&lt;/b&gt;" in html and "<b>Một</b>" not in html


def test_ioc_data_json(province_world):
    w = province_world
    response = client_for(w.monitor).get("/chi-so/ioc/du-lieu/", {"unit": w.province.code, **QUERY})
    assert response.status_code == 200
    data = response.json()
    assert data["total"] is not None and data["max_total"] > 0
    levels = {row["key"]: row for row in data["by_level"]}
    assert levels["province"]["received"] == 10 and levels["province"]["on_time"] == 7
    assert levels["commune"]["received"] == 2 and levels["commune"]["late"] == 1
    assert len(data["trend"]) == 12
    assert data["late_by_agency"][0]["late"] == 3  # the justice department: D2, D3, D5
    assert {"ratings", "satisfied", "unsatisfied", "complaints"} <= set(data["satisfaction"])
    assert "count" in data["due_soon"]


def test_bad_filters(province_world):
    w = province_world
    client = client_for(w.monitor)
    assert client.get("/chi-so/ioc/", {"unit": w.province.code, "from": "31/03/2025",
                                       "to": "01/03/2025"}).status_code == 400
    assert client.get("/chi-so/ioc/du-lieu/", {"unit": w.province.code, "from": "<script>"}).status_code == 400
    assert client.get("/chi-so/ioc/", {"unit": "<script>alert(1)</script>"}).status_code == 404
    assert client.get("/chi-so/ioc/chi-tiet/nonsense/", {"unit": w.province.code}).status_code == 404


def test_commune_officer_sees_only_the_commune(province_world):
    w = province_world
    client = client_for(w.commune.officer)
    own = client.get("/chi-so/ioc/", QUERY)  # default: the officer's commune
    assert own.status_code == 200
    assert w.commune.unit.code.encode() in own.content
    for code in (w.province.code, w.justice.code):
        assert client.get("/chi-so/ioc/", {"unit": code, **QUERY}).status_code == 404
        assert client.get("/chi-so/ioc/du-lieu/", {"unit": code, **QUERY}).status_code == 404
        assert client.get("/chi-so/ioc/chi-tiet/progress/", {"unit": code, **QUERY}).status_code == 404
    listing = client.get("/chi-so/ioc/chi-tiet/progress/", {"unit": w.commune.unit.code, **QUERY})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f"/can-bo/ho-so/{w.commune.second.code}/" in html  # open past its deadline
    assert w.commune.first.code not in html  # resolved early
    assert w.d.d2.code not in html  # another agency's late dossier


def test_drilldown_lists_what_cost_points(province_world):
    w = province_world
    client = client_for(w.monitor)
    late = client.get("/chi-so/ioc/chi-tiet/progress/", {"unit": w.justice.code, **QUERY}).content.decode()
    for dossier in (w.d.d2, w.d.d3, w.d.d5):
        assert f"/can-bo/ho-so/{dossier.code}/" in late
    for dossier in (w.d.d1, w.d.d4, w.d.d11):
        assert dossier.code not in late
    no_e_result = client.get("/chi-so/ioc/chi-tiet/digitization.e_result/",
                             {"unit": w.justice.code, **QUERY}).content.decode()
    assert w.d.d2.code in no_e_result and w.d.d8.code in no_e_result and w.d.d1.code not in no_e_result
    content = client.get("/chi-so/ioc/chi-tiet/transparency.content_full/",
                         {"unit": w.justice.code, **QUERY}).content.decode()
    assert "1.000001" in content and "steps" in content
    feedback = client.get("/chi-so/ioc/chi-tiet/satisfaction.feedback_on_time/",
                          {"unit": w.justice.code, **QUERY}).content.decode()
    assert "PA-2" in feedback and "PA-1" not in feedback


def test_drilldown_is_paginated(province_world):
    w = province_world
    response = client_for(w.monitor).get("/chi-so/ioc/chi-tiet/digitization.reused/",
                                         {"unit": w.province.code, **QUERY, "page": "999"})
    assert response.status_code == 200  # past the end: the last page
    assert response.context["page"].paginator.count == 11  # 12 received, D9 reused


def test_public_page_without_login(province_world):
    w = province_world
    Agency.objects.filter(pk=w.justice.pk).update(name="Sở Tư pháp <script>alert(1)</script>")
    with translation.override("en"):
        response = Client().get("/chi-so/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<script" not in html.split("</header>", 1)[1]  # no JavaScript on the page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Tỉnh Thử" in html
    assert "Xã Thử &lt;b&gt;Một&lt;/b&gt;" in html
    # no personal data: no applicant name, citizen ID or dossier code
    assert "Nguyễn Văn Án" not in html and "001090012345" not in html and w.d.d1.code not in html
    assert Client().get("/chi-so/", {"nam": "abc"}).status_code == 200
    assert Client().get("/chi-so/", {"nam": "1800"}).status_code == 200


def test_ioc_asks_for_the_second_factor(province_world, settings):
    from congso.accounts.models import User

    settings.CONGSO_TWO_FACTOR = True
    admin = User.objects.create_superuser("root", password="x")
    response = client_for(admin).get("/chi-so/ioc/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/")
    assert client_for(province_world.monitor).get("/chi-so/ioc/", QUERY).status_code == 200  # no factor required
