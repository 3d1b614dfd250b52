"""What the periodic machinery remembers: who runs the beat, when each sweep ran, which reminders were sent.

- `BeatLock` — the lease that makes `congso beat` a single instance (khóa tiến trình định kỳ).
- `SweepRun` — one row per scheduled sweep: its next slot and the outcome of its last run, so the schedule survives
  restarts and a slot is claimed by exactly one beat.
- `ReminderLog` — one row per reminder or escalation fired (nhắc hạn, cảnh báo quá hạn): the record that it fired
  once, and the set-based filter that keeps the next sweep from selecting the same dossier again.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BeatLock(models.Model):
    """A named lease held by one beat process; renewed every tick, taken over when it expires."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    holder = models.CharField(_("held by"), max_length=200, blank=True,
                              help_text=_("Host, process id and a random suffix of the beat holding the lease."))
    acquired_at = models.DateTimeField(_("acquired at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("beat lock")
        verbose_name_plural = _("beat locks")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or '-'}"


class SweepRun(models.Model):
    """The schedule state of one periodic sweep (lần quét định kỳ)."""

    name = models.CharField(_("sweep"), max_length=64, unique=True)
    every_seconds = models.PositiveIntegerField(_("every (seconds)"), default=0)
    next_due_at = models.DateTimeField(_("next run due at"))
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)
    enqueued_by = models.CharField(_("enqueued by"), max_length=200, blank=True)
    last_task_id = models.CharField(_("last task id"), max_length=64, blank=True)
    # Set when a run is enqueued, cleared when it finishes: no second run is queued while one is in flight.
    in_flight_since = models.DateTimeField(_("in flight since"), null=True, blank=True)
    last_started = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_count = models.IntegerField(_("rows touched in the last run"), null=True, blank=True)
    last_result = models.JSONField(_("last result"), default=dict, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    failures = models.PositiveIntegerField(_("failures"), default=0)

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReminderKind(models.TextChoices):
    STEP_DUE_SOON = "step_due_soon", _("Step due soon")
    STEP_OVERDUE = "step_overdue", _("Step overdue")
    DOSSIER_OVERDUE = "dossier_overdue", _("Dossier overdue (escalation)")


class ReminderLog(models.Model):
    """One reminder or escalation that fired: per step for the step kinds, per appointment for escalations."""

    kind = models.CharField(_("kind"), max_length=24, choices=ReminderKind.choices)
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE,
                                related_name="reminders")
    step = models.ForeignKey("dossiers.DossierStep", verbose_name=_("step"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    deadline = models.DateTimeField(_("deadline"), help_text=_("The step deadline or the appointment concerned."))
    at = models.DateTimeField(_("fired at"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "step"], condition=models.Q(step__isnull=False),
                                    name="operations_reminder_once_per_step"),
            models.UniqueConstraint(fields=["kind", "dossier", "deadline"], condition=models.Q(step__isnull=True),
                                    name="operations_reminder_once_per_appointment"),
        ]
        indexes = [models.Index(fields=["dossier", "kind"], name="operations_reminder_dossier")]

    def __str__(self) -> str:
        return f"{self.kind} {self.dossier_id} {self.deadline:%d/%m/%Y %H:%M}"
