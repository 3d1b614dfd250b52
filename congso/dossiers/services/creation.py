"""Creating a dossier: desk intake (direct, postal) and online submission."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from congso.accounts.models import AccountType
from congso.catalog.models import Implementation, Procedure
from congso.core.text import fold
from congso.core.validators import validate_citizen_id, validate_phone, validate_tax_code
from congso.dossiers.choices import Action, ApplicantKind, Channel, FileKind, Status, SyncState
from congso.dossiers.codes import allocate_code
from congso.dossiers.files import check, files_rolled_back, store_file
from congso.dossiers.models import Dossier, DossierComponent, DossierFee, DossierParticipant
from congso.dossiers.services.common import (
    Actor,
    BadInput,
    Forbidden,
    check_time,
    compute_due,
    record_event,
    refresh_clock,
    role_in,
    save_changes,
    snapshot,
)
from congso.dossiers.services.steps import build_plan, start_step
from congso.org.choices import AgencyKind, Role
from congso.org.models import Agency


@dataclass
class ComponentInput:
    name: str = ""
    catalog_component_id: int | None = None
    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0
    file: object = None  # an uploaded file or a (name, bytes) pair
    reused: bool = False
    from_national_store: bool = False
    replaced_by_result_code: str = ""


@dataclass
class DossierInput:
    procedure_code: str
    handling_agency_code: str
    channel: str
    applicant_kind: str
    applicant_name: str
    receiving_agency_code: str = ""
    applicant_id_number: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    applicant_address: str = ""
    summary: str = ""
    components: list[ComponentInput] = field(default_factory=list)
    population_data_refs: list[str] = field(default_factory=list)


def _validate_applicant(data: DossierInput, errors: dict) -> None:
    if data.applicant_kind not in ApplicantKind.values:
        errors["applicant_kind"] = _("Choose person or organisation.")
    if not (data.applicant_name or "").strip():
        errors["applicant_name"] = _("The applicant's name is required.")
    elif len(data.applicant_name) > 255:
        errors["applicant_name"] = _("The name is too long.")
    number = (data.applicant_id_number or "").strip()
    if number:
        try:
            if data.applicant_kind == ApplicantKind.ORGANISATION:
                validate_tax_code(number)
            else:
                validate_citizen_id(number)
        except ValidationError as exc:
            errors["applicant_id_number"] = exc.messages[0]
    if data.applicant_phone:
        try:
            validate_phone(data.applicant_phone)
        except ValidationError as exc:
            errors["applicant_phone"] = exc.messages[0]
    if data.applicant_email:
        from django.core.validators import validate_email

        try:
            validate_email(data.applicant_email)
        except ValidationError:
            errors["applicant_email"] = _("Enter a valid e-mail address.")


def _components(version, data: DossierInput, errors: dict) -> list[tuple[ComponentInput, object]]:
    catalog = {c.pk: c for c in version.components.all()}
    result = []
    for index, item in enumerate(data.components):
        component = None
        if item.catalog_component_id is not None:
            component = catalog.get(item.catalog_component_id)
            if component is None:
                errors[f"components[{index}]"] = _("This component does not belong to the procedure.")
                continue
        if component is None and not (item.name or "").strip():
            errors[f"components[{index}]"] = _("Name the component.")
            continue
        counts = (item.originals, item.certified_copies, item.photocopies)
        if any(not isinstance(n, int) or n < 0 or n > 100 for n in counts):
            errors[f"components[{index}]"] = _("Numbers of originals and copies run from 0 to 100.")
            continue
        result.append((item, component))
    return result


def create_dossier(data: DossierInput, user, *, accept: bool | None = None, at: dt.datetime | None = None) -> Dossier:
    """Create a dossier with its code, components, files and fees; desk intake receives it at once (status 2),
    an online submission waits for the agency to accept it (status 1).

    `user` is the desk officer (direct and postal intake) or the applicant (online submission).
    """
    at = check_time(at)
    errors: dict = {}
    procedure = Procedure.objects.filter(code=(data.procedure_code or "").split(".000.")[0]).first()
    if procedure is None:
        raise BadInput({"procedure_code": _("Unknown procedure %(code)s.") % {"code": (data.procedure_code or "")[:40]}})
    version = procedure.version_on(at)
    if version is None:
        raise BadInput({"procedure_code": _("The procedure is not in force on that date.")})
    agencies = {a.code: a for a in Agency.objects.filter(
        code__in=[c for c in (data.handling_agency_code, data.receiving_agency_code) if c])}
    handling = agencies.get(data.handling_agency_code)
    if handling is None:
        raise BadInput({"handling_agency_code": _("Unknown agency.")})
    implementation = Implementation.objects.filter(version=version, agency=handling, active=True).first()
    if implementation is None:
        raise BadInput({"handling_agency_code": _("This agency does not carry out the procedure.")})
    if data.channel not in Channel.values:
        raise BadInput({"channel": _("Choose direct, online or postal.")})
    if data.channel == Channel.ONLINE and implementation.online_mode == "none":
        raise BadInput({"channel": _("This procedure is not offered online by this agency.")})

    receiving = handling
    if data.receiving_agency_code and data.receiving_agency_code != handling.code:
        receiving = agencies.get(data.receiving_agency_code)
        if receiving is None:
            raise BadInput({"receiving_agency_code": _("Unknown agency.")})
        if receiving.kind != AgencyKind.SERVICE_CENTRE:
            raise BadInput({"receiving_agency_code": _(
                "Only a public administration service centre may receive for another agency.")})
    for agency in {receiving, handling}:
        if agency.valid_to and agency.valid_to <= at.date():
            raise BadInput({"handling_agency_code": _("The agency no longer exists on that date.")})

    # Who submits: the applicant online, or a desk officer of the receiving agency.
    if data.channel == Channel.ONLINE and user.account_type != AccountType.STAFF:
        actor = Actor(user=user, role="applicant")
        applicant = user
    else:
        membership = role_in(user, receiving, [Role.DESK_OFFICER, Role.AGENCY_LEADER])
        if membership is None and not user.is_superuser:
            raise Forbidden(_("Only a desk officer of the receiving agency may take in a dossier."))
        actor = Actor(user=user, role=membership.role if membership else "superuser", agency_id=receiving.pk,
                      department_id=membership.department_id if membership else None)
        applicant = None
    _validate_applicant(data, errors)
    components = _components(version, data, errors)
    if errors:
        raise BadInput(errors)
    # Every file is checked before anything is written.
    for item, _component in components:
        if item.file is not None:
            item.file = check(item.file)

    duration = version.duration_for(data.channel)
    fee_rows = []
    for fee in version.fees.all():
        amount = fee.effective_amount or 0
        if data.channel == Channel.ONLINE and fee.online_amount is not None:
            amount = fee.online_amount
        fee_rows.append((fee, amount))
    with files_rolled_back(), transaction.atomic():
        # A provisional code until the end: the daily counter is taken last, so its row lock is held only for the
        # few statements of the receipt, not for the whole intake (docs/dossiers.md, "Codes").
        dossier = Dossier(
            code=f"~{uuid.uuid4().hex}", status=Status.NEW, channel=data.channel, procedure=procedure,
            procedure_version=version, receiving_agency=receiving, handling_agency=handling,
            current_agency=receiving, applicant=applicant, applicant_kind=data.applicant_kind,
            applicant_name=data.applicant_name.strip(), applicant_id_number=(data.applicant_id_number or "").strip(),
            applicant_phone=data.applicant_phone or "", applicant_email=data.applicant_email or "",
            applicant_address=data.applicant_address or "", summary=(data.summary or version.name)[:500],
            duration=duration.amount if duration else None, duration_unit=duration.unit if duration else "",
            cutoff=version.cutoff_time, submitted_at=at, created_by=user,
            eid_verified=bool(applicant and applicant.is_eid_verified),
            population_data_refs=list(data.population_data_refs or []), sync_state=SyncState.PENDING,
        )
        dossier.save()
        before = snapshot(dossier)
        DossierParticipant.objects.bulk_create(
            [DossierParticipant(dossier=dossier, agency=a) for a in {receiving, handling}], ignore_conflicts=True
        )
        digitized = False
        rows = []
        for order, (item, component) in enumerate(components, start=1):
            stored = store_file(dossier, item.file, FileKind.COMPONENT, user) if item.file is not None else None
            digitized = digitized or stored is not None or item.reused or item.from_national_store
            rows.append(DossierComponent(
                dossier=dossier, catalog_component=component, order=order,
                name=component.name if component else item.name.strip(), originals=item.originals,
                certified_copies=item.certified_copies, photocopies=item.photocopies, file=stored,
                digitized=stored is not None or item.reused or item.from_national_store, reused=item.reused,
                from_national_store=item.from_national_store,
                replaced_by_result_code=(item.replaced_by_result_code or "")[:64],
            ))
        DossierComponent.objects.bulk_create(rows)
        dossier.has_digitized_components = digitized
        fees = [DossierFee(dossier=dossier, catalog_fee=fee, name=fee.name[:500], kind=fee.kind, amount=amount)
                for fee, amount in fee_rows]
        DossierFee.objects.bulk_create(fees)
        dossier.fee_due = sum(f.amount for f in fees)
        dossier.code = allocate_code(receiving, at)
        dossier.search_text = fold(f"{dossier.code} {dossier.applicant_name} {dossier.applicant_id_number}")
        record_event(dossier, Action.CREATE, None, actor, at, data={"channel": data.channel})
        if accept is None:
            accept = data.channel != Channel.ONLINE
        if accept:
            receive(dossier, actor, at)
        save_changes(dossier, before)
    return dossier


def receive(dossier: Dossier, actor: Actor, at: dt.datetime) -> None:
    """Receipt (tiếp nhận): the clock starts, the appointment is fixed, the plan is copied and its first step
    (the desk's receipt) opens. The caller saves the dossier and records the event."""
    from_status = dossier.status
    dossier.status = Status.RECEIVED
    dossier.received_at = at
    dossier.effective_start, dossier.due_at = compute_due(at, dossier.duration, dossier.duration_unit, dossier.cutoff)
    dossier.current_due_at = dossier.due_at
    dossier.plan = build_plan(dossier)
    start_step(dossier, 0, at, assignee=actor.user if actor.role in (Role.DESK_OFFICER, Role.AGENCY_LEADER) else None)
    refresh_clock(dossier, at)
    record_event(dossier, Action.ACCEPT, from_status, actor, at,
                 data={"due_at": dossier.due_at.isoformat() if dossier.due_at else None})
