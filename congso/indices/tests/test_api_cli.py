"""The `congso index766` command and the API: results, bad input with stable codes, scope."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from congso.indices.models import IndexProfile
from congso.indices.profiles import DEFAULT_PARAMETERS, DEFAULT_PROFILE_KEY
from congso.indices.tests.test_scoring import EXAMPLE

SCORE_URL = "/api/v1/index766/score"
COMPUTE_URL = "/api/v1/index766/compute"


@pytest.mark.django_db
def test_seeded_profile_equals_the_default_parameters():
    profile = IndexProfile.objects.get(key=DEFAULT_PROFILE_KEY)
    assert profile.parameters == DEFAULT_PARAMETERS
    assert IndexProfile.objects.in_force_on(__import__("datetime").date(2025, 1, 1)) == profile


@pytest.mark.django_db
def test_score_command_prints_the_documented_json(tmp_path, capsys):
    path = tmp_path / "counts.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    call_command("index766", "score", "--counts", str(path))
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 58.58 and out["max_total"] == 72.0
    assert out["indicators"]["progress"] == 17.68
    assert out["groups"]["digitization"] is None
    assert set(out) == {"profile", "groups", "indicators", "total", "max_total"}


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not JSON"),
    (json.dumps({"progress": {"on_time": 3, "received": 2}}), "n must not exceed d"),
    (json.dumps({"online": {"online_dossiers": [-1, 2]}}), "negative"),
    (json.dumps({"profile": "no-such-profile"}), "unknown profile"),
])
def test_score_command_rejects_bad_files(tmp_path, content, message):
    path = tmp_path / "counts.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("index766", "score", "--counts", str(path))


@pytest.mark.django_db
def test_score_command_missing_file(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("index766", "score", "--counts", str(tmp_path / "none.json"))


def test_compute_command(march, capsys):
    call_command("index766", "compute", "--unit", march.justice.code, "--from", "01/03/2025", "--to", "2025-03-31")
    out = json.loads(capsys.readouterr().out)
    assert out["counts"]["progress"] == {"on_time": 7, "received": 10}
    assert out["scores"]["total"] == 56.79
    assert out["period"] == {"from": "2025-03-01", "to": "2025-03-31", "as_of": "2025-03-31T23:59:59.999999+07:00"}
    assert out["no_data"] == ["digitization.e_certified_copy", "transparency.dossiers_synced"]
    with pytest.raises(CommandError, match="unknown unit"):
        call_command("index766", "compute", "--unit", "nope", "--from", "01/03/2025", "--to", "31/03/2025")
    with pytest.raises(CommandError, match="from must not be after to"):
        call_command("index766", "compute", "--unit", march.justice.code, "--from", "31/03/2025", "--to", "01/03/2025")
    with pytest.raises(CommandError, match="not a date"):
        call_command("index766", "compute", "--unit", march.justice.code, "--from", "31/13/2025", "--to", "01/03/2025")


@pytest.mark.django_db
def test_score_api():
    response = APIClient().post(SCORE_URL, EXAMPLE, format="json")
    assert response.status_code == 200
    assert response.json()["total"] == 58.58
    assert response.json()["indicators"]["online.procedures_online"] == 1.83


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "code", "path"), [
    ({"progress": {"on_time": 5, "received": 4}}, "invalid_counts", "progress"),
    ({"online": {"online_dossiers": [-1, 4]}}, "invalid_counts", "online.online_dossiers"),
    ({"online": {"online_dossiers": [1, 2, 3]}}, "invalid_counts", "online.online_dossiers"),
    ({"online": "<script>alert(1)</script>"}, "invalid_counts", "online"),
    ({"<script>": {}}, "invalid_counts", "<script>"),
    ([1, 2], "invalid_counts", ""),
    ({"profile": "nope"}, "unknown_profile", None),
])
def test_score_api_bad_input(body, code, path):
    response = APIClient().post(SCORE_URL, body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code
    if path is not None:
        assert path in problem["errors"]


@pytest.mark.django_db
def test_score_api_rejects_non_json():
    response = APIClient().post(SCORE_URL, "not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_compute_api(province_world):
    w = province_world
    client = APIClient()
    params = {"unit": w.justice.code, "from": "2025-03-01", "to": "2025-03-31"}
    assert client.get(COMPUTE_URL, params).status_code in (401, 403)
    client.force_authenticate(w.monitor)
    response = client.get(COMPUTE_URL, params)
    assert response.status_code == 200
    assert response.json()["counts"]["progress"] == {"on_time": 7, "received": 10}
    assert response.json()["scores"]["max_total"] == 92.0
    province = client.get(COMPUTE_URL, {"unit": w.province.code, "from": "01/03/2025", "to": "31/03/2025"}).json()
    assert province["counts"]["progress"] == {"on_time": 8, "received": 12}
    assert province["unit"]["kind"] == "unit" and province["unit"]["level"] == "province"

    bad = client.get(COMPUTE_URL, {**params, "from": "2025-04-01"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"
    bad = client.get(COMPUTE_URL, {**params, "from": "<script>"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"
    bad = client.get(COMPUTE_URL, {**params, "unit": "99999"})
    assert bad.status_code == 404 and bad.json()["code"] == "unknown_unit"


def test_compute_api_is_scoped(province_world):
    w = province_world
    client = APIClient()
    client.force_authenticate(w.commune.officer)
    own = client.get(COMPUTE_URL, {"unit": w.commune.unit.code, "from": "2025-03-01", "to": "2025-03-31"})
    assert own.status_code == 200 and own.json()["counts"]["progress"] == {"on_time": 1, "received": 2}
    for code in (w.province.code, w.justice.code):
        other = client.get(COMPUTE_URL, {"unit": code, "from": "2025-03-01", "to": "2025-03-31"})
        assert other.status_code == 404 and other.json()["code"] == "unknown_unit"
    client.force_authenticate(w.citizen)
    assert client.get(COMPUTE_URL, {"unit": w.commune.unit.code, "from": "2025-03-01",
                                    "to": "2025-03-31"}).status_code == 404


@pytest.mark.django_db
def test_openapi_schema_is_clean():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
