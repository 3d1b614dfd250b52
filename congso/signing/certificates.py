"""The demo certificate authority and the agencies' signing certificates (docs/signatures.md).

`make_demo_ca()` makes the province's demo CA once; `issue_agency_certificate(agency)` gives an agency a signing
certificate under it (the previous one, if any, is deactivated); `ensure_demo_certificates(agencies)` does both
as needed and is what `congso demo` and `congso signing demo-ca` call. Everything is idempotent.

A real deployment replaces the demo CA by certificates from a licensed CA (for state agencies, the Government
Cipher Committee's CA); the rest of the code only needs a `SigningCertificate` with its PKCS#12.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.db import IntegrityError, transaction
from django.utils import timezone

from congso.signing import keystore
from congso.signing.models import CertificateKind, SigningCertificate

CA_COMMON_NAME = "congso Demo CA (thử nghiệm)"
CA_ORGANISATION = "congso (demo)"
CA_YEARS = 10
AGENCY_YEARS = 3
# An agency certificate is renewed by `ensure_demo_certificates` when it has less than this left.
RENEW_BEFORE = dt.timedelta(days=30)

# RFC 9336 id-kp-documentSigning; e-mail protection as well, because NSS (poppler's pdfsig, Firefox, LibreOffice)
# checks a PDF signer's certificate for the "e-mail signer" usage and refuses one whose EKU lacks it.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
AGENCY_EKU = [DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]
_UB_NAME = 64  # X.520 upper bound of commonName / organizationName


def _new_key(bits: int):
    """A new RSA key (a function of its own so tests can hand out keys from a pool)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _clip(value: str) -> str:
    """At most 64 bytes of UTF-8 (the bound cryptography enforces), cut at a character boundary."""
    value = " ".join((value or "").split())
    while len(value.encode()) > _UB_NAME:
        value = value[:-1]
    return value.rstrip() or "-"


def _fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def _record(kind: str, certificate: x509.Certificate, key, chain: list[x509.Certificate], *, agency=None,
            issuer: SigningCertificate | None = None) -> SigningCertificate:
    common_name = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    return SigningCertificate.objects.create(
        kind=kind, agency=agency, issuer=issuer, subject=certificate.subject.rfc4514_string()[:1000],
        common_name=str(common_name)[:255], serial=format(certificate.serial_number, "x"),
        fingerprint=_fingerprint(certificate), not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        pkcs12=keystore.pack(key, certificate, chain, str(common_name)), is_demo=True,
    )


def active_authority() -> SigningCertificate | None:
    return SigningCertificate.objects.filter(kind=CertificateKind.AUTHORITY, active=True).first()


def make_demo_ca() -> SigningCertificate:
    """The demo CA: made on the first call, returned as it is afterwards (also when two processes race)."""
    existing = active_authority()
    if existing is not None:
        return existing
    key = _new_key(3072)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_ORGANISATION),
        x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME),
    ])
    now = timezone.now().replace(microsecond=0)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    try:
        with transaction.atomic():
            return _record(CertificateKind.AUTHORITY, certificate, key, [])
    except IntegrityError:  # another process made it first (one active authority): use theirs
        found = active_authority()
        if found is None:
            raise
        return found


def agency_subject(agency) -> x509.Name:
    """CN = the agency's Vietnamese name, O = the province's top agency (or the agency), C = VN, UID = its code."""
    top = agency
    while top.parent_id is not None and top.parent is not None:
        top = top.parent
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _clip(top.name)),
        x509.NameAttribute(NameOID.USER_ID, _clip(agency.code)),
        x509.NameAttribute(NameOID.COMMON_NAME, _clip(agency.name)),
    ])


def issue_agency_certificate(agency, authority: SigningCertificate | None = None) -> SigningCertificate:
    """A new signing certificate for `agency` under the (demo) CA; the agency's previous one is deactivated."""
    authority = authority or make_demo_ca()
    ca_key, ca_certificate, _ = keystore.unpack(authority.pkcs12, authority.serial)
    key = _new_key(2048)
    public = key.public_key()
    now = timezone.now().replace(microsecond=0)
    not_after = min(now + dt.timedelta(days=365 * AGENCY_YEARS), ca_certificate.not_valid_after_utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(agency_subject(agency)).issuer_name(ca_certificate.subject).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(AGENCY_EKU), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_certificate.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    with transaction.atomic():
        # Lock the agency's current certificate row(s), so two issuers do not both deactivate and insert.
        current = list(SigningCertificate.objects.select_for_update().filter(
            kind=CertificateKind.AGENCY, agency=agency, active=True))
        SigningCertificate.objects.filter(pk__in=[c.pk for c in current]).update(
            active=False, deactivated_at=timezone.now())
        return _record(CertificateKind.AGENCY, certificate, key, [ca_certificate], agency=agency, issuer=authority)


def active_certificate(agency) -> SigningCertificate | None:
    """The agency's certificate in use, if it is valid now."""
    now = timezone.now()
    return SigningCertificate.objects.filter(kind=CertificateKind.AGENCY, agency=agency, active=True,
                                             not_before__lte=now, not_after__gt=now).first()


def needs_certificate(agency) -> bool:
    current = active_certificate(agency)
    return current is None or current.not_after - timezone.now() < RENEW_BEFORE


def ensure_demo_certificates(agencies) -> list[SigningCertificate]:
    """Make the demo CA if missing and give each of `agencies` (Agency objects) a valid certificate if it has none
    (or one about to expire). Returns the certificates issued now; calling it again issues nothing."""
    authority = make_demo_ca()
    issued = []
    for agency in agencies:
        if needs_certificate(agency):
            issued.append(issue_agency_certificate(agency, authority))
    return issued


def trusted_roots() -> list[x509.Certificate]:
    """The CA certificates whose signatures the verification page trusts: the active authority and earlier ones
    (documents signed under a CA that has since been replaced stay verifiable)."""
    return [x509.load_pem_x509_certificate(pem.encode()) for pem in SigningCertificate.objects.filter(
        kind=CertificateKind.AUTHORITY).order_by("-active", "-not_before").values_list("certificate_pem", flat=True)]


def roots_pem() -> str:
    """The trusted CA certificates as one PEM bundle, for people and programs that want to trust them."""
    return "".join(SigningCertificate.objects.filter(kind=CertificateKind.AUTHORITY)
                   .order_by("-active", "-not_before").values_list("certificate_pem", flat=True))


def find_by_certificate(certificate_der: bytes) -> SigningCertificate | None:
    return SigningCertificate.objects.select_related("agency").filter(
        fingerprint=hashlib.sha256(certificate_der).hexdigest()).first()
