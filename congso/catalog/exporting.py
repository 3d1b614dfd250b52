"""Export of the procedure catalogue as JSON or XLSX, in the format `importing` reads (docs/catalog.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.utils import timezone

from congso.catalog.models import ProcedureVersion
from congso.catalog.querysets import as_local_date
from congso.catalog.records import (
    COMMA_LIST_COLUMNS,
    FORMAT,
    FORMAT_VERSION,
    LINE_LIST_COLUMNS,
    SHEETS,
    version_to_record,
)


def export_queryset(on=None, codes=None):
    """The versions in force on `on` (default today), with everything an export reads prefetched."""
    qs = (
        ProcedureVersion.objects.in_force(on)
        .select_related("procedure", "field")
        .prefetch_related("durations", "components", "fees", "results", "legal_basis", "implementations__agency")
        .order_by("procedure__code")
    )
    if codes is not None:
        qs = qs.filter(procedure__code__in=list(codes))
    return qs


def catalogue_records(on=None, codes=None) -> list[dict]:
    """One canonical record per procedure: the version in force on `on` (default today)."""
    return [version_to_record(version) for version in export_queryset(on, codes)]


def catalogue_document(on=None, codes=None) -> dict:
    day = as_local_date(on)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().replace(microsecond=0).isoformat(),
        "on": day.isoformat(),
        "procedures": catalogue_records(day, codes),
    }


def write_json(document: dict, fp) -> None:
    fp.write(json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))


def _xlsx_value(key: str, value):
    if key in COMMA_LIST_COLUMNS and isinstance(value, list):
        return ", ".join(value)
    if key in LINE_LIST_COLUMNS and isinstance(value, list):
        return "\n".join(value)
    if key.endswith("date") or key == "valid_from":
        return dt.date.fromisoformat(value) if value else None
    return value


def _append(sheet, values: list) -> None:
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        # A text that looks like a formula stays a text (no formula injection into the province's spreadsheet).
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
        elif isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd"


def write_xlsx(document: dict, fp) -> None:
    """One sheet per table keyed by the procedure code (records.SHEETS), plus an 'about' sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    about = book.active
    about.title = "about"
    for row in (("format", document["format"]), ("version", document["version"]),
                ("exported_at", document["exported_at"]), ("on", document["on"]),
                ("procedures", len(document["procedures"]))):
        about.append(list(row))
    sheets = {}
    for name, columns in SHEETS.items():
        sheet = book.create_sheet(name)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
        sheets[name] = sheet
    for record in document["procedures"]:
        code = record["code"]
        _append(sheets["procedures"], [_xlsx_value(key, record[key]) for key in SHEETS["procedures"]])
        for item in record["durations"]:
            _append(sheets["durations"], [code, item["channel"], item["amount"], item["unit"], item["unit_inferred"]])
        for table in ("components", "fees", "legal_basis"):
            for order, item in enumerate(record[table], start=1):
                _append(sheets[table], [code, order, *[_xlsx_value(key, item[key]) for key in SHEETS[table][2:]]])
        for order, item in enumerate(record["results"], start=1):
            _append(sheets["results"], [code, order, item["name"], item["code"], item["is_document"]])
        for item in record["implementations"]:
            _append(sheets["implementations"], [code, *[item[key] for key in SHEETS["implementations"][1:]]])
    book.save(fp)


def export_catalogue(destination, fmt: str | None = None, *, on=None, codes=None) -> int:
    """Write the catalogue in force on `on` to a path or binary file ('json' or 'xlsx', default from the
    file name). Returns the number of procedures written."""
    if isinstance(destination, str | Path):
        path = Path(destination)
        fmt = fmt or path.suffix.lstrip(".").lower()
        with path.open("wb") as fp:
            return export_catalogue(fp, fmt, on=on, codes=codes)
    if fmt not in ("json", "xlsx"):
        raise ValueError("export format must be 'json' or 'xlsx'")
    document = catalogue_document(on, codes)
    (write_xlsx if fmt == "xlsx" else write_json)(document, destination)
    return len(document["procedures"])
