"""Which dossiers a sweep concerns: querysets only (no writes), set-based on indexed columns.

Every selection is one SQL query: open dossiers (`finished_at IS NULL`), a range on an indexed deadline column
(`step_due_at` or `current_due_at`) bounded by instants computed once per sweep (`congso.operations.windows`), and a
NOT EXISTS on `ReminderLog` (unique indexes on (kind, step) and (kind, dossier, deadline)) so a dossier that was
already reminded is not selected again.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest

from congso.dossiers.models import Dossier
from congso.operations.models import ReminderKind, ReminderLog

#: Open, in someone's hands, not waiting for the applicant (a step cannot be worked on while the clock is stopped).
STEP_IN_HAND = Q(finished_at__isnull=True, waiting_since__isnull=True, current_step__isnull=False,
                 step_due_at__isnull=False)


def _reminded_for_step(kind: str) -> Exists:
    return Exists(ReminderLog.objects.filter(kind=kind, step_id=OuterRef("current_step_id")))


def steps_due_soon(at: dt.datetime, until: dt.datetime) -> QuerySet:
    """Open dossiers whose current step is due after `at` and at the latest at `until`, not yet reminded for it."""
    return (Dossier.objects.filter(STEP_IN_HAND, step_due_at__gt=at, step_due_at__lte=until)
            .exclude(_reminded_for_step(ReminderKind.STEP_DUE_SOON)))


def steps_overdue(before: dt.datetime, since: dt.datetime) -> QuerySet:
    """Open dossiers whose current step was due before `before` (and not before `since`), not yet reminded."""
    return (Dossier.objects.filter(STEP_IN_HAND, step_due_at__lt=before, step_due_at__gte=since)
            .exclude(_reminded_for_step(ReminderKind.STEP_OVERDUE)))


def appointment_in_force():
    """The appointment people are held to: the current appointment (moved by the clock stops), or the new one
    promised in an apology when there is one (it is always later)."""
    return Greatest("current_due_at", Coalesce("extended_due_at", "current_due_at"))


def dossiers_overdue(before: dt.datetime, since: dt.datetime) -> QuerySet:
    """Open dossiers whose appointment in force passed before `before` (and not before `since`), not yet escalated
    for that appointment. A dossier waiting for the applicant is left out unless the wait began after the
    appointment had passed (it was late already)."""
    reminded = ReminderLog.objects.filter(kind=ReminderKind.DOSSIER_OVERDUE, dossier_id=OuterRef("pk"),
                                          step__isnull=True, deadline=OuterRef("appointment"))
    return (Dossier.objects.filter(finished_at__isnull=True, current_due_at__lt=before)
            .filter(Q(extended_due_at__isnull=True) | Q(extended_due_at__lt=before))
            .annotate(appointment=appointment_in_force())
            .filter(appointment__gte=since)
            .filter(Q(waiting_since__isnull=True) | Q(waiting_since__gt=F("appointment")))
            .exclude(Exists(reminded)))
