"""The notifications outbox (hộp thư đi) and the wording of the messages (mẫu thông báo).

A `Notification` is one message to deliver on one channel, written in the same transaction as the fact it reports
(transactional outbox, house rule 7); `congso.notifications.services.deliver_due` sends it later. A
`MessageTemplate` is the wording, kept as versioned data (house rule 4): the newest active version valid when the
notification was created is used, and the rendered text is stored on the notification when it is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    VIETNAMESE = "vi", _("Vietnamese")
    ENGLISH = "en", _("English")


class Notification(models.Model):
    """One message for one recipient on one channel (thông báo), with its delivery state."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=16)
    template = models.CharField(_("template"), max_length=64, db_index=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.VIETNAMESE)
    context = models.JSONField(_("context"), default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="notifications")
    address = models.CharField(_("address"), max_length=254, blank=True)
    dossier = models.ForeignKey("dossiers.Dossier", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="notifications")
    dedupe_key = models.CharField(_("deduplication key"), max_length=200)

    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # A claim by one delivery run: who (a random token per run) and until when. An expired claim (the worker
    # stopped half-way) is taken over by the next run.
    claimed_by = models.CharField(max_length=32, blank=True, editable=False)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    # What was sent (audit): the wording version and the rendered text.
    message_template = models.ForeignKey("MessageTemplate", verbose_name=_("wording used"), null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    message_id = models.CharField(_("message ID"), max_length=255, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body_text = models.TextField(_("text sent"), blank=True)
    body_html = models.TextField(_("HTML sent"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["channel", "dedupe_key"], name="notifications_dedupe")]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["state", "lease_until"], name="notification_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.template} → {self.address}"


class MessageTemplate(models.Model):
    """The wording of one message (mẫu thông báo) on one channel in one language, valid from a moment on.

    `subject` and `body` use Django template syntax. The plain-text part is the body as written; the HTML part is
    the same body rendered with HTML escaping, paragraphs and links. To change a wording, add a new version with a
    later `valid_from` (the admin's "Save as new"): notifications created before it keep the old wording.
    """

    key = models.CharField(_("key"), max_length=64, help_text=_("The message this wording is for, e.g. dossier_received."))
    channel = models.CharField(_("channel"), max_length=16, default="email")
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.VIETNAMESE)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    valid_from = models.DateTimeField(_("valid from"))
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["key", "channel", "language", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel", "language", "valid_from"],
                                    name="notifications_template_version"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.channel}, {self.language}, {timezone.localtime(self.valid_from):%d/%m/%Y})"

    def clean(self) -> None:
        from congso.notifications.rendering import check_syntax

        errors = {}
        for field in ("subject", "body"):
            problem = check_syntax(getattr(self, field))
            if problem:
                errors[field] = problem
        if errors:
            raise ValidationError(errors)
