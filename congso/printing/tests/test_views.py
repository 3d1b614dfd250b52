"""The PDF downloads: staff only, scoped to the dossiers and agencies the user may see, clear errors for bad input."""

from __future__ import annotations

import threading

import pytest
from django.test import Client
from django.utils import translation

from congso.accounts.models import AccountType
from congso.org.choices import Role
from congso.org.models import Agency
from congso.printing.tests import pdftools
from congso.printing.tests.conftest import make_user, new_dossier


def url(slug, code):
    return f"/in/{slug}/{code}.pdf"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_desk_officer_prints_the_receipt_inline(dossiers, world, tmp_path):
    d = dossiers.received
    response = client_for(world.desk).get(url("giay-tiep-nhan", d.code))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="giay-tiep-nhan-{d.code}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = pdftools.text(pdftools.save(response.content, tmp_path, "view"))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and d.code in text


@pytest.mark.parametrize("slug, attr", [
    ("phieu-yeu-cau-bo-sung", "supplement"), ("phieu-tu-choi", "refused"), ("van-ban-xin-loi", "apology"),
    ("thong-bao-dung", "stopped"), ("phieu-kiem-soat", "done"),
])
def test_every_dossier_form_has_its_url(dossiers, world, slug, attr):
    d = getattr(dossiers, attr)
    response = client_for(world.spec).get(url(slug, d.code))  # the handling agency's specialist
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_another_agencys_dossier_is_a_404(dossiers, world):
    outsider = make_user("finance_desk", world.finance, Role.DESK_OFFICER)
    assert client_for(outsider).get(url("giay-tiep-nhan", dossiers.received.code)).status_code == 404
    assert client_for(world.fin_spec).get(url("phieu-kiem-soat", dossiers.done.code)).status_code == 404


def test_anonymous_is_sent_to_the_login_page(dossiers):
    response = Client().get(url("giay-tiep-nhan", dossiers.received.code))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = Client().get("/in/so-theo-doi.pdf?agency=000.00.02.H97&from=01/01/2025&to=31/01/2025")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_citizen_gets_404_even_for_their_own_dossier(dossiers, world):
    d = dossiers.received
    d.applicant = world.citizen
    d.save(update_fields=["applicant"])
    assert client_for(world.citizen).get(url("giay-tiep-nhan", d.code)).status_code == 404
    assert client_for(world.other_citizen).get(url("giay-tiep-nhan", d.code)).status_code == 404
    org = make_user("company", account_type=AccountType.ORGANISATION)
    assert client_for(org).get("/in/so-theo-doi.pdf?agency=000.00.02.H97&from=01/01/2025&to=31/01/2025"
                               ).status_code == 404


def test_unknown_form_or_code_is_a_404(dossiers, world):
    client = client_for(world.desk)
    assert client.get(url("khong-co", dossiers.received.code)).status_code == 404
    assert client.get(url("so-theo-doi", dossiers.received.code)).status_code == 404
    assert client.get(url("giay-tiep-nhan", "000.00.02.H97-250120-9999")).status_code == 404
    assert client.get(url("giay-tiep-nhan", "<script>alert(1)</script>")).status_code == 404


def test_a_form_that_does_not_apply_is_a_409_with_the_reason(dossiers, world):
    with translation.override("en"):
        response = client_for(world.desk).get(url("phieu-tu-choi", dossiers.received.code),
                                              HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "text/html" in response["Content-Type"]


def test_bad_supplement_number_is_a_400(dossiers, world):
    client = client_for(world.desk)
    assert client.get(url("phieu-yeu-cau-bo-sung", dossiers.supplement.code) + "?so=abc").status_code == 400
    assert client.get(url("phieu-yeu-cau-bo-sung", dossiers.supplement.code) + "?so=1").status_code == 200
    assert client.get(url("phieu-yeu-cau-bo-sung", dossiers.supplement.code) + "?so=2").status_code == 409


def test_post_is_not_allowed(dossiers, world):
    assert client_for(world.desk).post(url("giay-tiep-nhan", dossiers.received.code)).status_code == 405


def register_url(agency="000.00.02.H97", start="01/01/2025", end="31/01/2025"):
    return f"/in/so-theo-doi.pdf?agency={agency}&from={start}&to={end}"


def test_register_for_the_users_agency(dossiers, world, tmp_path):
    response = client_for(world.desk).get(register_url())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="so-theo-doi-000.00.02.H97-20250101-20250131.pdf"'
    path = pdftools.save(response.content, tmp_path, "register")
    assert pdftools.info(path)["size"] == pdftools.A4_LANDSCAPE
    assert "".join(dossiers.received.code) in "".join(pdftools.text(path).split())
    # ISO dates work too.
    assert client_for(world.desk).get(register_url(start="2025-01-01", end="2025-01-31")).status_code == 200


def test_register_of_an_agency_the_user_may_not_see_is_a_404(dossiers, world):
    assert client_for(world.fin_spec).get(register_url()).status_code == 404
    assert client_for(world.desk).get(register_url(agency="000.00.99.H97")).status_code == 404


@pytest.mark.parametrize("query", [
    "agency=000.00.02.H97&from=32/01/2025&to=31/01/2025",
    "agency=000.00.02.H97&from=01/01/2025",
    "agency=000.00.02.H97&from=hôm qua&to=31/01/2025",
    "agency=000.00.02.H97&from=31/01/2025&to=01/01/2025",
    "agency=000.00.02.H97&from=01/01/2024&to=31/01/2025",
    "agency=&from=01/01/2025&to=31/01/2025",
    "from=<script>&to=31/01/2025",
])
def test_register_bad_input_is_a_400_with_a_message(dossiers, world, query):
    with translation.override("en"):
        response = client_for(world.desk).get(f"/in/so-theo-doi.pdf?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert "The form cannot be printed" in body or "Không thể in" in body
    assert "<script>" not in body


def test_provincial_monitor_may_print_any_agencys_register(dossiers, world):
    assert client_for(world.monitor).get(register_url()).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_downloads_give_the_same_document(world_tx):
    """Several officers printing the same receipt at once (threads, each with its own connection)."""
    from django.db import connection

    dossier = new_dossier(world_tx)
    results, errors = [], []

    def fetch():
        try:
            response = client_for(world_tx.desk).get(url("giay-tiep-nhan", dossier.code))
            results.append((response.status_code, len(response.content)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert {status for status, _ in results} == {200} and len(results) == 4
    assert len({size for _, size in results}) == 1
    assert Agency.objects.filter(code="000.00.02.H97").exists()
