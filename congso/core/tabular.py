"""Reading and writing simple tables (CSV and XLSX) for the admin imports, with one row-by-row report type.

Imports in congso are all-or-nothing: every row is validated first, the report lists every problem with its row
number and column, and nothing is written unless the report has no error.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

MAX_ROWS = 100_000
MAX_CELL = 2_000


class TableError(ValueError):
    """The file itself cannot be read as a table (wrong type, no header, too large)."""


@dataclass
class RowProblem:
    row: int  # 1-based, the header being row 1 as a spreadsheet shows it
    column: str
    message: str
    severity: str = "error"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "severity": self.severity}


@dataclass
class ImportReport:
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False

    def error(self, row: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(row, column, str(message), "error"))

    def warning(self, row: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(row, column, str(message), "warning"))

    @property
    def errors(self) -> list[RowProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problems": [p.as_dict() for p in self.problems],
        }

    def summary(self) -> str:
        lines = [
            _("%(n)d error(s), %(w)d warning(s); created %(c)d, updated %(u)d, unchanged %(s)d; written: %(written)s")
            % {
                "n": len(self.errors),
                "w": len(self.problems) - len(self.errors),
                "c": self.created,
                "u": self.updated,
                "s": self.unchanged,
                "written": _("yes") if self.written else _("no"),
            }
        ]
        row_label = _("row")
        lines += [f"  [{p.severity}] {row_label} {p.row}, {p.column}: {p.message}" for p in self.problems]
        return "\n".join(lines)


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):  # an XLSX date-time cell keeps its time
        return value.isoformat(sep=" ")
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(content: bytes, filename: str) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, comma or semicolon) or XLSX file as dicts keyed by lower-case header."""
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xlsx" or content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    if suffix in (".csv", ".txt", ""):
        return _read_csv(content)
    raise TableError(_("Only CSV and XLSX files can be imported."))


def _rows_from(header: list, body) -> list[dict[str, str]]:
    names = [_clean(h).lower() for h in header]
    if not any(names):
        raise TableError(_("The file has no header row."))
    rows = []
    for values in body:
        values = list(values)
        if not any(_clean(v) for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
        rows.append({name: _clean(values[i])[:MAX_CELL] if i < len(values) else "" for i, name in enumerate(names) if name})
    return rows


def _read_csv(content: bytes) -> list[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(_("A CSV file must be encoded in UTF-8.")) from exc
    if "\x00" in text:
        raise TableError(_("This is not a text (CSV) file."))
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise TableError(_("The file is empty.")) from exc
    try:
        return _rows_from(header, reader)
    except csv.Error as exc:
        raise TableError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc


def _read_xlsx(content: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise TableError(_("This is not a readable XLSX file.")) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = next(rows)
    except StopIteration as exc:
        raise TableError(_("The file is empty.")) from exc
    return _rows_from(list(header), rows)
