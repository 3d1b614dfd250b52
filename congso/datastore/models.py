"""The applicant data store (kho quản lý dữ liệu điện tử của tổ chức, cá nhân): the documents a person or an
organisation holds with the province — electronic results of their completed dossiers, papers digitised at the
desk, files they uploaded — for reuse in later dossiers without handing the paper over again.

A document belongs to an account (`owner`) and/or to a personal number (`owner_id_number`, citizen ID or tax code):
the documents of a person without an account are kept by number and appear in their store once they register
with that number. State changes happen only in `congso.datastore.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.datastore.querysets import ApplicantDocumentQuerySet

USER = settings.AUTH_USER_MODEL


class DocumentKind(models.TextChoices):
    E_RESULT = "e_result", _("Electronic result")
    DIGITIZED_PAPER = "digitized_paper", _("Paper digitised at the desk")
    UPLOADED = "uploaded", _("Uploaded by the applicant")


def document_file_path(instance, filename: str) -> str:
    # Random names: the original name is kept only in the database, never in the path.
    return f"datastore/{instance.stored_name[:2]}/{instance.stored_name}"


class ApplicantDocument(models.Model):
    """A document in an applicant's data store (giấy tờ trong kho dữ liệu của tổ chức, cá nhân)."""

    owner = models.ForeignKey(USER, verbose_name=_("owner account"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="data_store_documents")
    owner_id_number = models.CharField(_("owner's citizen ID or tax code"), max_length=14, blank=True,
                                       db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    document_type = models.CharField(_("document type"), max_length=255)
    result_code = models.CharField(_("catalogue result code"), max_length=64, blank=True,
                                   help_text=_("e.g. KQ.G15.000031"))
    title = models.CharField(_("title"), max_length=500)
    number = models.CharField(_("document number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   help_text=_("Empty: no expiry. An expired document cannot be reused."))
    # The file: stored by a random name with its sha256, like dossier files. An e-result shares the stored file of
    # its dossier's result (no copy is made inside the completing transaction).
    file = models.FileField(_("file"), upload_to=document_file_path, max_length=255)
    stored_name = models.CharField(max_length=80, db_index=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    source_dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("source dossier"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="+")
    source_result = models.ForeignKey("dossiers.ResultDocument", verbose_name=_("source result"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="data_store_documents")
    source_component = models.ForeignKey("dossiers.DossierComponent", verbose_name=_("source component"),
                                         null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ApplicantDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("applicant document")
        verbose_name_plural = _("applicant documents")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(owner__isnull=False) | ~models.Q(owner_id_number=""),
                                   name="datastore_document_has_owner"),
            # A result goes into the store once.
            models.UniqueConstraint(fields=["source_result"], condition=models.Q(source_result__isnull=False),
                                    name="datastore_document_one_per_result"),
        ]

    def __str__(self) -> str:
        return self.title[:80]

    def is_expired(self, day=None) -> bool:
        """Expired once `valid_until` has passed (the document is still valid on that day itself)."""
        if self.valid_until is None:
            return False
        return self.valid_until < (day or timezone.localdate())


class DocumentUse(models.Model):
    """A document of the store reused as a component of a dossier (DuocTaiSuDung)."""

    document = models.ForeignKey(ApplicantDocument, verbose_name=_("document"), on_delete=models.PROTECT,
                                 related_name="uses")
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE,
                                related_name="data_store_uses")
    component = models.OneToOneField("dossiers.DossierComponent", verbose_name=_("component"),
                                     on_delete=models.CASCADE, related_name="data_store_use")
    used_at = models.DateTimeField(_("used at"))
    used_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    used_by_role = models.CharField(_("role"), max_length=24, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("document reuse")
        verbose_name_plural = _("document reuses")
        ordering = ["-used_at", "-id"]
        constraints = [
            # One document is reused once per dossier: a repeated request finds the first use.
            models.UniqueConstraint(fields=["document", "dossier"], name="datastore_use_once_per_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.dossier_id}"
