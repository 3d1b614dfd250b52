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
import hashlib
import io
import threading
import uuid

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from pyhanko.pdf_utils.content import ImportedPdfPage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, BoxConstraints, Margins, SimpleBoxLayoutRule
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
FULL_BOX = SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MIN,
                               margins=Margins.uniform(0))

# Document content, not UI: the result is a Vietnamese administrative document whatever the staff's UI language.
SIGNED_BY = "Văn bản điện tử được ký số bởi"
CHECK_AT = "kiểm tra tại"
SIGNED_ON = "Ký ngày:"
REASON = "Ký số kết quả giải quyết thủ tục hành chính"


class SigningFailed(Exception):
    """The PDF cannot be stamped or signed (unreadable, encrypted, locked by an earlier certification, …)."""


class _Stamp(ImportedPdfPage):
    """The signature appearance: the text block drawn by WeasyPrint (imported as a form XObject) and the QR code
    drawn on top as filled rectangles, one per run of dark modules (cheaper than SVG through WeasyPrint)."""

    def __init__(self, text_pdf: bytes, url: str):
        self.text_pdf = text_pdf
        self.url = url
        super().__init__(file_name=None)

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.text_pdf)), page_ix=0)
        name = "/Stamp" + uuid.uuid4().hex
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        width, height = float(abs(x1 - x2)), float(abs(y1 - y2))
        self.box = BoxConstraints(width=width, height=height)
        return name.encode() + b" Do\n" + qr_operators(self.url, left=1 * MM, top=height - 1 * MM, size=QR_MM * MM)


def qr_operators(url: str, *, left: float, top: float, size: float) -> bytes:
    """PDF operators drawing the QR code of `url` in black, `size` points wide, its top-left corner at (left, top)."""
    # A fixed mask: scoring all eight costs more than the rest of the stamp, and any mask scans the same.
    matrix = segno.make(url, error="m", micro=False, mask=4).matrix
    count = len(matrix)
    module = size / count
    ops = [b"q 0 0 0 rg"]
    for row_index, row in enumerate(matrix):
        y = top - (row_index + 1) * module
        column = 0
        while column < count:
            if row[column]:
                start = column
                while column < count and row[column]:
                    column += 1
                ops.append(b"%.3f %.3f %.3f %.3f re" % (left + start * module, y, (column - start) * module, module))
            else:
                column += 1
    ops.append(b"f Q")
    return b"\n".join(ops)


_FONTS = threading.local()  # one WeasyPrint font configuration per thread (it is not meant to be shared)


def stamp_pdf(url: str, agency_name: str, signed_on: dt.datetime) -> bytes:
    """The stamp's text block as a one-page PDF the size of the stamp (the names are escaped by the template)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = getattr(_FONTS, "config", None)
    if fonts is None:  # the system fonts are looked up once per thread, not once per document
        fonts = _FONTS.config = FontConfiguration()

    # Sizes as plain strings: the template would localise numbers (22,5 in Vietnamese), which CSS does not read.
    sizes = {"width_mm": STAMP_WIDTH_MM, "height_mm": STAMP_HEIGHT_MM, "qr_mm": QR_MM, "text_max_mm": STAMP_HEIGHT_MM - 2,
             "text_left_mm": QR_MM + 2.5, "text_width_mm": STAMP_WIDTH_MM - QR_MM - 4}
    html = render_to_string("signing/stamp.html", {
        **{name: f"{value:g}" for name, value in sizes.items()},
        "url": url, "agency_name": agency_name, "signed_by_line": SIGNED_BY,
        "check_at_line": CHECK_AT, "signed_on_line": SIGNED_ON,
        "signed_on": timezone.localtime(signed_on).strftime("%d/%m/%Y %H:%M"),
    })
    return HTML(string=html).write_pdf(font_config=fonts)


class _KeySigner(signers.SimpleSigner):
    """SimpleSigner that signs with the key object it was given: pyHanko's own re-reads the key from DER for every
    signature, and cryptography validates an RSA key on every read (a fifth of a second on a busy machine)."""

    def __init__(self, *, private_key, **kwargs):
        self._private_key = private_key
        super().__init__(**kwargs)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash

        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism.signature_algo == "rsassa_pkcs1v15" and isinstance(self._private_key, rsa.RSAPrivateKey):
            return self._private_key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


# Signers already unwrapped in this process, by certificate fingerprint, PKCS#12 digest and master secret digest:
# the key stays in the worker's memory (where it is anyway while it signs) instead of being decrypted and
# validated again for every document. A new certificate, or a new master secret, is a new entry.
_SIGNERS: dict[tuple, signers.SimpleSigner] = {}
_SIGNERS_LOCK = threading.Lock()
_MAX_SIGNERS = 256


def load_signer(certificate) -> signers.SimpleSigner:
    """A pyHanko signer from a `SigningCertificate`'s PKCS#12 (key and chain stay in this process's memory)."""
    from pyhanko.keys import internal

    blob = bytes(certificate.pkcs12)
    cache_key = (certificate.fingerprint, hashlib.sha256(blob).digest(),
                 hashlib.sha256(keystore.master_secret()).digest())
    with _SIGNERS_LOCK:
        found = _SIGNERS.get(cache_key)
    if found is not None:
        return found
    key, cert, chain = keystore.unpack(blob, certificate.serial)
    store = SimpleCertificateStore()
    store.register_multiple([internal.translate_pyca_cryptography_cert_to_asn1(c) for c in chain])
    signer = _KeySigner(
        private_key=key,
        signing_cert=internal.translate_pyca_cryptography_cert_to_asn1(cert),
        signing_key=internal.translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=store, embed_roots=True,
    )
    with _SIGNERS_LOCK:
        if len(_SIGNERS) >= _MAX_SIGNERS:
            _SIGNERS.clear()
        _SIGNERS[cache_key] = signer
    return signer


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
            # No margins, no scaling: the stamp is drawn at exactly the size of the field.
            stamp_style=StaticStampStyle(background=_Stamp(stamp, url), border_width=0, background_layout=FULL_BOX),
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
