"""Notices to applicants (thông báo cho người nộp hồ sơ) from the dossier engine's processing log.

`on_event_recorded` receives `congso.dossiers.signals.event_recorded`, which is sent INSIDE each action's
transaction: it only inserts outbox rows (no mail, no network), so the notice commits or rolls back with the
action, and each event notifies once (dedupe key `dossier-event:<event id>`). An error here is logged and never
undoes the action: a dossier must not be blocked by a notice.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from congso.dossiers.choices import Action
from congso.notifications.services import enqueue

logger = logging.getLogger(__name__)

# Action → the key of the wording (MessageTemplate) sent to the applicant.
APPLICANT_NOTICES = {
    Action.ACCEPT: "dossier_received",
    Action.REQUEST_SUPPLEMENT: "supplement_requested",
    Action.APOLOGIZE: "apology",
    Action.COMPLETE: "result_ready",
    Action.REFUSE: "dossier_refused",
    Action.WITHDRAW: "withdrawal_confirmed",
    Action.STOP: "dossier_stopped",
}


def applicant_email(dossier) -> str:
    """The address the applicant gave on the dossier, else the e-mail of the applicant's account."""
    if dossier.applicant_email:
        return dossier.applicant_email.strip()
    applicant = dossier.applicant if dossier.applicant_id else None
    return (getattr(applicant, "email", "") or "").strip()


def lookup_link(code: str) -> str:
    return f"{settings.SITE_URL}/tra-cuu/{code}"


def on_event_recorded(sender, event, dossier, **kwargs) -> None:
    template = APPLICANT_NOTICES.get(event.action)
    if template is None:
        return
    email = applicant_email(dossier)
    if not email:
        return
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the action's transaction usable
            enqueue(template=template, context=notice_context(event, dossier), dedupe_key=f"dossier-event:{event.pk}",
                    user=dossier.applicant if dossier.applicant_id else None, email=email, dossier=dossier)
    except Exception:  # noqa: BLE001 - a notice must never undo the action it reports
        logger.exception("dossier %s: could not queue the %s notice", dossier.code, template)


def notice_context(event, dossier) -> dict:
    """The facts a notice shows, frozen at the time of the event (dates as ISO strings in the stored context)."""
    receiving = dossier.receiving_agency
    acting = event.agency if event.agency_id else dossier.handling_agency
    context = {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "applicant_name": dossier.applicant_name,
        "channel": dossier.channel,
        "agency": receiving.name,
        "acting_agency": acting.name,
        "link": lookup_link(dossier.code),
        "at": event.at,
        "reason": event.reason or "",
    }
    data = event.data or {}
    action = event.action
    if action == Action.ACCEPT:
        context["received_at"] = dossier.received_at or event.at
        context["appointment"] = dossier.due_at
    elif action == Action.REQUEST_SUPPLEMENT:
        context["items"] = list(data.get("items") or [])
    elif action == Action.APOLOGIZE:
        context["previous_appointment"] = data.get("previous_due_at")
        context["new_appointment"] = data.get("new_due_at") or dossier.extended_due_at
    elif action == Action.COMPLETE:
        context["results"] = list(data.get("results") or [])
        context["electronic"] = int(data.get("electronic") or 0)
        context["collect_at"] = receiving.name
        context["collect_address"] = receiving.address or ""
        context["collect_phone"] = receiving.phone or ""
    return context
