"""Feedback and petitions (phản ánh, kiến nghị — PAKN) about a procedure, an agency or a dossier.

Deadlines in working days from receipt (one-stop-rules.md §1, indicator 5.2): reject ≤ 2, ask for more ≤ 5,
answer ≤ 15, publish the answer ≤ 2 after answering. The due instants are stored on the record when it is received,
so a later calendar change never moves them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("feedback status", "Received")
    NEEDS_INFO = "needs_info", pgettext_lazy("feedback status", "More information asked")
    REJECTED = "rejected", pgettext_lazy("feedback status", "Rejected")
    ANSWERED = "answered", pgettext_lazy("feedback status", "Answered")
    PUBLISHED = "published", pgettext_lazy("feedback status", "Answer published")


class FeedbackSubject(models.TextChoices):
    PROCEDURE = "procedure", _("A procedure")
    AGENCY = "agency", _("An agency")
    DOSSIER = "dossier", _("A dossier")


class Feedback(models.Model):
    """One feedback item (PAKN) and its handling."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    subject = models.CharField(_("about"), max_length=16, choices=FeedbackSubject.choices)
    procedure = models.ForeignKey("catalog.Procedure", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="feedback", verbose_name=_("procedure"))
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="feedback", verbose_name=_("dossier"))
    # The agency that must handle it (for a dossier: its handling agency).
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="feedback",
                               verbose_name=_("agency"))
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="feedback", verbose_name=_("sender account"))
    sender_name = models.CharField(_("sender name"), max_length=255)
    sender_email = models.EmailField(_("sender e-mail"), blank=True)
    sender_phone = models.CharField(_("sender phone"), max_length=16, blank=True)
    title = models.CharField(_("title"), max_length=255)
    content = models.TextField(_("content"), max_length=5000)
    status = models.CharField(_("status"), max_length=16, choices=FeedbackStatus.choices,
                              default=FeedbackStatus.RECEIVED, db_index=True)

    received_at = models.DateTimeField(_("received at"), db_index=True)
    # Deadlines fixed at receipt (and the answer's publication deadline fixed when answered).
    reject_due_at = models.DateTimeField(_("reject by"))
    info_due_at = models.DateTimeField(_("ask for more information by"))
    answer_due_at = models.DateTimeField(_("answer by"), db_index=True)
    publish_due_at = models.DateTimeField(_("publish by"), null=True, blank=True)

    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    info_requested_at = models.DateTimeField(_("information asked at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("handled by"))
    answer = models.TextField(_("answer"), blank=True)
    reason = models.TextField(_("reason"), blank=True)

    # The sender's reaction to the answer; a re-raised item counts against satisfaction (indicator 5.3).
    liked = models.BooleanField(_("sender liked the answer"), null=True, blank=True)
    reraised = models.BooleanField(_("raised again"), default=False)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="followups",
                               verbose_name=_("raised again from"))
    # A feedback item about a dossier is a complaint for indicator 5.4 (dossier satisfaction).
    is_complaint = models.BooleanField(_("complaint about a dossier"), default=False)
    search_text = models.CharField(max_length=400, blank=True, editable=False)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["agency", "received_at"], name="feedback_agency_received")]

    def __str__(self) -> str:
        return self.code
