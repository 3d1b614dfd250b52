"""The catalogue's exchange format: one JSON-friendly record per procedure version (docs/catalog.md).

`version_to_record()` turns a saved version into the canonical record; the importer validates a file into the
same shape, so "is this file's record the same as the database's?" is a plain comparison of `content_of()`.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

FORMAT = "congso-catalog"
FORMAT_VERSION = 1

RECORD_KEYS = [
    "code", "valid_from", "status", "name", "field", "field_code", "levels", "applicant_types", "agency_text",
    "steps", "method", "conditions", "durations", "cutoff_time", "cutoff_text", "fee_text", "result_is_document",
    "online_mode", "decision_number", "decision_date", "national_publication_date", "notes", "source_urls",
    "review_reasons", "components", "fees", "results", "legal_basis", "implementations",
]
DURATION_KEYS = ["channel", "amount", "unit", "unit_inferred"]
COMPONENT_KEYS = [
    "case", "name", "originals", "certified_copies", "photocopies", "required", "template_name", "must_be_digitized",
]
FEE_KEYS = ["name", "kind", "amount", "online_amount", "set_by_province", "amount_override", "description"]
RESULT_KEYS = ["name", "code", "is_document"]
LEGAL_BASIS_KEYS = ["title", "number", "issued_date", "effective_date"]
IMPLEMENTATION_KEYS = ["agency", "online_mode", "level", "active", "note"]

# Keys that are not the version's content: identity, period, status, review state, province settings.
NON_CONTENT_KEYS = {"code", "valid_from", "status", "review_reasons", "implementations"}

# XLSX layout: one sheet per table, keyed by the procedure code. Lists inside a cell: levels and applicant types
# separated by commas; notes, sources and review reasons one per line.
SHEETS: dict[str, list[str]] = {
    "procedures": [
        "code", "valid_from", "status", "name", "field", "field_code", "levels", "applicant_types", "agency_text",
        "steps", "method", "conditions", "cutoff_time", "cutoff_text", "fee_text", "result_is_document",
        "online_mode", "decision_number", "decision_date", "national_publication_date", "notes", "source_urls",
        "review_reasons",
    ],
    "durations": ["code", "channel", "amount", "unit", "unit_inferred"],
    "components": ["code", "order", *COMPONENT_KEYS],
    "fees": ["code", "order", *FEE_KEYS],
    "results": ["code", "order", "name", "result_code", "is_document"],
    "legal_basis": ["code", "order", *LEGAL_BASIS_KEYS],
    "implementations": ["code", *IMPLEMENTATION_KEYS],
}
COMMA_LIST_COLUMNS = {"levels", "applicant_types"}
LINE_LIST_COLUMNS = {"notes", "source_urls", "review_reasons"}


def number_out(value) -> int | float | None:
    """A Decimal as a JSON number: an int when whole."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def date_out(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def time_out(value: dt.time | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def version_to_record(version) -> dict:
    """The canonical record of a saved version (children read through `.all()`, so prefetching helps)."""
    from congso.catalog.models import CHANNEL_ORDER

    durations = sorted(version.durations.all(), key=lambda d: CHANNEL_ORDER.index(d.channel))
    return {
        "code": version.procedure.code,
        "valid_from": date_out(version.valid_from),
        "status": version.procedure.status,
        "name": version.name,
        "field": version.field.name,
        "field_code": version.field.code,
        "levels": list(version.levels),
        "applicant_types": list(version.applicant_types),
        "agency_text": version.agency_text,
        "steps": version.steps,
        "method": version.method,
        "conditions": version.conditions,
        "durations": [
            {"channel": d.channel, "amount": number_out(d.amount), "unit": d.unit or None,
             "unit_inferred": d.unit_inferred}
            for d in durations
        ],
        "cutoff_time": time_out(version.cutoff_time),
        "cutoff_text": version.cutoff_text,
        "fee_text": version.fee_text,
        "result_is_document": version.result_is_document,
        "online_mode": version.online_mode or None,
        "decision_number": version.decision_number,
        "decision_date": date_out(version.decision_date),
        "national_publication_date": date_out(version.national_publication_date),
        "notes": list(version.notes),
        "source_urls": list(version.source_urls),
        "review_reasons": list(version.review_reasons),
        "components": [
            {"case": c.case, "name": c.name, "originals": c.originals, "certified_copies": c.certified_copies,
             "photocopies": c.photocopies, "required": c.required, "template_name": c.template_name,
             "must_be_digitized": c.must_be_digitized}
            for c in version.components.all()
        ],
        "fees": [
            {"name": f.name, "kind": f.kind, "amount": f.amount, "online_amount": f.online_amount,
             "set_by_province": f.set_by_province, "amount_override": f.amount_override,
             "description": f.description}
            for f in version.fees.all()
        ],
        "results": [{"name": r.name, "code": r.code, "is_document": r.is_document} for r in version.results.all()],
        "legal_basis": [
            {"title": b.title, "number": b.number, "issued_date": date_out(b.issued_date),
             "effective_date": date_out(b.effective_date)}
            for b in version.legal_basis.all()
        ],
        "implementations": sorted(
            (
                {"agency": i.agency.code, "online_mode": i.online_mode, "level": i.level, "active": i.active,
                 "note": i.note}
                for i in version.implementations.all()
            ),
            key=lambda i: i["agency"],
        ),
    }


def content_of(record: dict) -> dict:
    """The part of a record that makes up the version's content (what a new version would change)."""
    content = {key: copy.deepcopy(value) for key, value in record.items() if key not in NON_CONTENT_KEYS}
    for fee in content.get("fees", []):
        fee.pop("amount_override", None)
    return content
