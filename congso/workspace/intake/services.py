"""What the wizard asks of the engine: the input of `create_dossier`, the appointment "if received now", the fees,
and saving a draft exactly once (a double submit of the last step gives the same dossier, never a second one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from congso.catalog.models import ProcedureVersion
from congso.dossiers.choices import Action, Channel, PaymentMethod
from congso.dossiers.models import Dossier
from congso.dossiers.services.actions import perform
from congso.dossiers.services.common import compute_due
from congso.dossiers.services.creation import ComponentInput, DossierInput, create_dossier
from congso.workspace.intake import drafts

# Fixed Vietnamese label stored in the dossier's summary: the engine has no field for an organisation's
# representative, and stored data is not translated.
REPRESENTATIVE_LABEL = "Người đại diện"


class StaleDraft(Exception):
    """The form belongs to a draft that is no longer the session's (another tab started a new one)."""


@dataclass(frozen=True)
class Appointment:
    received_at: dt.datetime
    effective_start: dt.datetime
    due_at: dt.datetime | None
    duration: object  # ProcedureDuration | None


def appointment_if_received_now(version: ProcedureVersion, at: dt.datetime | None = None) -> Appointment:
    """The appointment the engine would fix for a desk receipt at `at` (now): the same `compute_due` on the same
    time limit (the in-person one) and cut-off that `create_dossier` copies."""
    at = at or timezone.now()
    duration = version.duration_for(Channel.DIRECT)
    start, due = compute_due(at, duration.amount if duration else None, duration.unit if duration else "",
                             version.cutoff_time)
    return Appointment(received_at=at, effective_start=start, due_at=due, duration=duration)


def fee_lines(version: ProcedureVersion) -> tuple[list[tuple[object, int]], int]:
    """(fee, amount) for a desk receipt, as `create_dossier` fixes them, and their total."""
    lines = [(fee, fee.effective_amount or 0) for fee in version.fees.all()]
    return lines, sum(amount for _fee, amount in lines)


def summary_for(version: ProcedureVersion, applicant: dict) -> str:
    summary = version.name
    if applicant.get("representative"):
        summary = f"{summary[:400]} – {REPRESENTATIVE_LABEL}: {applicant['representative'][:80]}"
    return summary[:500]


def build_input(draft: dict, receiving, version: ProcedureVersion) -> DossierInput:
    """The engine's input from a complete draft; files are read back from the draft's storage."""
    applicant = draft["applicant"]
    components = []
    for component in version.components.all():
        item = (draft.get("components") or {}).get(str(component.pk))
        if not item or not item.get("received"):
            continue
        components.append(ComponentInput(
            catalog_component_id=component.pk, originals=item["originals"],
            certified_copies=item["certified_copies"], photocopies=item["photocopies"],
            file=drafts.read_file(item["file"]) if item.get("file") else None,
        ))
    return DossierInput(
        procedure_code=draft["procedure"]["code"], handling_agency_code=draft["procedure"]["agency"],
        receiving_agency_code=receiving.code, channel=Channel.DIRECT, applicant_kind=applicant["kind"],
        applicant_name=applicant["name"], applicant_id_number=applicant["id_number"],
        applicant_phone=applicant.get("phone", ""), applicant_email=applicant.get("email", ""),
        applicant_address=applicant.get("address", ""), summary=summary_for(version, applicant),
        components=components,
    )


def receive_draft(session, user, token: str, receiving, version, *, pay_now: bool) -> tuple[str, bool]:
    """Receive the draft as a dossier (status 2, appointment fixed); record the fees as paid at the desk when the
    applicant pays now. Returns (code, created). Engine errors (BadInput, Forbidden) propagate; nothing is saved."""

    def create(draft):
        dossier = create_dossier(build_input(draft, receiving, version), user, accept=True)
        if pay_now and dossier.fee_due > 0:
            dossier = perform(dossier, Action.RECORD_PAYMENT, user, amount=dossier.fee_due,
                              method=PaymentMethod.OFFLINE)
        return dossier

    return _once(session, user, token, create)


def refuse_draft(session, user, token: str, receiving, version, reason: str) -> tuple[str, bool]:
    """Refuse at intake (status 3, Mẫu 03): the dossier is registered with what was brought, then refused with the
    reason, as the engine's transition table wants (refuse from status 1)."""

    def create(draft):
        dossier = create_dossier(build_input(draft, receiving, version), user, accept=False)
        return perform(dossier, Action.REFUSE, user, reason=reason)

    return _once(session, user, token, create)


def _once(session, user, token: str, create) -> tuple[str, bool]:
    """Run `create(draft)` at most once per draft token.

    Submissions of one officer are serialised by a lock on their user row (on SQLite the IMMEDIATE transaction
    does the same); inside it the session is read again from its store, so a second submit that waited for the
    first sees the code the first one recorded, in the same transaction as the dossier."""
    code = drafts.done_code(session, token)
    if code:
        return code, False
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
        fresh = _reload(session)
        code = drafts.done_code(fresh, token)
        if code and Dossier.objects.filter(code=code).exists():
            drafts.remember_done(session, token, code)
            session.pop(drafts.SESSION_KEY, None)
            return code, False
        draft = drafts.get_draft(session)
        if draft is None or draft["token"] != token:
            raise StaleDraft()
        dossier = create(draft)
        paths = drafts.draft_files(draft)
        drafts.remember_done(session, token, dossier.code)
        session.pop(drafts.SESSION_KEY, None)
        session.save()
        transaction.on_commit(lambda: drafts.delete_files(draft, paths))
    return dossier.code, True


def _reload(session) -> dict:
    """The session's data as stored now (another request of the same session may have changed it)."""
    if not session.session_key:
        return {}
    return type(session)(session_key=session.session_key).load()
