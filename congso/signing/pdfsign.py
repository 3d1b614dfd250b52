"""Stamping and PAdES-signing one PDF (no database writes): `sign_pdf(pdf, certificate, url, agency_name)`.

The stamp — a QR code to the verification page and the line "Văn bản điện tử được ký số bởi <agency> — kiểm tra tại
<url>" — is the visible appearance of the signature field, placed at the bottom left of the last page. It is drawn
by WeasyPrint (vector text in Liberation Sans, which has the Vietnamese letters; pyHanko's own QR stamp would need
the extra `qrcode` and `uharfbuzz` packages) and imported into the field's appearance stream. The signature is
PAdES B-B: CMS with the signing-certificate-v2 attribute, SHA-256, the certificate chain embedded; no timestamp and
no revocation data, because no TSA or OCSP responder is reachable from here (docs/signatures.md).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from pyhanko.pdf_utils.content import ImportedPdfPage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from congso.signing import keystore

MM = 72 / 25.4
STAMP_WIDTH_MM, STAMP_HEIGHT_MM, QR_MM = 95, 22, 20
MARGIN_LEFT_PT, MARGIN_BOTTOM_PT = 28, 10

# Document content, not UI: the result is a Vietnamese administrative document whatever the staff's UI language.
SIGNED_BY = "Văn bản điện tử được ký số bởi"
CHECK_AT = "kiểm tra tại"
SIGNED_ON = "Ký ngày:"
REASON = "Ký số kết quả giải quyết thủ tục hành chính"


class SigningFailed(Exception):
    """The PDF cannot be stamped or signed (unreadable, encrypted, locked by an earlier certification, …)."""


class _StampPage(ImportedPdfPage):
    """`ImportedPdfPage` from bytes in memory instead of a file name."""

    def __init__(self, pdf: bytes):
        self.pdf = pdf
        super().__init__(file_name=None)

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)), page_ix=0)
        name = "/Stamp" + uuid.uuid4().hex
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode() + b" Do"


def qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", border=0, xmldecl=False, svgns=True,
                                                 omitsize=True)
    return buffer.getvalue().decode()


def stamp_pdf(url: str, agency_name: str, signed_on: dt.datetime) -> bytes:
    """The stamp as a one-page PDF (the names are escaped by the template)."""
    from weasyprint import HTML

    html = render_to_string("signing/stamp.html", {
        "width_mm": STAMP_WIDTH_MM, "height_mm": STAMP_HEIGHT_MM, "qr_mm": QR_MM, "text_max_mm": STAMP_HEIGHT_MM - 2,
        "qr_svg": qr_svg(url), "url": url, "agency_name": agency_name, "signed_by_line": SIGNED_BY,
        "check_at_line": CHECK_AT, "signed_on_line": SIGNED_ON,
        "signed_on": timezone.localtime(signed_on).strftime("%d/%m/%Y %H:%M"),
    })
    return HTML(string=html).write_pdf()


def load_signer(certificate) -> signers.SimpleSigner:
    """A pyHanko signer from a `SigningCertificate`'s PKCS#12 (key and chain stay in this process's memory)."""
    from pyhanko.keys import internal

    key, cert, chain = keystore.unpack(certificate.pkcs12, certificate.serial)
    store = SimpleCertificateStore()
    store.register_multiple([internal.translate_pyca_cryptography_cert_to_asn1(c) for c in chain])
    return signers.SimpleSigner(
        signing_cert=internal.translate_pyca_cryptography_cert_to_asn1(cert),
        signing_key=internal.translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=store, embed_roots=True,
    )


def _page_origin(writer: IncrementalPdfFileWriter) -> tuple[float, float]:
    """Lower-left corner of the last page's MediaBox (which may be inherited from the page tree)."""
    page_ref, _ = writer.find_page_for_modification(-1)
    node = page_ref.get_object()
    while node is not None:
        box = node.get("/MediaBox")
        if box is not None:
            values = [float(v) for v in box]
            return min(values[0], values[2]), min(values[1], values[3])
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return 0.0, 0.0


def sign_pdf(pdf: bytes, certificate, url: str, agency_name: str, *, field_name: str | None = None,
             signed_on: dt.datetime | None = None) -> bytes:
    """The PDF with the stamp and a PAdES signature of `certificate`'s agency appended as an incremental update
    (the original bytes stay untouched at the start of the file)."""
    signed_on = signed_on or timezone.now()
    stamp = stamp_pdf(url, agency_name, signed_on)
    signer = load_signer(certificate)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if writer.prev.encrypted:
            raise SigningFailed("encrypted")
        x0, y0 = _page_origin(writer)
        box = (x0 + MARGIN_LEFT_PT, y0 + MARGIN_BOTTOM_PT, x0 + MARGIN_LEFT_PT + STAMP_WIDTH_MM * MM,
               y0 + MARGIN_BOTTOM_PT + STAMP_HEIGHT_MM * MM)
        name = field_name or f"CongSo{uuid.uuid4().hex[:12]}"
        metadata = signers.PdfSignatureMetadata(
            field_name=name, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256", reason=REASON,
            name=agency_name[:200],
        )
        pdf_signer = signers.PdfSigner(
            metadata, signer=signer,
            stamp_style=StaticStampStyle(background=_StampPage(stamp), border_width=0),
            new_field_spec=fields.SigFieldSpec(sig_field_name=name, on_page=-1, box=box),
        )
        output = pdf_signer.sign_pdf(writer, output=io.BytesIO())
        return output.getvalue()
    except SigningFailed:
        raise
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, AssertionError,
            SigningError) as exc:
        # A hostile or damaged PDF fails in many ways inside the parser; all mean "cannot sign this file".
        raise SigningFailed(type(exc).__name__) from exc
