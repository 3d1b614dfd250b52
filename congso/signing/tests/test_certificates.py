"""The demo CA and the agencies' certificates: extensions, subject, PKCS#12 protection, idempotence, the command."""

import datetime as dt
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from congso.org.choices import AgencyKind, UnitLevel
from congso.org.models import Agency
from congso.signing import certificates, keystore
from congso.signing.models import CertificateKind, SigningCertificate


def _load(record: SigningCertificate) -> x509.Certificate:
    return x509.load_pem_x509_certificate(record.certificate_pem.encode())


def test_the_demo_ca_is_a_ca_and_is_made_once(world):
    ca = certificates.make_demo_ca()
    assert certificates.make_demo_ca() == ca
    assert SigningCertificate.objects.filter(kind=CertificateKind.AUTHORITY).count() == 1
    cert = _load(ca)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > dt.timedelta(days=365 * 9)


def test_an_agency_certificate_signs_documents_in_the_agency_name(world):
    record = certificates.issue_agency_certificate(world.justice)
    cert = _load(record)
    assert record.agency == world.justice and record.active and record.kind == CertificateKind.AGENCY
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Sở Tư pháp"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "UBND tỉnh Thử"
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "VN"
    assert cert.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == world.justice.code
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert certificates.DOCUMENT_SIGNING in eku and ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    ca = _load(certificates.active_authority())
    cert.verify_directly_issued_by(ca)
    assert record.serial == format(cert.serial_number, "x") and len(record.fingerprint) == 64


def test_the_pkcs12_opens_only_with_the_derived_passphrase(world, settings):
    record = certificates.issue_agency_certificate(world.justice)
    key, cert, chain = keystore.unpack(record.pkcs12, record.serial)
    assert cert.serial_number == int(record.serial, 16) and len(chain) == 1
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(bytes(record.pkcs12), None)
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(bytes(record.pkcs12), b"congso")
    other = certificates.issue_agency_certificate(world.finance)
    assert keystore.passphrase_for(record.serial) != keystore.passphrase_for(other.serial)
    settings.CONGSO_SIGNING_PASSPHRASE = "a different master secret"
    with pytest.raises(keystore.KeystoreError):
        keystore.unpack(record.pkcs12, record.serial)


def test_ensure_is_idempotent_and_renews_what_expires(world):
    issued = certificates.ensure_demo_certificates([world.justice, world.finance])
    assert {c.agency for c in issued} == {world.justice, world.finance}
    assert certificates.ensure_demo_certificates([world.justice, world.finance]) == []
    old = certificates.active_certificate(world.justice)
    SigningCertificate.objects.filter(pk=old.pk).update(not_after=timezone.now() + dt.timedelta(days=10))
    (renewed,) = certificates.ensure_demo_certificates([world.justice, world.finance])
    old.refresh_from_db()
    assert renewed.agency == world.justice and not old.active and old.deactivated_at is not None
    assert certificates.active_certificate(world.justice) == renewed
    assert SigningCertificate.objects.filter(agency=world.justice, active=True).count() == 1


def test_long_and_hostile_agency_names_are_clipped_to_the_x509_limits(world):
    agency = Agency.objects.create(
        code="000.00.09.H97", name="<script>alert(1)</script> " + "Ban quản lý các khu công nghiệp " * 5,
        kind=AgencyKind.DEPARTMENT, level=UnitLevel.PROVINCE, admin_unit=world.province, parent=world.root)
    record = certificates.issue_agency_certificate(agency)
    common_name = _load(record).subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name.startswith("<script>") and 60 <= len(common_name.encode()) <= 64


def test_the_command_makes_the_ca_and_certificates_and_exports_the_ca(world, tmp_path):
    out = io.StringIO()
    call_command("signing", "demo-ca", "--agencies", world.justice.code, world.finance.code, stdout=out)
    assert "2 certificate(s) issued" in out.getvalue()
    out = io.StringIO()
    call_command("signing", "demo-ca", stdout=out)  # all agencies: the two done already are skipped
    agencies = Agency.objects.count()
    assert f"{agencies - 2} certificate(s) issued" in out.getvalue()
    assert SigningCertificate.objects.filter(kind=CertificateKind.AGENCY, active=True).count() == agencies
    with pytest.raises(CommandError):
        call_command("signing", "demo-ca", "--agencies", "NO.SUCH.CODE", stdout=io.StringIO())
    target = tmp_path / "ca.pem"
    call_command("signing", "export-ca", "--output", str(target), stdout=io.StringIO())
    exported = x509.load_pem_x509_certificate(target.read_bytes())
    assert exported.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    out = io.StringIO()
    call_command("signing", "export-ca", stdout=out)
    assert out.getvalue().startswith("-----BEGIN CERTIFICATE-----") and "PRIVATE" not in out.getvalue()


def test_export_without_a_ca_is_a_clear_error(db):
    with pytest.raises(CommandError):
        call_command("signing", "export-ca", stdout=io.StringIO())
