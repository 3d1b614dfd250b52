"""The demo catalogue: 60 real procedures (congso/catalog/data/demo_catalogue.json) implemented by the agencies of
the fictional demo province, each with a default internal process.

`load_demo_catalogue()` is idempotent: a second run imports nothing new and creates no implementation or process.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from congso.catalog.choices import Channel, Level, OnlineMode
from congso.catalog.importing import ImportReport, import_catalogue
from congso.catalog.models import Implementation, ProcedureVersion, Process, ProcessStep
from congso.catalog.services import planned_steps
from congso.demo.province import FIELD_TO_AGENCY
from congso.org.choices import AgencyKind

DEMO_FILE = Path(__file__).resolve().parent / "data" / "demo_catalogue.json"

# Demo assumption, not a fact from the sources: these often-used procedures are offered fully online
# (toàn trình) in the demo province, so the online-service figures have something to count.
DEMO_FULLY_ONLINE = {"1.001193", "1.000656", "2.000635", "1.003677", "1.010041"}
DISTRICT_ONLY_NOTE = (
    "Thủ tục chỉ được ghi nhận ở cấp huyện (trước 01/07/2025); cấp thực hiện mới chưa xác minh — tạm gán cho sở "
    "quản lý lĩnh vực, chưa kích hoạt."
)


def demo_online_mode(record: dict) -> str:
    """The record's own online mode if the source gives one; else fully online for the few demo picks; else
    partly online when the record lists an online channel; else not online."""
    if record.get("online_mode"):
        return record["online_mode"]
    online = any(d["channel"] == Channel.ONLINE for d in record["durations"])
    if online and record["code"] in DEMO_FULLY_ONLINE:
        return OnlineMode.FULL
    return OnlineMode.PARTIAL if online else OnlineMode.NONE


def _targets(record: dict, commune_agencies, provincial_agencies, report: ImportReport):
    """(agency, level, active, note) for each agency that implements the record in the demo province."""
    levels = set(record["levels"])
    targets = []
    if Level.COMMUNE in levels:
        targets += [(agency, Level.COMMUNE, True, "") for agency in commune_agencies]
    provincial = Level.PROVINCE in levels or not levels & {Level.COMMUNE, Level.PROVINCE}
    if provincial:
        code = FIELD_TO_AGENCY.get(record["field"])
        agency = provincial_agencies.get(code) or provincial_agencies.get(record["field"])
        if agency is None:
            report.warning("demo", record["code"], "implementations",
                           _("No provincial agency handles the field '%(field)s'.") % {"field": record["field"]})
        elif levels == {Level.DISTRICT}:
            targets.append((agency, Level.PROVINCE, False, DISTRICT_ONLY_NOTE))
        else:
            targets.append((agency, Level.PROVINCE, True, ""))
    return targets


def load_demo_catalogue(commune_agencies: list, provincial_agencies: dict[str, object]) -> ImportReport:
    """Import the demo catalogue, then let the demo agencies implement it with a default process each.

    - commune-level procedures ("Cấp xã") → every commune People's Committee in `commune_agencies`;
    - province-level ones, and those listed only at ministry/other level → the provincial agency that
      congso.demo.province.FIELD_TO_AGENCY gives for the field (`provincial_agencies` is keyed by agency code);
    - 2.000620, documented only at the former district level → that provincial agency, inactive, with a note.
    """
    report = import_catalogue(DEMO_FILE, fmt="json", name="demo_catalogue.json")
    if report.has_errors:
        return report
    records = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["procedures"]
    versions = {
        v.procedure.code: v
        for v in ProcedureVersion.objects.in_force().filter(procedure__code__in=[r["code"] for r in records])
        .select_related("procedure", "field").prefetch_related("durations")
    }
    impls = set(Implementation.objects.filter(version__in=versions.values()).values_list("version_id", "agency_id"))
    processes = set(Process.objects.filter(version__in=versions.values()).values_list("version_id", "agency_id"))
    agencies = list(commune_agencies) + list(provincial_agencies.values())
    desks = _desks(agencies)

    with translation.override(settings.LANGUAGE_CODE):
        process_name = _("Default process")
    new_impls, new_processes, new_steps = [], [], []
    for record in records:
        version = versions.get(record["code"])
        if version is None:  # not in force today (e.g. replaced by a newer version with a later start)
            continue
        mode = demo_online_mode(record)
        for agency, level, active, note in _targets(record, commune_agencies, provincial_agencies, report):
            if (version.pk, agency.pk) not in impls:
                new_impls.append(Implementation(version=version, agency=agency, online_mode=mode, level=level,
                                                active=active, note=note))
                impls.add((version.pk, agency.pk))
            if (version.pk, agency.pk) not in processes:
                process = Process(version=version, agency=agency, name=process_name, is_default=True)
                steps = planned_steps(version, agency, desk_agency=desks.get(agency.admin_unit_id))
                new_processes.append((process, steps))
                processes.add((version.pk, agency.pk))
    with transaction.atomic():
        Implementation.objects.bulk_create(new_impls, batch_size=500)
        Process.objects.bulk_create([process for process, _steps in new_processes], batch_size=500)
        for process, steps in new_processes:
            new_steps += [
                ProcessStep(process=process, order=order, name=step.name, role=step.role, agency=step.agency,
                            share=step.share)
                for order, step in enumerate(steps, start=1)
            ]
        ProcessStep.objects.bulk_create(new_steps, batch_size=1000)
    report.implementations_created += len(new_impls)
    report.stats.update({"processes_created": len(new_processes), "process_steps_created": len(new_steps)})
    return report


def _desks(agencies) -> dict:
    """Service centre per administrative unit, for the desk steps (a hand-over from the centre to the agency)."""
    from congso.org.models import Agency

    units = {agency.admin_unit_id for agency in agencies}
    desks = {}
    for centre in Agency.objects.active().filter(kind=AgencyKind.SERVICE_CENTRE, admin_unit_id__in=units).order_by(
        "code"
    ):
        desks.setdefault(centre.admin_unit_id, centre)
    return desks


__all__ = ["DEMO_FILE", "demo_online_mode", "load_demo_catalogue"]
