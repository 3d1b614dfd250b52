"""Versioned wording of the printed forms (mẫu biểu in), data edited in the admin (house rule 4)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.printing.choices import FORM_NUMBERS, FormKind, Orientation, PaperSize, TemplateStatus


class FormTemplateQuerySet(models.QuerySet):
    def in_force(self, kind: str, at: dt.datetime) -> FormTemplate | None:
        """The published version of `kind` in force at `at`: the one with the latest effective date not after it.

        An instant before the first version (an old imported dossier) gets the earliest published version: a form
        is printed with the oldest wording known rather than not at all.
        """
        published = self.filter(kind=kind, status=TemplateStatus.PUBLISHED)
        found = published.filter(effective_from__lte=at).order_by("-effective_from", "-pk").first()
        return found or published.order_by("effective_from", "pk").first()


class FormTemplate(models.Model):
    """One version of one form (mẫu số 01–07 of Circular 03/2025, Phụ lục I): title, Django-template HTML body,
    CSS, paper, and the legal text it follows.

    To publish new official wording, add a version with a later `effective_from` (the admin action "Copy as a new
    draft", then publish it): dossiers keep the version in force at their relevant instant (the receipt: when the
    dossier was received), so reprinting an old receipt gives the old wording.
    """

    kind = models.CharField(_("form"), max_length=16, choices=FormKind.choices, db_index=True)
    effective_from = models.DateTimeField(_("in force from"))
    status = models.CharField(_("status"), max_length=12, choices=TemplateStatus.choices,
                              default=TemplateStatus.DRAFT)
    title = models.CharField(_("title"), max_length=255, help_text=_("The form's title as printed."))
    body = models.TextField(
        _("body (HTML)"),
        help_text=_("A Django template rendered with a fixed context (see docs/printing.md); the page header and "
                    "fonts are added around it."),
    )
    css = models.TextField(_("CSS"), blank=True)
    paper_size = models.CharField(_("paper size"), max_length=4, choices=PaperSize.choices, default=PaperSize.A5)
    orientation = models.CharField(_("orientation"), max_length=12, choices=Orientation.choices,
                                   default=Orientation.PORTRAIT)
    legal_source = models.TextField(_("legal source"), blank=True,
                                    help_text=_("Which legal text the wording follows and what is unconfirmed."))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))

    objects = FormTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("form template")
        verbose_name_plural = _("form templates")
        ordering = ["kind", "-effective_from"]
        constraints = [
            # Two published versions of a form may not take effect at the same instant: which one applies would
            # be undefined.
            models.UniqueConstraint(fields=["kind", "effective_from"],
                                    condition=models.Q(status="published"),
                                    name="printing_one_published_version_per_instant"),
        ]

    def __str__(self) -> str:
        return f"{FORM_NUMBERS.get(self.kind, '??')} {self.title} ({timezone.localtime(self.effective_from):%d/%m/%Y})"

    @property
    def number(self) -> str:
        return FORM_NUMBERS.get(self.kind, "")

    def clean(self) -> None:
        from congso.printing.context import sample_context
        from congso.printing.engine import template_errors

        errors = {}
        if self.kind:
            errors = template_errors(self.body, self.css, sample_context(self.kind), time_zone=settings.TIME_ZONE)
        if errors:
            raise ValidationError(errors)
