"""Checking an uploaded PDF for the public verification page (no writes): `verify_pdf(content) -> Report`.

For every signature in the file (at most MAX_SIGNATURES): is the signed data intact, is the CMS signature valid, does
the signer's certificate chain to a CA congso trusts (the demo CA and earlier ones; no fetching, no revocation data),
who signed and when (the signer-reported time — there is no timestamp token), and was the file changed after
signing (coverage and pyHanko's difference analysis of later incremental updates). Separately: is the file byte
for byte one congso issued (its SHA-256 equals an `IssuedDocument`'s), or does a signed revision inside it equal
one (the issued file with something appended later).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from congso.signing.certificates import find_by_certificate, trusted_roots
from congso.signing.models import IssuedDocument

log = logging.getLogger(__name__)
MAX_SIGNATURES = 10


class Verdict:
    AUTHENTIC = "authentic"  # exactly a file congso issued, its signature valid and trusted
    ISSUED_THEN_CHANGED = "issued_then_changed"  # a congso file with changes appended after signing
    SIGNED_NOT_ISSUED = "signed_not_issued"  # a valid trusted signature, but not a file congso issued
    UNTRUSTED = "untrusted"  # intact signature(s) from a certificate congso does not trust
    BROKEN = "broken"  # a signature does not match the file: it was altered
    UNSIGNED = "unsigned"
    UNREADABLE = "unreadable"


@dataclass
class SignatureCheck:
    field_name: str
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    signer_name: str = ""
    signer_subject: str = ""
    certificate: object = None  # SigningCertificate when the signer is one of congso's agency certificates
    signing_time: object = None
    covers_whole_file: bool = False
    modification: str = ""  # "none", "lta_updates", "form_filling", "annotations", "other" or "" (unknown)
    signed_revision_issued: IssuedDocument | None = None
    error: str = ""

    @property
    def agency(self):
        return self.certificate.agency if self.certificate is not None else None

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


@dataclass
class Report:
    sha256: str
    size: int
    issued: IssuedDocument | None = None
    signatures: list[SignatureCheck] = field(default_factory=list)
    readable: bool = True
    more_signatures: bool = False

    @property
    def changed_after_signing(self) -> bool:
        return any(not s.covers_whole_file for s in self.signatures if s.intact)

    @property
    def verdict(self) -> str:
        if not self.readable:
            return Verdict.UNREADABLE
        if not self.signatures:
            return Verdict.UNSIGNED
        if any(not s.intact or not s.valid for s in self.signatures):
            return Verdict.BROKEN
        trusted = [s for s in self.signatures if s.ok]
        if not trusted:
            return Verdict.UNTRUSTED
        if self.issued is not None and not self.changed_after_signing:
            return Verdict.AUTHENTIC
        if any(s.signed_revision_issued is not None for s in trusted):
            return Verdict.ISSUED_THEN_CHANGED
        return Verdict.SIGNED_NOT_ISSUED

    @property
    def authentic(self) -> bool:
        return self.verdict == Verdict.AUTHENTIC

    @property
    def original(self) -> IssuedDocument | None:
        """The issued document this file is, or grew from."""
        return self.issued or next((s.signed_revision_issued for s in self.signatures if s.signed_revision_issued),
                                   None)


def _context() -> ValidationContext:
    roots = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in trusted_roots()]
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _common_name(certificate) -> str:
    try:
        return str(certificate.subject.native.get("common_name") or "")
    except (ValueError, TypeError, AttributeError):
        return ""


def _modification(status) -> str:
    level = status.modification_level
    if level is None:
        return ""
    return {ModificationLevel.NONE: "none", ModificationLevel.LTA_UPDATES: "lta_updates",
            ModificationLevel.FORM_FILLING: "form_filling"}.get(level, level.name.lower())


def _check_one(embedded, content: bytes, context: ValidationContext) -> SignatureCheck:
    check = SignatureCheck(field_name=str(embedded.field_name or "")[:200])
    try:
        status = validate_pdf_signature(embedded, signer_validation_context=context)
    except Exception as exc:  # noqa: BLE001 - hostile input fails in many ways; all mean "not a valid signature"
        log.info("signature %s could not be validated: %s", check.field_name, type(exc).__name__)
        check.error = type(exc).__name__
        return check
    check.intact, check.valid, check.trusted = bool(status.intact), bool(status.valid), bool(status.trusted)
    cert = status.signing_cert
    if cert is not None:
        check.signer_name = _common_name(cert)[:255]
        check.signer_subject = cert.subject.human_friendly[:1000]
        check.certificate = find_by_certificate(cert.dump())
    check.signing_time = status.signer_reported_dt
    check.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    check.modification = _modification(status)
    if check.intact and check.valid:
        start, length = embedded.byte_range[2], embedded.byte_range[3]
        revision = content[: start + length]
        check.signed_revision_issued = IssuedDocument.objects.select_related("agency", "dossier").filter(
            sha256=hashlib.sha256(revision).hexdigest()).first()
    return check


def verify_pdf(content: bytes) -> Report:
    """Check `content` (already validated as a PDF by `check_upload`)."""
    digest = hashlib.sha256(content).hexdigest()
    report = Report(sha256=digest, size=len(content))
    report.issued = IssuedDocument.objects.select_related("agency", "dossier").filter(sha256=digest).first()
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        if reader.encrypted:
            report.readable = False
            return report
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:  # noqa: BLE001 - an unreadable file is an answer, not a server error
        log.info("uploaded PDF could not be read: %s", type(exc).__name__)
        report.readable = False
        return report
    report.more_signatures = len(embedded) > MAX_SIGNATURES
    context = _context()
    report.signatures = [_check_one(sig, content, context) for sig in embedded[:MAX_SIGNATURES]]
    return report

