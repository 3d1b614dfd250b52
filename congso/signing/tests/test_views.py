"""The public verification page and the staff's signing and download endpoints."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.generic import pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from congso.dossiers.tests.conftest import PNG
from congso.privacy.models import AccessLog
from congso.signing.models import IssuedDocument
from congso.signing.services import issue_e_result
from congso.signing.tests.conftest import foreign_ca_signer, in_progress, sample_pdf, sign_with

HOME = "/xac-thuc/"


@pytest.fixture
def issued(signing, pdf):
    d = in_progress(signing, owner=signing.citizen)
    return issue_e_result(d, signing.spec, pdf, name="Giấy chứng nhận", number="12/GCN")


def _bytes(issued_document) -> bytes:
    with issued_document.file.file.open("rb") as handle:
        return handle.read()


def _check(client, content: bytes, name="ket-qua.pdf", url=HOME, **extra):
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type="application/pdf")}, **extra)


def test_the_page_is_public_and_has_both_forms(client, db):
    response = client.get(HOME)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="ma"' in body and 'type="file"' in body and "csrfmiddlewaretoken" in body
    assert 'name="viewport"' in body  # mobile-friendly base


def test_an_issued_file_is_authentic(client, issued):
    response = _check(client, _bytes(issued))
    assert response.status_code == 200
    report = response.context["report"]
    assert report.verdict == "authentic" and report.issued == issued
    (signature,) = report.signatures
    assert signature.ok and signature.agency == issued.agency and signature.covers_whole_file
    assert signature.signing_time is not None
    body = response.content.decode()
    assert 'data-verdict="authentic"' in body and 'data-issued="yes"' in body and 'data-trusted="yes"' in body
    assert issued.token in body and "Sở Tư pháp" in body


def test_a_file_changed_by_one_byte_is_not_authentic(client, issued):
    content = bytearray(_bytes(issued))
    at = content.index(b"stream", 200) + 20
    content[at] = (content[at] + 1) % 256
    report = _check(client, bytes(content)).context["report"]
    assert report.verdict == "broken" and report.issued is None and not report.authentic
    assert not report.signatures[0].intact


def test_a_byte_changed_anywhere_is_never_authentic(client, issued):
    content = _bytes(issued)
    for at in (len(content) // 3, len(content) - 40):  # inside the signed data, in the trailer
        changed = bytearray(content)
        changed[at] = (changed[at] + 1) % 256
        response = _check(client, bytes(changed))
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert response.context["report"].verdict != "authentic"


def test_an_update_appended_after_signing_is_reported(client, issued):
    writer = IncrementalPdfFileWriter(io.BytesIO(_bytes(issued)))
    writer.root["/Lang"] = pdf_string("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    report = _check(client, out.getvalue()).context["report"]
    assert report.verdict == "issued_then_changed"
    assert report.changed_after_signing and report.original == issued and report.issued is None
    assert report.signatures[0].intact and not report.signatures[0].covers_whole_file


def test_a_pdf_signed_by_an_unknown_ca_is_not_trusted(client, signing, tmp_path):
    signer, _ca = foreign_ca_signer(tmp_path)
    report = _check(client, sign_with(signer, sample_pdf())).context["report"]
    assert report.verdict == "untrusted"
    (signature,) = report.signatures
    assert signature.intact and signature.valid and not signature.trusted and signature.agency is None


def test_an_unsigned_pdf_and_non_pdfs(client, db):
    assert _check(client, sample_pdf()).context["report"].verdict == "unsigned"
    for content, name in ((PNG, "anh.png"), (b"hello", "ket-qua.pdf"), (PNG, "ket-qua.pdf"), (b"", "x.pdf")):
        response = _check(client, content, name=name)
        assert response.status_code == 400, name
        assert response.context["form"].errors["file"]
        assert "report" not in response.context
    response = client.post(HOME, {})
    assert response.status_code == 400


def test_a_damaged_pdf_is_unreadable_not_a_server_error(client, db):
    content = b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n"
    response = _check(client, content)
    assert response.status_code == 200 and response.context["report"].verdict in ("unreadable", "unsigned")


def test_the_upload_form_is_rate_limited_per_address(client, db, settings):
    settings.CONGSO_SIGNING_VERIFY_LIMIT = 2
    for _ in range(2):
        assert _check(client, sample_pdf(), REMOTE_ADDR="10.0.0.1").status_code == 200
    response = _check(client, sample_pdf(), REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429 and response.context["limited"] and "report" not in response.context
    assert 'role="alert"' in response.content.decode()
    assert _check(client, sample_pdf(), REMOTE_ADDR="10.0.0.2").status_code == 200


def test_csrf_is_required(db):
    client = Client(enforce_csrf_checks=True)
    assert _check(client, sample_pdf()).status_code == 403


def test_lookup_by_code_and_unknown_codes(client, issued):
    response = client.get(HOME, {"ma": issued.token})
    assert response.status_code == 302 and response["Location"] == f"/xac-thuc/{issued.token}"
    assert client.get(HOME, {"ma": "<script>"}).status_code == 400
    response = client.get("/xac-thuc/khong-co-ma-nay")
    assert response.status_code == 404 and 'data-record="unknown"' in response.content.decode()
    assert client.get("/xac-thuc/" + "a" * 60).status_code == 404


def test_the_record_page_shows_the_record_and_no_personal_numbers(client, issued):
    response = client.get(f"/xac-thuc/{issued.token}")
    assert response.status_code == 200
    body = response.content.decode()
    for shown in (issued.dossier.code, "Sở Tư pháp", "Giấy chứng nhận", "12/GCN", issued.sha256,
                  timezone.localtime(issued.issued_at).strftime("%d/%m/%Y")):
        assert shown in body
    dossier = issued.dossier
    for private in (dossier.applicant_id_number, dossier.applicant_phone, dossier.applicant_name,
                    issued.file.stored_name):
        assert private and private not in body


def test_checking_a_copy_against_a_record(client, issued, signing):
    url = f"/xac-thuc/{issued.token}"
    response = _check(client, _bytes(issued), url=url)
    assert response.status_code == 200 and response.context["matches_record"] is True
    assert 'data-matches-record="yes"' in response.content.decode()
    other = issue_e_result(issued.dossier, signing.lead, sample_pdf("Bản sao"), name="Bản sao")
    response = _check(client, _bytes(other), url=url)
    assert response.context["matches_record"] is False and response.context["report"].verdict == "authentic"


def test_hostile_names_are_escaped(client, signing, pdf):
    signing.justice.name = "<script>alert('agency')</script>"
    signing.justice.save()
    d = in_progress(signing)
    issued = issue_e_result(d, signing.spec, pdf, name="<script>alert('doc')</script>", number="<b>1</b>")
    for response in (client.get(f"/xac-thuc/{issued.token}"), _check(client, _bytes(issued))):
        body = response.content.decode()
        assert "<script>" not in body and "<b>1</b>" not in body
        assert "&lt;script&gt;" in body


def test_the_ca_certificate_can_be_downloaded(client, signing):
    response = client.get(reverse("signing:roots"))
    assert response.status_code == 200 and response["Content-Type"] == "application/x-pem-file"
    assert response.content.startswith(b"-----BEGIN CERTIFICATE-----") and b"PRIVATE" not in response.content


# --- staff: issuing ------------------------------------------------------------------------------------------------


def test_staff_issue_a_signed_result_through_the_endpoint(client, signing, pdf):
    d = in_progress(signing)
    url = reverse("signing:issue", kwargs={"code": d.code})
    client.force_login(signing.spec)
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("kq.pdf", pdf), "name": "Giấy chứng nhận",
                                 "number": "5/GCN", "next": "/can-bo/ho-so/x"})
    assert response.status_code == 302 and response["Location"] == "/can-bo/ho-so/x"
    issued = IssuedDocument.objects.get(dossier=d)
    assert issued.number == "5/GCN" and issued.issued_by == signing.spec
    # An unsafe `next` is ignored: back to the public record.
    response = client.post(url, {"file": SimpleUploadedFile("kq2.pdf", sample_pdf("Bản sao")), "name": "Bản sao",
                                 "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"].startswith("/xac-thuc/")


def test_a_bad_upload_comes_back_with_a_message_and_issues_nothing(client, signing):
    d = in_progress(signing)
    url = reverse("signing:issue", kwargs={"code": d.code})
    client.force_login(signing.spec)
    response = client.post(url, {"file": SimpleUploadedFile("anh.png", PNG), "name": "X"}, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not IssuedDocument.objects.exists()
    response = client.post(url, {"name": "X"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_the_issue_endpoint_is_scoped(client, signing, pdf):
    d = in_progress(signing)
    url = reverse("signing:issue", kwargs={"code": d.code})
    assert client.post(url, {"file": SimpleUploadedFile("kq.pdf", pdf), "name": "X"}).status_code == 302  # login
    for outsider in (signing.fin_spec, signing.citizen, signing.other_citizen):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"file": SimpleUploadedFile("kq.pdf", pdf), "name": "X"}).status_code == 404
    client.force_login(signing.spec)
    assert client.get(reverse("signing:issue", kwargs={"code": "000.00.02.H97-991231-9999"})).status_code == 404
    assert not IssuedDocument.objects.exists()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(signing.spec)
    assert strict.post(url, {"file": SimpleUploadedFile("kq.pdf", pdf), "name": "X"}).status_code == 403


# --- downloads -----------------------------------------------------------------------------------------------------


def test_the_owner_and_the_staff_download_others_get_404(client, issued, signing):
    url = reverse("signing:download", kwargs={"token": issued.token})
    assert client.get(url).status_code == 302  # to the login page
    for user in (signing.citizen, signing.spec, signing.desk):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert hashlib.sha256(response.content).hexdigest() == issued.sha256
    assert AccessLog.objects.filter(dossier=issued.dossier, action="download").count() == 3
    for user in (signing.other_citizen, signing.fin_spec):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(signing.citizen)
    assert client.get(reverse("signing:download", kwargs={"token": "x" * 32})).status_code == 404


def test_a_damaged_stored_file_is_never_handed_out(client, issued):
    path = issued.file.file.path
    with open(path, "r+b") as handle:
        handle.seek(100)
        handle.write(b"X")
    client.force_login(issued.issued_by)
    response = client.get(reverse("signing:download", kwargs={"token": issued.token}))
    assert response.status_code == 500 and not response.content.startswith(b"%PDF")
