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
