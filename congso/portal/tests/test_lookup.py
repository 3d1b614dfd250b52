import re

from congso.dossiers.choices import Status
from congso.portal.tests.conftest import accept, online_dossier

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _strip_tokens(body: str) -> str:
    return re.sub(r'value="[A-Za-z0-9]{32,}"|"X-CSRFToken": "[A-Za-z0-9]+"', "", body)


def test_lookup_with_code_and_phone_shows_status_appointment_and_next_step(client, world):
    dossier = accept(world, online_dossier(world))
    response = client.post("/tra-cuu/", {"code": dossier.code, "factor": "+84 912 345 678"}, **EN)
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["dossier"].pk == dossier.pk
    assert "Accepted by the agency" in body
    local_due = dossier.current_due_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    assert local_due.strftime("%d/%m/%Y %H:%M") in body
    assert "Wait for the appointment" in body
    # Nothing more: no name, no ID number, no phone.
    assert dossier.applicant_name not in body
    assert "001090012345" not in body and "0912345678" not in body
    assert response["Cache-Control"].startswith("private")


def test_lookup_by_citizen_id(client, world):
    dossier = online_dossier(world)
    response = client.post("/tra-cuu/", {"code": dossier.code, "factor": "001090012345"})
    assert response.context["dossier"].status == Status.NEW


def test_wrong_phone_and_unknown_code_get_the_same_answer(client, world):
    dossier = online_dossier(world)
    wrong_phone = client.post("/tra-cuu/", {"code": dossier.code, "factor": "0987654321"}, **EN)
    unknown = client.post("/tra-cuu/", {"code": dossier.code[:-1] + "9", "factor": "0987654321"}, **EN)
    assert wrong_phone.status_code == unknown.status_code == 200
    assert wrong_phone.context["dossier"] is None and unknown.context["dossier"] is None
    assert "No dossier matches" in wrong_phone.content.decode()
    # The pages differ only by the code typed in (echoed in the form) and the CSRF token.
    a = _strip_tokens(wrong_phone.content.decode()).replace(dossier.code, "CODE")
    b = _strip_tokens(unknown.content.decode()).replace(dossier.code[:-1] + "9", "CODE")
    assert a == b
    # An empty second factor never matches a dossier without phone.
    bare = online_dossier(world, phone="")
    assert client.post("/tra-cuu/", {"code": bare.code, "factor": ""}).context["dossier"] is None
    assert client.post("/tra-cuu/", {"code": bare.code, "factor": "0"}).context["dossier"] is None


def test_qr_url_without_second_factor_only_shows_the_form(client, world):
    dossier = online_dossier(world)
    for url in (f"/tra-cuu/{dossier.code}", f"/tra-cuu/{dossier.code}/"):
        response = client.get(url, **EN)
        body = response.content.decode()
        assert response.status_code == 200
        assert response.context["dossier"] is None
        assert f'value="{dossier.code}"' in body
        assert "Submitted, waiting" not in body
    response = client.post(f"/tra-cuu/{dossier.code}", {"code": dossier.code, "factor": "0912345678"})
    assert response.context["dossier"].pk == dossier.pk


def test_lookup_is_rate_limited_per_address(client, world, settings):
    settings.CONGSO_PORTAL_RATE_LIMITS = {"lookup": (3, 600)}
    dossier = online_dossier(world)
    for _ in range(3):
        assert client.post("/tra-cuu/", {"code": "X", "factor": "1"}).status_code == 200
    blocked = client.post("/tra-cuu/", {"code": dossier.code, "factor": "0912345678"})
    assert blocked.status_code == 429
    assert blocked.context["dossier"] is None
    # Another address is not blocked.
    other = client.post("/tra-cuu/", {"code": dossier.code, "factor": "0912345678"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200 and other.context["dossier"].pk == dossier.pk


def test_hostile_code_is_escaped_and_malformed_input_is_rejected(client, world):
    response = client.post("/tra-cuu/", {"code": "<script>alert(1)</script>", "factor": "<b>x</b>"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in body and "<b>x</b>" not in body
    too_long = client.post("/tra-cuu/", {"code": "A" * 500, "factor": "1"})
    assert too_long.status_code == 200 and too_long.context["form"].errors


def test_lookup_needs_csrf(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/tra-cuu/", {"code": "X", "factor": "1"}).status_code == 403
