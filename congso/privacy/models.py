"""The access log of personal data (nhật ký truy cập dữ liệu cá nhân, Decree 13/2023/NĐ-CP).

One row each time a person views a dossier's detail, downloads an applicant's document or exports personal data:
who, when, what, how (channel, request id, address), whether personal numbers were shown unmasked and on what
basis, and the purpose when one is required. Rows are written by `congso.privacy.services.log_access` only and
removed only by `purge_access_logs` after the retention period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.privacy.choices import AccessAction, AccessChannel, AccessTarget, DisclosureBasis


class AccessLog(models.Model):
    """One access to personal data (một lần truy cập dữ liệu cá nhân)."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    # Snapshots, so the row still says who it was after the account or membership changes.
    actor_name = models.CharField(_("who"), max_length=255, blank=True)
    actor_role = models.CharField(_("role"), max_length=24, blank=True)
    actor_agency = models.ForeignKey("org.Agency", verbose_name=_("agency"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices)
    target = models.CharField(_("what"), max_length=16, choices=AccessTarget.choices)
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("dossier"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    dossier_code = models.CharField(_("dossier code"), max_length=64, blank=True)
    document = models.ForeignKey("datastore.ApplicantDocument", verbose_name=_("applicant document"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    export_name = models.CharField(_("export"), max_length=200, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    unmasked = models.BooleanField(_("personal numbers shown in full"), default=False)
    basis = models.CharField(_("basis for showing them"), max_length=16, choices=DisclosureBasis.choices,
                             blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=AccessChannel.choices,
                               default=AccessChannel.API)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["dossier_code", "at"], name="privacy_log_dossier_at"),
            models.Index(fields=["document", "at"], name="privacy_log_document_at"),
            models.Index(fields=["user", "at"], name="privacy_log_user_at"),
        ]
        constraints = [
            # Exports and views revealed on request always carry their purpose.
            models.CheckConstraint(
                condition=~(models.Q(action=AccessAction.EXPORT) | models.Q(basis=DisclosureBasis.STATED_REASON))
                | ~models.Q(purpose=""),
                name="privacy_log_purpose_required",
            ),
            models.CheckConstraint(condition=models.Q(unmasked=False) | ~models.Q(basis=""),
                                   name="privacy_log_unmasked_has_basis"),
        ]

    def __str__(self) -> str:
        what = self.dossier_code or (f"#{self.document_id}" if self.document_id else self.export_name)
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} {self.action} {what}"
