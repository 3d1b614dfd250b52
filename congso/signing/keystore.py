"""PKCS#12 packing and unpacking with a per-certificate passphrase.

Each PKCS#12 blob has its own passphrase, derived with HKDF-SHA256 from one master secret and the certificate's
serial number: the master is `CONGSO_SIGNING_PASSPHRASE` when set (recommended in production: it survives a change
of SECRET_KEY), else the SECRET_KEY. The passphrases are never stored; a database dump alone does not open a key.
"""

from __future__ import annotations

import base64

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12
from django.conf import settings

_SALT = b"congso.signing.pkcs12.v1"
# The passphrase is 256 random-looking bits, not a word a person chose: a slow key-derivation function would add
# nothing against guessing and would cost every signature a third of a second. AES-256-CBC, HMAC-SHA256.
KDF_ROUNDS = 2048


class KeystoreError(Exception):
    """A PKCS#12 blob could not be opened (wrong master secret, damaged data)."""


def master_secret() -> bytes:
    configured = getattr(settings, "CONGSO_SIGNING_PASSPHRASE", "") or ""
    return (configured or settings.SECRET_KEY).encode()


def passphrase_for(serial_hex: str) -> bytes:
    """The passphrase of the PKCS#12 blob of the certificate with this serial number."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=serial_hex.encode()).derive(master_secret())
    return base64.urlsafe_b64encode(key).rstrip(b"=")


def pack(private_key, certificate: x509.Certificate, chain: list[x509.Certificate], friendly_name: str) -> bytes:
    serial_hex = format(certificate.serial_number, "x")
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode()[:64], private_key, certificate, chain or None,
        PrivateFormat.PKCS12.encryption_builder().kdf_rounds(KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA256())
        .build(passphrase_for(serial_hex)),
    )


def unpack(blob: bytes, serial_hex: str):
    """(private key, certificate, additional certificates) of a PKCS#12 blob."""
    try:
        key, certificate, additional = pkcs12.load_key_and_certificates(bytes(blob), passphrase_for(serial_hex))
    except (ValueError, TypeError) as exc:
        raise KeystoreError(
            "The PKCS#12 key could not be opened: CONGSO_SIGNING_PASSPHRASE (or SECRET_KEY) differs from the one it "
            "was made with, or the data is damaged."
        ) from exc
    if key is None or certificate is None:
        raise KeystoreError("The PKCS#12 data holds no key or no certificate.")
    return key, certificate, list(additional)
