"""Formula profiles of the Decision 766 index (hồ sơ công thức), versioned by effective date (house rule 4)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from congso.indices.profiles import check_parameters


class IndexProfileQuerySet(models.QuerySet):
    def in_force_on(self, day: dt.date) -> IndexProfile | None:
        """The profile that applies to a period ending on `day`: the newest one effective by then, else the
        earliest one (so a period before every profile is still scored, by the oldest rules known)."""
        found = self.filter(effective_from__lte=day).order_by("-effective_from", "-id").first()
        return found or self.order_by("effective_from", "id").first()


class IndexProfile(models.Model):
    """One version of the index formula: group and indicator maxima, thresholds, caps, N/A rules, rating bands."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    parameters = models.JSONField(_("parameters"))
    source = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = IndexProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("index profile")
        verbose_name_plural = _("index profiles")
        ordering = ["-effective_from", "key"]

    def __str__(self) -> str:
        return f"{self.key} ({self.effective_from:%d/%m/%Y})"

    def clean(self):
        problems = check_parameters(self.parameters or {})
        if problems:
            raise ValidationError({"parameters": "; ".join(problems)})
