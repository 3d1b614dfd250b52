"""What a dossier's state and history mean for the applicant, in plain words (pure functions, no database).

The engine's statuses and processing-log actions are officials' terms; the applicant needs "what is happening and
what do I do now". Internal notes (a specialist's remark when forwarding, a hand-over between departments) are never
shown: only the reasons addressed to the applicant (refusal, supplement, apology, stop, withdrawal).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.dossiers.choices import Action, Status

STATUS_WORDS = {
    Status.NEW: _("Submitted, waiting for the agency to check and accept it"),
    Status.RECEIVED: _("Accepted by the agency"),
    Status.REFUSED: _("Not accepted"),
    Status.IN_PROGRESS: _("Being handled"),
    Status.SUPPLEMENT_REQUESTED: _("Waiting for you to supplement papers"),
    Status.FINANCIAL_OBLIGATION: _("Waiting for you to pay"),
    Status.WITHDRAWN: _("Withdrawn at your request"),
    Status.STOPPED: _("Handling stopped"),
    Status.RESOLVED: _("Result ready"),
    Status.RETURNED: _("Result handed over"),
}

NEXT_STEP = {
    Status.NEW: _("Nothing to do now. The agency checks your dossier and accepts it, asks for more papers, or "
                  "explains why it cannot accept it."),
    Status.RECEIVED: _("Nothing to do now. Wait for the appointment."),
    Status.REFUSED: _("Read the reason. You may submit a new dossier with the missing papers."),
    Status.IN_PROGRESS: _("Nothing to do now. Wait for the appointment."),
    Status.SUPPLEMENT_REQUESTED: _("Supplement the papers listed by the agency. Online dossiers can be supplemented "
                                   "on the portal under “My dossiers”."),
    Status.FINANCIAL_OBLIGATION: _("Pay the amount requested, online or at the agency."),
    Status.WITHDRAWN: _("Nothing to do."),
    Status.STOPPED: _("Read the reason. Contact the agency if you have questions."),
    Status.RESOLVED: _("Collect the result at the agency on or after the appointment, or download the electronic "
                       "result under “My dossiers”."),
    Status.RETURNED: _("Nothing to do. You may rate how your dossier was handled."),
}

# What each logged action means for the applicant. Actions not listed (assign, forward, send back, hand-overs) are
# shown, at most once in a row, as "being handled".
EVENT_WORDS = {
    Action.CREATE: _("Dossier submitted"),
    Action.ACCEPT: _("Dossier accepted by the agency"),
    Action.REFUSE: _("Dossier not accepted"),
    Action.REQUEST_SUPPLEMENT: _("The agency asked for more papers"),
    Action.SUPPLY: _("Papers supplemented"),
    Action.REQUEST_PAYMENT: _("The agency asked for a payment"),
    Action.RECORD_PAYMENT: _("Payment recorded"),
    Action.APOLOGIZE: _("The agency apologised for the delay and set a new appointment"),
    Action.STOP: _("Handling stopped"),
    Action.WITHDRAW: _("Dossier withdrawn"),
    Action.COMPLETE: _("Result ready"),
    Action.RETURN_RESULT: _("Result handed over"),
}
HANDLING = _("Being handled")
# Reasons written for the applicant (the others are internal notes between officials).
PUBLIC_REASONS = {Action.REFUSE, Action.REQUEST_SUPPLEMENT, Action.APOLOGIZE, Action.STOP, Action.WITHDRAW}


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    text: str
    reason: str = ""
    items: tuple = ()
    appointment: object = None


def status_words(status: int) -> str:
    return str(STATUS_WORDS.get(status, ""))


def next_step(status: int) -> str:
    return str(NEXT_STEP.get(status, ""))


def _moment(value):
    """An ISO string from the event's data as an aware datetime, or None."""
    if not value:
        return None
    from django.utils.dateparse import parse_datetime

    parsed = parse_datetime(str(value))
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def timeline(events) -> list[TimelineEntry]:
    """The dossier's history for the applicant, oldest first. `events` are ProcessingEvent-like objects with
    `action`, `at`, `reason` and `data`."""
    entries: list[TimelineEntry] = []
    for event in events:
        words = EVENT_WORDS.get(event.action)
        data = event.data or {}
        if words is None:
            if entries and entries[-1].text == str(HANDLING):
                continue
            entries.append(TimelineEntry(at=event.at, text=str(HANDLING)))
            continue
        reason = event.reason if event.action in PUBLIC_REASONS else ""
        items = tuple(data.get("items") or ()) if event.action == Action.REQUEST_SUPPLEMENT else ()
        appointment = None
        if event.action == Action.ACCEPT:
            appointment = _moment(data.get("due_at"))
        elif event.action == Action.APOLOGIZE:
            appointment = _moment(data.get("new_due_at"))
        entries.append(TimelineEntry(at=event.at, text=str(words), reason=reason or "", items=items,
                                     appointment=appointment))
    return entries


def appointment_of(dossier):
    """The appointment the applicant should expect: the apology's new one, else the current (moved by clock stops),
    else the first."""
    return dossier.extended_due_at or dossier.current_due_at or dossier.due_at
