"""State changes of the catalogue (house rule 1): publishing versions, abolishing, fee overrides, processes.

`user=None` means the system (imports run by a management command, the demo loader); a person needs the model
permission named in each function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from congso.catalog.choices import Level, ProcedureStatus
from congso.catalog.models import (
    Component,
    Fee,
    Field,
    Implementation,
    LegalBasis,
    Procedure,
    ProcedureDuration,
    ProcedureVersion,
    Process,
    ProcessStep,
    Result,
    build_search_text,
)
from congso.catalog.processes import HOURS_PER_DAY, default_plan, rescale
from congso.org.choices import AgencyKind, UnitLevel


def _require(user, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("You may not change the procedure catalogue."))


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _time(value) -> dt.time | None:
    if value is None or isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(value)


# --- versions -----------------------------------------------------------------------------------------------------
def write_version(procedure: Procedure, number: int, record: dict, field: Field, user,
                  valid_from: dt.date | None = None) -> ProcedureVersion:
    """Create a version and its children from a validated record (importing.validate_record). Internal: callers
    go through `publish_new_version` or `importing.import_catalogue`."""
    version = ProcedureVersion(
        procedure=procedure, number=number,
        valid_from=valid_from if valid_from is not None else _date(record["valid_from"]),
        name=record["name"], field=field, levels=record["levels"], applicant_types=record["applicant_types"],
        agency_text=record["agency_text"], steps=record["steps"], method=record["method"],
        conditions=record["conditions"], cutoff_time=_time(record["cutoff_time"]), cutoff_text=record["cutoff_text"],
        fee_text=record["fee_text"], result_is_document=record["result_is_document"],
        online_mode=record["online_mode"] or "", decision_number=record["decision_number"],
        decision_date=_date(record["decision_date"]),
        national_publication_date=_date(record["national_publication_date"]), notes=record["notes"],
        source_urls=record["source_urls"], review_reasons=record["review_reasons"],
        needs_review=bool(record["review_reasons"]), created_by=user,
        search_text=build_search_text(procedure.code, record["name"], field.name),
    )
    version.save()
    ProcedureDuration.objects.bulk_create([
        ProcedureDuration(version=version, channel=d["channel"],
                          amount=None if d["amount"] is None else Decimal(str(d["amount"])),
                          unit=d["unit"] or "", unit_inferred=d["unit_inferred"])
        for d in record["durations"]
    ])
    Component.objects.bulk_create([
        Component(version=version, order=position, **{key: item[key] for key in (
            "case", "name", "originals", "certified_copies", "photocopies", "required", "template_name",
            "must_be_digitized")})
        for position, item in enumerate(record["components"], start=1)
    ])
    Fee.objects.bulk_create([
        Fee(version=version, order=position, **item) for position, item in enumerate(record["fees"], start=1)
    ])
    Result.objects.bulk_create([
        Result(version=version, order=position, **item) for position, item in enumerate(record["results"], start=1)
    ])
    LegalBasis.objects.bulk_create([
        LegalBasis(version=version, order=position, title=item["title"], number=item["number"],
                   issued_date=_date(item["issued_date"]), effective_date=_date(item["effective_date"]))
        for position, item in enumerate(record["legal_basis"], start=1)
    ])
    return version


def publish_validated(procedure: Procedure, record: dict, field: Field, user,
                      valid_from: dt.date | None = None) -> ProcedureVersion:
    """Close the version in force at `valid_from` and add a new one (inside the caller's transaction, with the
    procedure row locked). Implementing agencies, fee overrides and internal processes are carried over."""
    valid_from = valid_from or _date(record["valid_from"])
    versions = list(procedure.versions.select_for_update().order_by("number"))
    latest = versions[-1] if versions else None
    if latest is not None:
        if valid_from is None:
            raise ValidationError({"valid_from": _("A new version needs the date it takes effect.")})
        later = [v for v in versions if v.valid_from is not None and v.valid_from >= valid_from]
        if later:
            raise ValidationError({"valid_from": _(
                "The new version must take effect after %(date)s, the start of version %(number)d.") % {
                "date": later[-1].valid_from.strftime("%d/%m/%Y"), "number": later[-1].number}})
        if latest.valid_to is None or latest.valid_to > valid_from:
            latest.valid_to = valid_from
            latest.save(update_fields=["valid_to"])
    version = write_version(procedure, (latest.number + 1) if latest else 1, record, field, user, valid_from)
    if latest is not None:
        _carry_over(latest, version)
        if procedure.status != ProcedureStatus.AMENDED:
            procedure.status = ProcedureStatus.AMENDED
            procedure.save(update_fields=["status", "updated_at"])
    version.full_clean(exclude=["procedure", "field", "created_by"])
    return version


def _carry_over(previous: ProcedureVersion, version: ProcedureVersion) -> None:
    old_overrides = {fee.name: fee.amount_override for fee in previous.fees.all() if fee.amount_override is not None}
    for fee in version.fees.all():
        if fee.amount_override is None and fee.set_by_province and fee.name in old_overrides:
            fee.amount_override = old_overrides[fee.name]
            fee.save(update_fields=["amount_override"])
    Implementation.objects.bulk_create([
        Implementation(version=version, agency_id=impl.agency_id, online_mode=impl.online_mode, level=impl.level,
                       active=impl.active, note=impl.note)
        for impl in previous.implementations.all()
    ])
    for process in previous.processes.prefetch_related("steps"):
        copy_process(process, version)


def publish_new_version(procedure: Procedure, data: dict, valid_from: dt.date, user) -> ProcedureVersion:
    """Publish `data` (a record in the import format, without code) as the procedure's new version from
    `valid_from`; the previous version ends the day before (valid_to = valid_from, exclusive). Old versions are
    never edited. Needs `catalog.add_procedureversion`."""
    from congso.catalog.importing import validate_version_data

    _require(user, "catalog.add_procedureversion")
    if not isinstance(valid_from, dt.date):
        raise ValidationError({"valid_from": _("A new version needs the date it takes effect.")})
    record = validate_version_data({**data, "valid_from": valid_from.isoformat()}, procedure.code)
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        field, _created = Field.objects.get_or_create(name=record["field"], defaults={"code": record["field_code"]})
        version = publish_validated(procedure, record, field, user, valid_from)
        upsert_implementations(version, record["implementations"])
    return version


def abolish_procedure(procedure: Procedure, valid_to: dt.date, user) -> None:
    """End the procedure on `valid_to` (exclusive): the version in force then is closed, later ones refused."""
    _require(user, "catalog.change_procedure")
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        versions = list(procedure.versions.order_by("number"))
        if any(v.valid_from is not None and v.valid_from >= valid_to for v in versions):
            raise ValidationError({"valid_to": _("A version takes effect on or after this date.")})
        for version in versions:
            if version.valid_to is None or version.valid_to > valid_to:
                version.valid_to = valid_to
                version.save(update_fields=["valid_to"])
        procedure.status = ProcedureStatus.ABOLISHED
        procedure.save(update_fields=["status", "updated_at"])


def apply_fee_overrides(version: ProcedureVersion, fees: list[dict]) -> int:
    """Set the province's amounts given in a file (by position) on an unchanged version; empty ones are kept."""
    changed = 0
    for fee, item in zip(version.fees.all(), fees, strict=False):
        if item.get("amount_override") is not None and fee.amount_override != item["amount_override"]:
            fee.amount_override = item["amount_override"]
            fee.save(update_fields=["amount_override"])
            changed += 1
    return changed


def set_fee_override(fee: Fee, amount: int | None, user) -> Fee:
    """The province's own amount for a fee item (e.g. set by the People's Council); None removes it."""
    _require(user, "catalog.change_fee")
    if amount is not None and (not isinstance(amount, int) or amount < 0):
        raise ValidationError({"amount_override": _("Enter an amount in whole đồng.")})
    fee.amount_override = amount
    fee.save(update_fields=["amount_override"])
    return fee


def _agency_level(agency) -> str:
    return {UnitLevel.PROVINCE: Level.PROVINCE, UnitLevel.DISTRICT: Level.DISTRICT,
            UnitLevel.COMMUNE: Level.COMMUNE}.get(agency.level, Level.OTHER)


def upsert_implementations(version: ProcedureVersion, items: list[dict], agencies: dict | None = None) -> tuple[int, int]:
    """Create or update the listed implementing agencies of a version; agencies not listed are left alone.
    Returns (created, updated)."""
    if not items:
        return 0, 0
    if agencies is None:
        from congso.org.models import Agency

        agencies = {a.code: a for a in Agency.objects.filter(code__in=[item["agency"] for item in items])}
    existing = {impl.agency_id: impl for impl in version.implementations.all()}
    created = updated = 0
    for item in items:
        agency = agencies[item["agency"]]
        values = {"online_mode": item["online_mode"], "level": item["level"] or _agency_level(agency),
                  "active": item["active"], "note": item["note"]}
        impl = existing.get(agency.pk)
        if impl is None:
            Implementation.objects.create(version=version, agency=agency, **values)
            created += 1
        elif any(getattr(impl, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(impl, key, value)
            impl.save()
            updated += 1
    return created, updated


# --- internal processes -------------------------------------------------------------------------------------------
@dataclass
class StepData:
    name: str
    share: Decimal
    role: str = ""
    department: object = None
    agency: object = None


def save_process(version: ProcedureVersion, agency, steps: Iterable[StepData], *, hours_per_day: int = HOURS_PER_DAY,
                 name: str = "", user=None, is_default: bool = False) -> Process:
    """Create or update the internal process of `version` at `agency`; the shares must fit the time limit.

    Steps are updated in place by their order (dossiers keep pointing at them); steps past the new last one are
    removed. Needs `catalog.change_process`."""
    _require(user, "catalog.change_process")
    steps = list(steps)
    probe = Process(version=version, agency=agency, hours_per_day=hours_per_day)
    probe.check_shares([Decimal(str(step.share)) for step in steps])
    with transaction.atomic():
        process = Process.objects.select_for_update().filter(version=version, agency=agency).first()
        if process is None:
            process = Process(version=version, agency=agency)
        process.name, process.hours_per_day, process.is_default = name, hours_per_day, is_default
        process.save()
        existing = {step.order: step for step in process.steps.all()}
        rows = []
        for order, step in enumerate(steps, start=1):
            row = existing.pop(order, None) or ProcessStep(process=process, order=order)
            row.name, row.role, row.share = step.name, step.role, Decimal(str(step.share))
            row.department, row.agency = step.department, step.agency
            row.full_clean(exclude=["process"])
            rows.append(row)
        for leftover in existing.values():
            leftover.delete()
        for row in rows:
            row.save()
    return process


_LOOKUP = object()


def desk_agency_for(agency):
    """The public administration service centre serving the same administrative unit as `agency`, if any."""
    from congso.org.models import Agency

    if agency.kind == AgencyKind.SERVICE_CENTRE:
        return agency
    return (Agency.objects.active().filter(kind=AgencyKind.SERVICE_CENTRE, admin_unit_id=agency.admin_unit_id)
            .order_by("code").first())


def planned_steps(version: ProcedureVersion, agency, hours_per_day: int = HOURS_PER_DAY, desk_agency=None
                  ) -> list[StepData]:
    """The default steps for `version` at `agency`: 5 steps, or 4 at a commune (no heads of department).
    Desk steps go to `desk_agency` (a hand-over) when it differs from `agency`."""
    reference = version.reference_duration()
    with translation.override(settings.LANGUAGE_CODE):
        plan = default_plan(reference.unit if reference else None, reference.amount if reference else None,
                            hours_per_day, with_review=agency.level != UnitLevel.COMMUNE)
    desk = desk_agency if desk_agency is not None and desk_agency.pk != agency.pk else None
    return [StepData(name=step.name, share=step.share, role=step.role, agency=desk if step.at_desk else None)
            for step in plan]


def default_process(procedure_version: ProcedureVersion, agency, hours_per_day: int = HOURS_PER_DAY, *,
                    desk_agency=_LOOKUP, user=None) -> Process:
    """Create (or replace) a sensible default process: receive at the desk, handle by a specialist, review by
    the head of department (not at communes), sign by the agency leader, return at the desk; the time limit is
    split 5/60/15/10/10 % (5/70/15/10 at communes) and the shares add up exactly."""
    if desk_agency is _LOOKUP:
        desk_agency = desk_agency_for(agency)
    steps = planned_steps(procedure_version, agency, hours_per_day, desk_agency)
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Default process")
    return save_process(procedure_version, agency, steps, hours_per_day=hours_per_day, name=name, user=user,
                        is_default=True)


def copy_process(process: Process, version: ProcedureVersion) -> Process:
    """Copy a process to another version of the procedure, rescaling the shares to its time limit."""
    steps = list(process.steps.all())
    shares = rescale([step.share for step in steps], version.process_share_total(process.hours_per_day))
    new = Process.objects.create(version=version, agency_id=process.agency_id, name=process.name,
                                 hours_per_day=process.hours_per_day, is_default=process.is_default)
    ProcessStep.objects.bulk_create([
        ProcessStep(process=new, order=step.order, name=step.name, role=step.role, department_id=step.department_id,
                    agency_id=step.agency_id, share=share)
        for step, share in zip(steps, shares, strict=True)
    ])
    return new
