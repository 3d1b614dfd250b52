"""Signing certificates (chứng thư số) of the agencies and the e-results congso signed with them (văn bản điện tử
đã ký số), kept for the public verification page (trang xác thực). docs/signatures.md.

State changes happen only in `congso.signing.certificates` and `congso.signing.services` (house rule 1).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class CertificateKind(models.TextChoices):
    AUTHORITY = "authority", _("Certificate authority")
    AGENCY = "agency", _("Agency signing certificate")


class SigningCertificate(models.Model):
    """A certificate with its private key, kept as a passphrase-protected PKCS#12 blob in the database.

    The key never leaves the server: the PKCS#12 bytes are not exposed by any view, API or admin page, and the
    passphrase is derived from a secret in the environment (`congso.signing.keystore`), never stored. The public
    certificate is kept beside it as PEM, so trust lists and the verification page never open the key.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=CertificateKind.choices)
    agency = models.ForeignKey("org.Agency", verbose_name=_("agency"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="signing_certificates")
    issuer = models.ForeignKey("self", verbose_name=_("issued by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="issued")
    subject = models.CharField(_("subject"), max_length=1000)
    common_name = models.CharField(_("common name"), max_length=255)
    serial = models.CharField(_("serial number (hex)"), max_length=64, unique=True)
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    certificate_pem = models.TextField(_("certificate (PEM)"))
    pkcs12 = models.BinaryField(_("PKCS#12"), editable=False)
    active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo certificate"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")
        ordering = ["kind", "agency_id", "-not_before"]
        constraints = [
            # One certificate in use per agency, one authority in use: issuing picks it without ambiguity.
            models.UniqueConstraint(fields=["agency"], condition=models.Q(active=True, kind="agency"),
                                    name="signing_one_active_per_agency"),
            models.UniqueConstraint(fields=["kind"], condition=models.Q(active=True, kind="authority"),
                                    name="signing_one_active_authority"),
            models.CheckConstraint(condition=models.Q(kind="authority") | models.Q(agency__isnull=False),
                                   name="signing_agency_certificate_has_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.serial[:12]})"


class IssuedDocument(models.Model):
    """An electronic result congso signed and issued: what the QR code on the document points to.

    `token` is the random, unguessable part of the verification URL; `sha256` is the hash of the signed file
    exactly as issued, so an uploaded copy can be recognised byte for byte.
    """

    token = models.CharField(_("verification token"), max_length=43, unique=True)
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.PROTECT,
                                related_name="issued_documents")
    result = models.OneToOneField("dossiers.ResultDocument", verbose_name=_("result"), on_delete=models.PROTECT,
                                  related_name="issued_document")
    file = models.ForeignKey("dossiers.DossierFile", verbose_name=_("signed file"), on_delete=models.PROTECT,
                             related_name="+")
    agency = models.ForeignKey("org.Agency", verbose_name=_("issuing agency"), on_delete=models.PROTECT,
                               related_name="+")
    certificate = models.ForeignKey(SigningCertificate, verbose_name=_("certificate"), on_delete=models.PROTECT,
                                    related_name="issued_documents")
    name = models.CharField(_("document name"), max_length=500)
    number = models.CharField(_("document number"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256 of the signed file"), max_length=64, db_index=True)
    # The unsigned PDF's hash: the same PDF issued twice for one dossier (a double click) gives the first record.
    source_sha256 = models.CharField(_("SHA-256 of the unsigned file"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    issued_at = models.DateTimeField(_("issued at"), db_index=True)
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("issued electronic document")
        verbose_name_plural = _("issued electronic documents")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "source_sha256"], name="signing_issued_once_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.name[:60]} ({self.token[:8]}…)"
