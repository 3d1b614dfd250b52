"""The engine's small world (congso/dossiers/tests/conftest.py) plus a demo CA, a certificate for the Department of
Justice (the handling agency), sample PDFs and an NSS database for poppler's `pdfsig`."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from congso.dossiers.choices import Action
from congso.dossiers.models import Dossier
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import build_world, intake, make_user, world, world_tx  # noqa: F401
from congso.signing import certificates

_KEYS: dict[int, list] = {}
_KEYS_LOCK = threading.Lock()
_PDFS: dict[str, bytes] = {}


@pytest.fixture(autouse=True)
def key_pool(monkeypatch):
    """RSA key generation costs up to a second per key: the tests take keys from a small pool made once per run.
    (Certificates, serials and fingerprints are still new for every certificate.)"""
    counters: dict[int, int] = {}

    def pooled(bits: int):
        with _KEYS_LOCK:
            pool = _KEYS.setdefault(bits, [])
            index = counters.get(bits, 0)
            counters[bits] = index + 1
            if index >= len(pool) and len(pool) < 4:
                pool.append(rsa.generate_private_key(public_exponent=65537, key_size=bits))
            return pool[index % len(pool)]

    monkeypatch.setattr(certificates, "_new_key", pooled)


def sample_pdf(title: str = "Giấy chứng nhận") -> bytes:
    """An A4 page in Vietnamese, as the printing app makes them (made once per title and run)."""
    if title not in _PDFS:
        from weasyprint import HTML

        _PDFS[title] = HTML(string=f"""<html lang="vi"><head><style>@page {{ size: A4; margin: 20mm }}
            body {{ font-family: 'Liberation Serif'; font-size: 13pt }}</style></head><body>
            <p style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br>Độc lập - Tự do - Hạnh phúc</p>
            <h1 style="text-align:center">{title}</h1><p>Ông Nguyễn Văn Án được cấp giấy này.</p></body></html>""") \
            .write_pdf()
    return _PDFS[title]


@pytest.fixture
def pdf():
    return sample_pdf()


@pytest.fixture
def signing(world):  # noqa: F811
    """The world with the demo CA and a certificate for the handling agency (Sở Tư pháp)."""
    certificates.ensure_demo_certificates([world.justice])
    return world


@pytest.fixture
def signing_tx(world_tx):  # noqa: F811
    certificates.ensure_demo_certificates([world_tx.justice])
    return world_tx


def in_progress(w, *, owner=None) -> Dossier:
    """A dossier received at the centre and forwarded to the justice specialist (who may complete it)."""
    d = create_dossier(intake(w, files=False), w.desk)
    d = perform(d.code, Action.FORWARD, w.desk, assignee=w.spec)
    if owner is not None:
        Dossier.objects.filter(pk=d.pk).update(applicant=owner)
        d.refresh_from_db()
    return d


def foreign_ca_signer(tmp_path):
    """A CA congso does not know and a signer under it: (pyHanko signer, CA certificate)."""
    from pyhanko.keys import internal
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Unknown CA"),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sở Tư pháp")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    store = SimpleCertificateStore()
    store.register(internal.translate_pyca_cryptography_cert_to_asn1(ca))
    signer = signers.SimpleSigner(signing_cert=internal.translate_pyca_cryptography_cert_to_asn1(cert),
                                  signing_key=internal.translate_pyca_cryptography_key_to_asn1(key),
                                  cert_registry=store)
    return signer, ca


def sign_with(signer, pdf_bytes: bytes) -> bytes:
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(field_name="Foreign", subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf_bytes)), meta, signer=signer).getvalue()


@pytest.fixture
def nss_db(tmp_path):
    """A fresh NSS database (certutil, Debian libnss3-tools) and a function that trusts a PEM CA in it."""
    path = tmp_path / "nss"
    path.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{path}", "--empty-password"], check=True, capture_output=True)

    def trust(pem: str, nickname: str = "congso-demo-ca") -> None:
        ca_file = tmp_path / f"{nickname}.pem"
        ca_file.write_text(pem)
        subprocess.run(["certutil", "-A", "-d", f"sql:{path}", "-n", nickname, "-t", "CT,C,C", "-i", str(ca_file)],
                       check=True, capture_output=True)

    return path, trust


def pdfsig(nss_path, pdf_bytes: bytes, tmp_path, name: str = "check.pdf") -> str:
    target = tmp_path / name
    target.write_bytes(pdf_bytes)
    done = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_path}", str(target)], capture_output=True, text=True,
                          timeout=60)
    return done.stdout + done.stderr


__all__ = ["build_world", "make_user"]
