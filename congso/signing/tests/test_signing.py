"""Signing a PDF and issuing it as an e-result; checked with pyHanko and, independently, with poppler's pdfsig."""

import hashlib
import io
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from congso.datastore.models import ApplicantDocument, DocumentKind
from congso.dossiers.choices import Action, Status
from congso.dossiers.models import Dossier, DossierFile, ResultDocument
from congso.dossiers.services.actions import perform
from congso.dossiers.services.common import BadInput, Forbidden, InvalidTransition, NotFound
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import PDF, PNG, intake
from congso.signing import certificates, pdfsign
from congso.signing.models import IssuedDocument
from congso.signing.services import NoCertificate, issue_e_result
from congso.signing.tests.conftest import in_progress, pdfsig, sample_pdf


def _context():
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding

    roots = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in certificates.trusted_roots()]
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def _signed(world, pdf):
    certificate = certificates.active_certificate(world.justice)
    return pdfsign.sign_pdf(pdf, certificate, "http://127.0.0.1:8000/xac-thuc/abc123", world.justice.name)


def test_signed_pdf_is_valid_pades_with_the_chain_for_pyhanko(signing, pdf):
    signed = _signed(signing, pdf)
    assert signed[: len(pdf)] == pdf  # an incremental update: the original bytes come first, untouched
    reader = PdfFileReader(io.BytesIO(signed))
    (embedded,) = reader.embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = validate_pdf_signature(embedded, signer_validation_context=_context())
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.signing_cert.subject.native["common_name"] == "Sở Tư pháp"
    assert status.signing_cert.subject.native["country_name"] == "VN"
    embedded_certs = {c.chosen.subject.native["common_name"] for c in embedded.signed_data["certificates"]}
    assert embedded_certs == {"Sở Tư pháp", certificates.CA_COMMON_NAME}  # the chain travels with the file
    assert status.coverage.name == "ENTIRE_FILE"


def test_signed_pdf_is_valid_and_trusted_for_pdfsig_and_a_tampered_copy_is_not(signing, pdf, nss_db, tmp_path):
    path, trust = nss_db
    trust(certificates.roots_pem())
    signed = _signed(signing, pdf)
    out = pdfsig(path, signed, tmp_path)
    assert "Signature is Valid." in out, out
    assert "Certificate is Trusted." in out, out
    assert "Sở Tư pháp" in out
    # One byte inside the signed range changed (in the original page content).
    tampered = bytearray(signed)
    at = signed.index(b"stream", 200) + 20
    tampered[at] = (tampered[at] + 1) % 256
    out = pdfsig(path, bytes(tampered), tmp_path, "tampered.pdf")
    assert "Signature is Valid." not in out, out
    assert "Digest Mismatch" in out or "Invalid" in out, out


def test_pdfsig_does_not_trust_the_signature_without_the_demo_ca(signing, pdf, nss_db, tmp_path):
    path, _trust = nss_db
    out = pdfsig(path, _signed(signing, pdf), tmp_path)
    assert "Signature is Valid." in out  # the maths is right …
    assert "Certificate is Trusted." not in out  # … but nobody vouches for the signer


def test_the_stamp_carries_the_verification_url_and_the_agency(signing, pdf, tmp_path):
    signed = _signed(signing, pdf)
    target = tmp_path / "s.pdf"
    target.write_bytes(signed)
    # The stamp is the signature's appearance: render the page with annotations and read its text back.
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True).stdout
    stamp_only = text.replace("Giấy chứng nhận", "")
    assert "Sở Tư pháp" in stamp_only
    assert "xac-thuc/abc123" in stamp_only
    assert "ký số bởi" in stamp_only


def test_issuing_completes_an_in_progress_dossier_through_the_engine(signing, pdf):
    d = in_progress(signing)
    issued = issue_e_result(d, signing.spec, pdf, name="Giấy chứng nhận", number="12/GCN")
    d.refresh_from_db()
    assert issued.created
    assert d.status == Status.RESOLVED
    assert [e.action for e in d.events.order_by("seq")][-1] == Action.COMPLETE
    result = ResultDocument.objects.get(dossier=d)
    assert result.is_electronic and result.number == "12/GCN" and result.pushed_to_data_store
    assert issued.result == result and issued.file == result.file
    with result.file.file.open("rb") as handle:
        stored = handle.read()
    assert hashlib.sha256(stored).hexdigest() == issued.sha256 == result.file.sha256
    assert issued.source_sha256 == hashlib.sha256(pdf).hexdigest() != issued.sha256
    assert len(issued.token) == 32 and issued.agency == signing.justice
    assert issued.certificate == certificates.active_certificate(signing.justice)
    # The applicant's data store holds the e-result (by the applicant's citizen ID: no account here).
    document = ApplicantDocument.objects.get(source_result=result)
    assert document.kind == DocumentKind.E_RESULT and document.sha256 == issued.sha256
    assert document.owner_id_number == "001090012345"


def test_issuing_for_a_resolved_dossier_adds_an_electronic_result(signing, pdf):
    d = in_progress(signing)
    d = perform(d.code, Action.COMPLETE, signing.spec, results=[{"name": "Giấy chứng nhận (bản giấy)"}])
    version = d.version
    issued = issue_e_result(d, signing.lead, pdf, name="Giấy chứng nhận (bản điện tử)")
    d.refresh_from_db()
    assert d.status == Status.RESOLVED and d.version == version + 1
    assert d.results.count() == 2
    result = d.results.get(is_electronic=True)
    assert issued.result == result and result.pushed_to_data_store
    assert ApplicantDocument.objects.filter(source_result=result).exists()
    # Also once the result has been handed back.
    perform(d.code, Action.RETURN_RESULT, signing.desk)
    second = issue_e_result(d, signing.lead, sample_pdf("Bản sao"), name="Bản sao điện tử")
    assert second.created and second.token != issued.token
    assert IssuedDocument.objects.filter(dossier=d).count() == 2


def test_the_same_pdf_twice_gives_the_first_record(signing, pdf):
    d = in_progress(signing)
    first = issue_e_result(d, signing.spec, pdf, name="Giấy chứng nhận")
    again = issue_e_result(d, signing.lead, pdf, name="Giấy chứng nhận")
    assert not again.created and again.pk == first.pk
    assert IssuedDocument.objects.count() == 1 and ResultDocument.objects.filter(dossier=d).count() == 1


def test_who_may_issue(signing, pdf):
    d = in_progress(signing)
    with pytest.raises(NotFound):  # another agency does not even learn the dossier exists
        issue_e_result(d, signing.fin_spec, pdf, name="X")
    with pytest.raises(NotFound):
        issue_e_result(d, signing.other_citizen, pdf, name="X")
    with pytest.raises(Forbidden):  # the receiving desk sees it, but does not sign for the Department of Justice
        issue_e_result(d, signing.desk, pdf, name="X")
    with pytest.raises(Forbidden):  # the complete action belongs to whoever holds the step (or a head, a leader)
        issue_e_result(d, signing.spec2, pdf, name="X")
    assert not IssuedDocument.objects.exists() and not ResultDocument.objects.exists()
    assert Dossier.objects.get(pk=d.pk).status == Status.IN_PROGRESS


def test_status_input_and_certificate_are_checked_before_anything_is_written(signing, pdf, settings):
    new = create_dossier(intake(signing, channel="online", files=False), signing.citizen)
    with pytest.raises(InvalidTransition):
        issue_e_result(new, signing.lead, pdf, name="X")
    d = in_progress(signing)
    with pytest.raises(BadInput) as error:
        issue_e_result(d, signing.spec, PNG, name="X", file_name="anh.png")
    assert "file" in error.value.errors
    with pytest.raises(BadInput) as error:
        issue_e_result(d, signing.spec, b"MZ\x90\x00 not a pdf", name="X", file_name="virus.pdf")
    assert "file" in error.value.errors
    with pytest.raises(BadInput) as error:  # passes the upload check (magic + %%EOF) but has no page to sign
        issue_e_result(d, signing.spec, PDF, name="X")
    assert "file" in error.value.errors
    with pytest.raises(BadInput) as error:
        issue_e_result(d, signing.spec, pdf, name="")
    assert "name" in error.value.errors
    with pytest.raises(BadInput):
        issue_e_result(d, signing.spec, pdf, name="X", number="9" * 101)
    with pytest.raises(BadInput):
        issue_e_result(d, signing.spec, pdf, name="X", catalog_result_id=999999)
    certificates.active_certificate(signing.justice).__class__.objects.filter(agency=signing.justice).update(
        active=False)
    with pytest.raises(NoCertificate):
        issue_e_result(d, signing.spec, pdf, name="X")
    assert not IssuedDocument.objects.exists() and not DossierFile.objects.filter(kind="result").exists()
    assert Dossier.objects.get(pk=d.pk).status == Status.IN_PROGRESS
    media = settings.MEDIA_ROOT / "dossiers"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_failure_after_the_file_is_stored_rolls_everything_back(signing, pdf, settings, monkeypatch):
    d = in_progress(signing)

    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(IssuedDocument.objects, "create", fail)
    with pytest.raises(RuntimeError):
        issue_e_result(d, signing.spec, pdf, name="X")
    assert Dossier.objects.get(pk=d.pk).status == Status.IN_PROGRESS
    assert not ResultDocument.objects.exists() and not DossierFile.objects.filter(kind="result").exists()
    assert not ApplicantDocument.objects.exists()
    folder = settings.MEDIA_ROOT / "dossiers"
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_a_catalogue_result_names_the_document(signing, pdf):
    d = in_progress(signing)
    catalog = d.procedure_version.results.get()
    issued = issue_e_result(d, signing.spec, pdf, catalog_result_id=catalog.pk)
    assert issued.name == "Giấy chứng nhận" and issued.result.result_code == "KQ.G15.000001"


def test_hostile_names_are_signed_as_text(signing, pdf):
    signing.justice.name = "<script>alert(1)</script> Sở"
    signing.justice.save()
    d = in_progress(signing)
    issued = issue_e_result(d, signing.spec, pdf, name="<img src=x onerror=alert(1)>")
    assert issued.name == "<img src=x onerror=alert(1)>"
    reader = PdfFileReader(io.BytesIO(issued.file.file.open("rb").read()))
    status = validate_pdf_signature(reader.embedded_signatures[0], signer_validation_context=_context())
    assert status.intact and status.valid


def test_the_qr_code_on_the_page_encodes_the_verification_url(signing, pdf, tmp_path):
    """Render the signed page and read every module of the QR code back from the pixels."""
    import segno
    from PIL import Image

    url = "http://127.0.0.1:8000/xac-thuc/AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    certificate = certificates.active_certificate(signing.justice)
    target = tmp_path / "s.pdf"
    target.write_bytes(pdfsign.sign_pdf(pdf, certificate, url, signing.justice.name))
    dpi = 300
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(target), str(tmp_path / "page")],
                   check=True)
    image = Image.open(tmp_path / "page.png").convert("L")
    scale = dpi / 72
    matrix = segno.make(url, error="m", micro=False, mask=4).matrix
    count = len(matrix)
    module = pdfsign.QR_MM * pdfsign.MM / count
    left = pdfsign.MARGIN_LEFT_PT + 1 * pdfsign.MM
    top = pdfsign.MARGIN_BOTTOM_PT + pdfsign.STAMP_HEIGHT_MM * pdfsign.MM - 1 * pdfsign.MM  # from the page bottom
    height = image.height
    read = [[image.getpixel((int((left + (c + 0.5) * module) * scale),
                             int(height - (top - (r + 0.5) * module) * scale))) < 128 for c in range(count)]
            for r in range(count)]
    assert read == [[bool(v) for v in row] for row in matrix]
