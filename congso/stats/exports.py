"""The statistics table as CSV and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from congso.stats.statistics import Row


def columns() -> list[tuple[str, str]]:
    return [
        ("received", _("Received")), ("received_direct", _("In person")), ("received_online", _("Online")),
        ("received_postal", _("By post")), ("refused", _("Refused at intake")),
        ("resolved", _("Resolved")), ("resolved_early", _("Early")), ("resolved_on_time", _("On time")),
        ("on_time_pct", _("Early or on time (%)")), ("resolved_late", _("Late")), ("late_pct", _("Late (%)")),
        ("resolved_late_apology", _("Late with apology")),
        ("in_progress_within", _("In progress, within the deadline (now)")),
        ("in_progress_overdue", _("In progress, past the deadline (now)")),
        ("supplemented", _("Supplement requested")), ("withdrawn", _("Withdrawn")), ("stopped", _("Stopped")),
        ("online_pct", _("Online submission (%)")), ("digitized_pct", _("Digitised (%)")),
        ("paid_online_pct", _("Paid online (%)")), ("satisfied_pct", _("Satisfied (%)")),
    ]


def cells(row: Row) -> list:
    merged = {**row.values, **row.rates}
    return [merged[key] for key, _label in columns()]


def _safe(text: str) -> str:
    # A label starting with = + - @ would be a formula in a spreadsheet (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: list[Row], total: Row, heading: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([heading] + [label for _key, label in columns()])
    for row in rows:
        writer.writerow([_safe(row.label)] + ["" if v is None else v for v in cells(row)])
    writer.writerow([_("Total")] + ["" if v is None else v for v in cells(total)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheet programs read it as UTF-8


def to_xlsx(rows: list[Row], total: Row, heading: str, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Statistics")[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append([heading] + [label for _key, label in columns()])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(row.label)] + cells(row))
    sheet.append([_("Total")] + cells(total))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
