"""What the portal records that belongs to no other app: the applicant's rating of a finished dossier."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceRating(models.Model):
    """The applicant's rating of how a dossier was handled (đánh giá mức độ hài lòng), given after the result.

    One per dossier; the Decision 766 index counts dossiers rated "not satisfied" against dossier satisfaction.
    """

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="rating",
                                   verbose_name=_("dossier"))
    satisfied = models.BooleanField(_("satisfied"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("rated by"))
    rated_at = models.DateTimeField(_("rated at"), db_index=True)

    class Meta:
        verbose_name = _("service rating")
        verbose_name_plural = _("service ratings")

    def __str__(self) -> str:
        return f"{self.dossier_id}: {'+' if self.satisfied else '-'}"


def draft_file_path(instance, filename: str) -> str:
    # Random names: the original name is kept only in the database, never in the path.
    return f"portal/drafts/{instance.stored_name[:2]}/{instance.stored_name}"


class Draft(models.Model):
    """An online submission not yet sent (hồ sơ lưu nháp): the form's data and the files uploaded so far.

    Kept until the applicant submits it (it then becomes a dossier and the draft is deleted) or deletes it.
    `data` holds the applicant fields and `reuse` ({catalogue component id: data-store document id}).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_drafts",
                              verbose_name=_("owner"))
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("procedure"))
    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("implementing agency"))
    data = models.JSONField(_("form data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("draft dossier")
        verbose_name_plural = _("draft dossiers")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.owner_id}: {self.procedure_id}"


class DraftFile(models.Model):
    """A file uploaded for one component of a draft, checked like every dossier file."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    component = models.ForeignKey("catalog.Component", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("component"))
    file = models.FileField(_("file"), upload_to=draft_file_path, max_length=255)
    stored_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("draft file")
        verbose_name_plural = _("draft files")
        constraints = [models.UniqueConstraint(fields=["draft", "component"], name="portal_draftfile_one_per_component")]

    def __str__(self) -> str:
        return self.original_name
