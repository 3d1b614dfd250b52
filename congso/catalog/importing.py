"""Import of the procedure catalogue from JSON or XLSX (docs/catalog.md, "Import and export").

Everything is validated first, row by row; every problem goes into an `ImportReport` with its row (or record
number), procedure code, field, a translatable message and a severity. If any row has an error nothing is
written; otherwise all records are written in one transaction:

- a code not in the catalogue yet → a new procedure with version 1;
- a code whose newest version has the same content → nothing (fee overrides and implementing agencies given in
  the file are still applied to that version), so importing the same file twice changes nothing;
- a code whose content differs → a new version from the record's `valid_from`, which must be later than the
  newest version's start (history is never rewritten).

Doubtful values are imported with a warning and set the version's `needs_review` flag with a reason code
(`ReviewReason`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from congso.catalog.choices import (
    ApplicantType,
    Channel,
    FeeKind,
    Level,
    OnlineMode,
    ProcedureStatus,
    ReviewReason,
    Severity,
)
from congso.catalog.codes import legal_number, normalize_procedure_code, split_result_code
from congso.catalog.records import (
    COMMA_LIST_COLUMNS,
    COMPONENT_KEYS,
    DURATION_KEYS,
    FEE_KEYS,
    FORMAT,
    IMPLEMENTATION_KEYS,
    LEGAL_BASIS_KEYS,
    LINE_LIST_COLUMNS,
    RECORD_KEYS,
    RESULT_KEYS,
    SHEETS,
    content_of,
    number_out,
    version_to_record,
)
from congso.org.validators import validate_agency_code
from congso.workcalendar.units import DurationUnit

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_RECORDS = 10_000
MAX_ITEMS = 500
MAX_SHEET_ROWS = 200_000

CHILD_KEYS = ["durations", "components", "fees", "results", "legal_basis", "implementations"]


def _words(*pairs) -> dict[str, str]:
    return {_norm_word(word): value for word, value in pairs}


def _norm_word(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip().casefold()


# Words accepted for each choice: the stored code, and the Vietnamese words the portals print. Nothing else.
UNIT_WORDS = _words(
    ("working_day", DurationUnit.WORKING_DAY), ("working_hour", DurationUnit.WORKING_HOUR),
    ("calendar_day", DurationUnit.CALENDAR_DAY),
    ("ngày làm việc", DurationUnit.WORKING_DAY), ("giờ", DurationUnit.WORKING_HOUR),
    ("giờ làm việc", DurationUnit.WORKING_HOUR), ("ngày", DurationUnit.CALENDAR_DAY),
)
LEVEL_WORDS = _words(
    *[(code, code) for code in Level.values],
    ("cấp bộ", Level.MINISTRY), ("cấp tỉnh", Level.PROVINCE), ("cấp huyện", Level.DISTRICT),
    ("cấp xã", Level.COMMUNE), ("cơ quan khác", Level.OTHER),
)
APPLICANT_WORDS = _words(
    *[(code, code) for code in ApplicantType.values],
    ("Công dân Việt Nam", ApplicantType.CITIZEN),
    ("Người Việt Nam định cư ở nước ngoài", ApplicantType.VIETNAMESE_ABROAD),
    ("Người nước ngoài", ApplicantType.FOREIGNER),
    ("Người nước ngoài cư trú tại Việt Nam", ApplicantType.FOREIGNER),
    ("Tổ chức (không bao gồm doanh nghiệp, HTX)", ApplicantType.ORGANISATION),
    ("Tổ chức", ApplicantType.ORGANISATION),
    ("Tổ chức nước ngoài", ApplicantType.FOREIGN_ORGANISATION),
    ("Doanh nghiệp", ApplicantType.ENTERPRISE),
    ("Doanh nghiệp có vốn đầu tư nước ngoài", ApplicantType.FOREIGN_INVESTED_ENTERPRISE),
    ("Hợp tác xã", ApplicantType.COOPERATIVE),
    ("Cán bộ, công chức, viên chức", ApplicantType.CIVIL_SERVANT),
)
CHANNEL_WORDS = _words(
    *[(code, code) for code in Channel.values],
    ("trực tiếp", Channel.DIRECT), ("trực tuyến", Channel.ONLINE), ("bưu chính", Channel.POSTAL),
    ("bưu chính công ích", Channel.POSTAL),
)
ONLINE_WORDS = _words(
    *[(code, code) for code in OnlineMode.values],
    ("không trực tuyến", OnlineMode.NONE), ("một phần", OnlineMode.PARTIAL), ("toàn trình", OnlineMode.FULL),
)
FEE_KIND_WORDS = _words(
    ("fee", FeeKind.FEE), ("charge", FeeKind.CHARGE), ("phí", FeeKind.FEE), ("lệ phí", FeeKind.CHARGE),
)
STATUS_WORDS = _words(
    *[(code, code) for code in ProcedureStatus.values],
    ("đang công khai", ProcedureStatus.PUBLISHED), ("sửa đổi", ProcedureStatus.AMENDED),
    ("bãi bỏ", ProcedureStatus.ABOLISHED),
)
_TRUE = {"true", "yes", "1", "có", "x"}
_FALSE = {"false", "no", "0", "không", ""}

_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>|<!--", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PROVINCE_FEE = re.compile(r"HĐND|Hội đồng nhân dân", re.IGNORECASE)
_UNCERTAIN = re.compile(r"uncertain", re.IGNORECASE)
_MONEY_TEXT = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$|^\d+$")
_TIME_TEXT = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


# --- the report -----------------------------------------------------------------------------------------------------
@dataclass
class Issue:
    row: str
    code: str
    field: str
    message: str
    severity: str

    def as_dict(self) -> dict:
        return {"row": self.row, "code": self.code, "field": self.field, "message": str(self.message),
                "severity": self.severity}


@dataclass
class ImportReport:
    """What an import found and did. `written` is True only when the records were saved."""

    source: str = ""
    dry_run: bool = False
    records: int = 0
    issues: list[Issue] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    fields_created: list[str] = field(default_factory=list)
    implementations_created: int = 0
    implementations_updated: int = 0
    overrides_updated: int = 0
    written: bool = False
    stats: dict = field(default_factory=dict)

    def add(self, severity: str, row: str, code: str, field_name: str, message) -> None:
        self.issues.append(Issue(row, code or "", field_name, str(message), severity))

    def error(self, row: str, code: str, field_name: str, message) -> None:
        self.add(Severity.ERROR, row, code, field_name, message)

    def warning(self, row: str, code: str, field_name: str, message) -> None:
        self.add(Severity.WARNING, row, code, field_name, message)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == Severity.WARNING]

    @property
    def has_errors(self) -> bool:
        return any(issue.severity == Severity.ERROR for issue in self.issues)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.new_versions or self.fields_created or self.implementations_created
                    or self.implementations_updated or self.overrides_updated)

    def summary(self) -> str:
        if self.has_errors:
            return _("%(errors)d error(s), %(warnings)d warning(s) in %(records)d record(s): nothing was written.") % {
                "errors": len(self.errors), "warnings": len(self.warnings), "records": self.records}
        text = _(
            "%(records)d record(s): %(created)d new procedure(s), %(versions)d new version(s), %(unchanged)d "
            "unchanged; %(warnings)d warning(s)."
        ) % {"records": self.records, "created": len(self.created), "versions": len(self.new_versions),
             "unchanged": len(self.unchanged), "warnings": len(self.warnings)}
        if self.dry_run:
            text += " " + _("Dry run: nothing was written.")
        return text

    def as_dict(self) -> dict:
        return {
            "source": self.source, "dry_run": self.dry_run, "written": self.written, "records": self.records,
            "created": self.created, "new_versions": self.new_versions, "unchanged": self.unchanged,
            "fields_created": self.fields_created, "implementations_created": self.implementations_created,
            "implementations_updated": self.implementations_updated, "overrides_updated": self.overrides_updated,
            "stats": self.stats, "issues": [issue.as_dict() for issue in self.issues],
        }


@dataclass
class RawRecord:
    """One procedure as read from a file: `data` has the record keys; child items carry their own `__ref__`."""

    ref: str
    data: dict


# --- reading files ------------------------------------------------------------------------------------------------
def read_json(fp, report: ImportReport) -> list[RawRecord]:
    raw = fp.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        report.error("file", "", "", _("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // 2**20})
        return []
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        payload = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        report.error("file", "", "", _("The file is not valid UTF-8 JSON: %(error)s") % {"error": str(exc)[:200]})
        return []
    if isinstance(payload, dict):
        if payload.get("format") not in (None, FORMAT):
            report.warning("file", "", "format", _("Unexpected format %(format)s; reading it as %(expected)s.") % {
                "format": str(payload.get("format"))[:50], "expected": FORMAT})
        items = payload.get("procedures")
    else:
        items = payload
    if not isinstance(items, list):
        report.error("file", "", "procedures", _("The file must hold a list of procedures."))
        return []
    if len(items) > MAX_RECORDS:
        report.error("file", "", "procedures", _("At most %(max)d procedures per file.") % {"max": MAX_RECORDS})
        return []
    records = []
    for index, item in enumerate(items, start=1):
        ref = f"#{index}"
        if not isinstance(item, dict):
            report.error(ref, "", "", _("A procedure must be an object with named fields."))
            continue
        data = dict(item)
        for key in CHILD_KEYS:
            children = data.get(key)
            if isinstance(children, list):
                data[key] = [
                    {**child, "__ref__": f"{ref} {key}[{position}]"} if isinstance(child, dict) else child
                    for position, child in enumerate(children, start=1)
                ]
        records.append(RawRecord(ref, data))
    return records


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _sheet_rows(sheet, report: ImportReport) -> list[tuple[str, dict]]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        return []
    known = SHEETS[sheet.title]
    columns = []
    for position, name in enumerate(header):
        key = str(name).strip().lower() if name is not None else ""
        if key and key not in known:
            report.warning(f"{sheet.title}!1", "", key[:50], _("Unknown column ignored."))
            key = ""
        columns.append((position, key))
    if "code" not in [key for _p, key in columns]:
        report.error(f"{sheet.title}!1", "", "code", _("The sheet has no 'code' column."))
        return []
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_SHEET_ROWS:
            report.error(sheet.title, "", "", _("Too many rows."))
            break
        data = {key: _cell(values[position]) for position, key in columns if key and position < len(values)}
        if all(value is None for value in data.values()):
            continue
        out.append((f"{sheet.title}!{number}", data))
    return out


def read_xlsx(fp, report: ImportReport) -> list[RawRecord]:
    import openpyxl

    raw = fp.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        report.error("file", "", "", _("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // 2**20})
        return []
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any unreadable workbook is one error in the report
        report.error("file", "", "", _("The file is not a readable XLSX workbook."))
        return []
    try:
        if "procedures" not in book.sheetnames:
            report.error("file", "", "procedures", _("The workbook has no 'procedures' sheet."))
            return []
        for name in book.sheetnames:
            if name not in SHEETS and name != "about":
                report.warning(name, "", "", _("Unknown sheet ignored."))
        records: list[RawRecord] = []
        by_code: dict[str, RawRecord] = {}
        for ref, data in _sheet_rows(book["procedures"], report):
            for column in COMMA_LIST_COLUMNS:
                if isinstance(data.get(column), str):
                    data[column] = [part.strip() for part in data[column].split(",") if part.strip()]
            for column in LINE_LIST_COLUMNS:
                if isinstance(data.get(column), str):
                    data[column] = [line.strip() for line in data[column].splitlines() if line.strip()]
            for key in CHILD_KEYS:
                data[key] = []
            record = RawRecord(ref, data)
            records.append(record)
            code = normalize_procedure_code(data.get("code")) if isinstance(data.get("code"), str) else None
            if code and code not in by_code:
                by_code[code] = record
        for sheet_name in CHILD_KEYS:
            if sheet_name not in book.sheetnames:
                continue
            children: dict[str, list[tuple[object, int, dict]]] = {}
            for position, (ref, data) in enumerate(_sheet_rows(book[sheet_name], report)):
                raw_code = data.pop("code", None)
                code = normalize_procedure_code(raw_code) if isinstance(raw_code, str) else None
                if code is None or code not in by_code:
                    report.error(ref, str(raw_code or "")[:40], "code",
                                 _("This row names no procedure of the 'procedures' sheet."))
                    continue
                order = data.pop("order", None)
                if sheet_name == "results" and "result_code" in data:
                    data["code"] = data.pop("result_code")
                data["__ref__"] = ref
                sort_key = order if isinstance(order, int | float) else position
                children.setdefault(code, []).append((sort_key, position, data))
            for code, rows in children.items():
                rows.sort(key=lambda row: (row[0], row[1]))
                by_code[code].data[sheet_name] = [data for _k, _p, data in rows]
        return records
    finally:
        book.close()


def read_records(source, fmt: str | None, report: ImportReport) -> list[RawRecord]:
    """Read a path or a binary file object; `fmt` is 'json' or 'xlsx' (default: from the name or the content)."""
    if isinstance(source, str | Path):
        path = Path(source)
        fmt = fmt or path.suffix.lstrip(".").lower()
        try:
            with path.open("rb") as fp:
                return read_records(fp, fmt, report)
        except OSError as exc:
            report.error("file", "", "", _("Cannot read the file: %(error)s") % {"error": exc.strerror or exc})
            return []
    if not fmt:
        name = getattr(source, "name", "") or ""
        fmt = Path(name).suffix.lstrip(".").lower()
    if fmt not in ("json", "xlsx"):
        head = source.read(2)
        source.seek(0)
        fmt = "xlsx" if head == b"PK" else "json"
    return read_xlsx(source, report) if fmt == "xlsx" else read_json(source, report)


# --- validating records -----------------------------------------------------------------------------------------
class _Checker:
    """Typed readers for one record's values; every problem becomes an issue at the right row."""

    def __init__(self, report: ImportReport, ref: str, code: str):
        self.report, self.ref, self.code = report, ref, code

    def err(self, field_name: str, message, ref: str | None = None) -> None:
        self.report.error(ref or self.ref, self.code, field_name, message)

    def warn(self, field_name: str, message, ref: str | None = None) -> None:
        self.report.warning(ref or self.ref, self.code, field_name, message)

    def text(self, value, field_name, max_length, *, required=False, single_line=False, ref=None) -> str:
        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            self.err(field_name, _("Expected a text."), ref)
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = unicodedata.normalize("NFC", str(value)).strip()
        if single_line:
            value = re.sub(r"\s+", " ", value)
        if required and not value:
            self.err(field_name, _("This field is required."), ref)
        if len(value) > max_length:
            self.err(field_name, _("Too long: %(length)d characters, at most %(max)d.") % {
                "length": len(value), "max": max_length}, ref)
            return ""
        if _HTML.search(value):
            self.err(field_name, _("HTML markup is not allowed."), ref)
        if _CONTROL.search(value):
            self.err(field_name, _("Control characters are not allowed."), ref)
        if value.startswith("="):
            self.err(field_name, _("A text cannot start with '=' (spreadsheet formula)."), ref)
        return value

    def choice(self, value, field_name, words, *, required=True, ref=None) -> str | None:
        if value is None or value == "":
            if required:
                self.err(field_name, _("This field is required."), ref)
            return None
        if not isinstance(value, str) or _norm_word(value) not in words:
            if words is UNIT_WORDS:
                message = _("Unknown unit '%(value)s': use ngày làm việc, giờ, giờ làm việc or ngày (or working_day, "
                            "working_hour, calendar_day).")
            else:
                message = _("Unknown value '%(value)s'; use one of: %(choices)s.")
            self.err(field_name, message % {"value": str(value)[:60],
                                            "choices": ", ".join(dict.fromkeys(words.values()))}, ref)
            return None
        return words[_norm_word(value)]

    def choice_list(self, value, field_name, words, ref=None) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if not isinstance(value, list):
            self.err(field_name, _("Expected a list."), ref)
            return []
        out = []
        for item in value:
            choice = self.choice(item, field_name, words, ref=ref)
            if choice and choice not in out:
                out.append(choice)
        return out

    def text_list(self, value, field_name, max_length, *, urls=False, ref=None) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = [line for line in value.splitlines() if line.strip()]
        if not isinstance(value, list):
            self.err(field_name, _("Expected a list."), ref)
            return []
        if len(value) > MAX_ITEMS:
            self.err(field_name, _("At most %(max)d items.") % {"max": MAX_ITEMS}, ref)
            return []
        out = []
        for item in value:
            text = self.text(item, field_name, max_length, required=True, single_line=True, ref=ref)
            if urls and text:
                try:
                    URLValidator(schemes=["http", "https"])(text)
                except ValidationError:
                    self.err(field_name, _("'%(value)s' is not an http(s) address.") % {"value": text[:80]}, ref)
                    continue
            if text:
                out.append(text)
        return out

    def boolean(self, value, field_name, default: bool, ref=None) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and _norm_word(value) in _TRUE | _FALSE:
            return _norm_word(value) in _TRUE
        self.err(field_name, _("Expected yes or no."), ref)
        return default

    def count(self, value, field_name, ref=None) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 999:
            self.err(field_name, _("Expected a whole number from 0 to 999, not '%(value)s'.") % {
                "value": str(value)[:40]}, ref)
            return None
        return value

    def money(self, value, field_name, ref=None) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, str) and _MONEY_TEXT.match(value.strip()):
            value = int(re.sub(r"\D", "", value))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**13:
            self.err(field_name, _("Expected an amount in whole đồng, not '%(value)s'.") % {
                "value": str(value)[:40]}, ref)
            return None
        return value

    def decimal(self, value, field_name, ref=None) -> Decimal | None:
        if value is None or value == "":
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = Decimal(value.strip().replace(",", ".")) if isinstance(value, str) else Decimal(str(value))
        except (InvalidOperation, ValueError, TypeError):
            number = None
        if number is None or not number.is_finite() or not 0 <= number <= 9999 or number != number.quantize(
            Decimal("0.01")
        ):
            self.err(field_name, _("Expected a number from 0 to 9999 with at most 2 decimals, not '%(value)s'.") % {
                "value": str(value)[:40]}, ref)
            return None
        return number

    def date(self, value, field_name, ref=None) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            text = value.strip()
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:
                match = _DMY.match(text)
                if match:
                    try:
                        day, month, year = (int(part) for part in match.groups())
                        return dt.date(year, month, day).isoformat()
                    except ValueError:
                        pass
        self.err(field_name, _("Expected a date (YYYY-MM-DD or dd/mm/yyyy), not '%(value)s'.") % {
            "value": str(value)[:40]}, ref)
        return None

    def time(self, value, field_name, ref=None) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            value = value.time()
        if isinstance(value, dt.time):
            return value.strftime("%H:%M:%S" if value.second else "%H:%M")
        match = _TIME_TEXT.match(value.strip()) if isinstance(value, str) else None
        if match:
            hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
            if hour < 24 and minute < 60 and second < 60:
                return dt.time(hour, minute, second).strftime("%H:%M:%S" if second else "%H:%M")
        self.err(field_name, _("Expected a time of day (HH:MM), not '%(value)s'.") % {"value": str(value)[:40]}, ref)
        return None

    def items(self, value, field_name) -> list[tuple[str, dict]]:
        if value is None or value == "":
            return []
        if not isinstance(value, list):
            self.err(field_name, _("Expected a list."))
            return []
        if len(value) > MAX_ITEMS:
            self.err(field_name, _("At most %(max)d items.") % {"max": MAX_ITEMS})
            return []
        out = []
        for position, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                self.err(f"{field_name}[{position}]", _("Expected an object with named fields."))
                continue
            item = dict(item)
            ref = item.pop("__ref__", None) or f"{self.ref} {field_name}[{position}]"
            out.append((ref, item))
        return out

    def unknown_keys(self, item: dict, allowed, ref=None) -> None:
        for key in item:
            if key not in allowed and key != "__ref__":
                self.warn(str(key)[:50], _("Unknown field ignored."), ref)


def validate_record(data: dict, ref: str, report: ImportReport) -> dict | None:
    """The canonical record for one raw record, or None when it has errors (all reported)."""
    errors_before = len(report.errors)
    raw_code = data.get("code")
    code = normalize_procedure_code(raw_code)
    c = _Checker(report, ref, code or (str(raw_code)[:40] if raw_code is not None else ""))
    if code is None:
        c.err("code", _("'%(value)s' is not a procedure code; use d.dddddd or d.dddddd.000.00.00.Hnn.") % {
            "value": str(raw_code)[:40] if raw_code is not None else ""})
    c.unknown_keys(data, RECORD_KEYS)
    rec: dict = {"code": code, "valid_from": c.date(data.get("valid_from"), "valid_from")}
    rec["status"] = c.choice(data.get("status") or ProcedureStatus.PUBLISHED, "status", STATUS_WORDS)
    if rec["status"] == ProcedureStatus.ABOLISHED:
        c.err("status", _("A procedure cannot be imported as abolished; abolish it in the catalogue."))
    rec["name"] = c.text(data.get("name"), "name", 1000, required=True, single_line=True)
    rec["field"] = c.text(data.get("field"), "field", 255, required=True, single_line=True)
    rec["field_code"] = c.text(data.get("field_code"), "field_code", 32, single_line=True) or None
    rec["levels"] = c.choice_list(data.get("levels"), "levels", LEVEL_WORDS)
    rec["applicant_types"] = c.choice_list(data.get("applicant_types"), "applicant_types", APPLICANT_WORDS)
    rec["agency_text"] = c.text(data.get("agency_text"), "agency_text", 2000)
    for key in ("steps", "method", "conditions"):
        rec[key] = c.text(data.get(key), key, 20_000)
    rec["durations"] = _durations(c, data.get("durations"))
    rec["cutoff_time"] = c.time(data.get("cutoff_time"), "cutoff_time")
    rec["cutoff_text"] = c.text(data.get("cutoff_text"), "cutoff_text", 2000)
    rec["fee_text"] = c.text(data.get("fee_text"), "fee_text", 5000)
    results = _results(c, data.get("results"))
    rec["result_is_document"] = c.boolean(
        data.get("result_is_document"), "result_is_document",
        default=any(r["is_document"] for r in results) if results else True,
    )
    rec["online_mode"] = c.choice(data.get("online_mode"), "online_mode", ONLINE_WORDS, required=False)
    rec["decision_number"] = c.text(data.get("decision_number"), "decision_number", 100, single_line=True)
    rec["decision_date"] = c.date(data.get("decision_date"), "decision_date")
    rec["national_publication_date"] = c.date(data.get("national_publication_date"), "national_publication_date")
    rec["notes"] = c.text_list(data.get("notes"), "notes", 2000)
    rec["source_urls"] = c.text_list(data.get("source_urls"), "source_urls", 1000, urls=True)
    given_reasons = c.text_list(data.get("review_reasons"), "review_reasons", 500)
    rec["components"] = _components(c, data.get("components"))
    rec["fees"] = _fees(c, data.get("fees"))
    rec["results"] = results
    rec["legal_basis"] = _legal_basis(c, data.get("legal_basis"))
    rec["implementations"] = _implementations(c, data.get("implementations"))
    if len(report.errors) > errors_before:
        return None
    rec["review_reasons"] = _review_reasons(c, rec, given_reasons)
    return {key: rec[key] for key in RECORD_KEYS}


def _durations(c: _Checker, value) -> list[dict]:
    from congso.catalog.models import CHANNEL_ORDER

    out: dict[str, dict] = {}
    for ref, item in c.items(value, "durations"):
        c.unknown_keys(item, DURATION_KEYS, ref)
        channel = c.choice(item.get("channel"), "channel", CHANNEL_WORDS, ref=ref)
        amount = c.decimal(item.get("amount"), "amount", ref=ref)
        unit = c.choice(item.get("unit"), "unit", UNIT_WORDS, required=amount is not None, ref=ref)
        inferred = c.boolean(item.get("unit_inferred"), "unit_inferred", False, ref=ref)
        if channel is None:
            continue
        if channel in out:
            c.err("channel", _("The channel '%(channel)s' is given twice.") % {"channel": channel}, ref)
            continue
        out[channel] = {"channel": channel, "amount": number_out(amount), "unit": unit, "unit_inferred": inferred}
    return [out[channel] for channel in CHANNEL_ORDER if channel in out]


def _components(c: _Checker, value) -> list[dict]:
    out = []
    for ref, item in c.items(value, "components"):
        c.unknown_keys(item, COMPONENT_KEYS, ref)
        out.append({
            "case": c.text(item.get("case"), "case", 500, single_line=True, ref=ref),
            "name": c.text(item.get("name"), "name", 4000, required=True, ref=ref),
            "originals": c.count(item.get("originals"), "originals", ref),
            "certified_copies": c.count(item.get("certified_copies"), "certified_copies", ref),
            "photocopies": c.count(item.get("photocopies"), "photocopies", ref),
            "required": c.boolean(item.get("required"), "required", True, ref),
            "template_name": c.text(item.get("template_name"), "template_name", 255, single_line=True, ref=ref),
            "must_be_digitized": c.boolean(item.get("must_be_digitized"), "must_be_digitized", False, ref),
        })
    return out


def _fees(c: _Checker, value) -> list[dict]:
    out = []
    for ref, item in c.items(value, "fees"):
        c.unknown_keys(item, FEE_KEYS, ref)
        out.append({
            "name": c.text(item.get("name"), "name", 500, required=True, single_line=True, ref=ref),
            "kind": c.choice(item.get("kind"), "kind", FEE_KIND_WORDS, ref=ref),
            "amount": c.money(item.get("amount"), "amount", ref),
            "online_amount": c.money(item.get("online_amount"), "online_amount", ref),
            "set_by_province": c.boolean(item.get("set_by_province"), "set_by_province", False, ref),
            "amount_override": c.money(item.get("amount_override"), "amount_override", ref),
            "description": c.text(item.get("description"), "description", 2000, ref=ref),
        })
    return out


def _results(c: _Checker, value) -> list[dict]:
    out = []
    for ref, item in c.items(value, "results"):
        c.unknown_keys(item, RESULT_KEYS, ref)
        name = c.text(item.get("name"), "name", 2000, required=True, single_line=True, ref=ref)
        code = c.text(item.get("code"), "code", 32, single_line=True, ref=ref)
        if not code:
            name, code = split_result_code(name)
        out.append({"name": name, "code": code, "is_document": c.boolean(item.get("is_document"), "is_document",
                                                                         True, ref)})
    return out


def _legal_basis(c: _Checker, value) -> list[dict]:
    out = []
    for ref, item in c.items(value, "legal_basis"):
        c.unknown_keys(item, LEGAL_BASIS_KEYS, ref)
        title = c.text(item.get("title"), "title", 2000, required=True, single_line=True, ref=ref)
        number = c.text(item.get("number"), "number", 100, single_line=True, ref=ref)
        out.append({
            "title": title,
            "number": number if item.get("number") is not None else legal_number(title),
            "issued_date": c.date(item.get("issued_date"), "issued_date", ref),
            "effective_date": c.date(item.get("effective_date"), "effective_date", ref),
        })
    return out


def _implementations(c: _Checker, value) -> list[dict]:
    out: dict[str, dict] = {}
    for ref, item in c.items(value, "implementations"):
        c.unknown_keys(item, IMPLEMENTATION_KEYS, ref)
        agency = c.text(item.get("agency"), "agency", 32, required=True, single_line=True, ref=ref)
        if agency:
            try:
                validate_agency_code(agency)
            except ValidationError:
                c.err("agency", _("'%(value)s' is not an agency identifier (QCVN 102).") % {"value": agency}, ref)
                agency = ""
        entry = {
            "agency": agency,
            "online_mode": c.choice(item.get("online_mode") or OnlineMode.NONE, "online_mode", ONLINE_WORDS, ref=ref),
            "level": c.choice(item.get("level"), "level", LEVEL_WORDS, required=False, ref=ref),
            "active": c.boolean(item.get("active"), "active", True, ref),
            "note": c.text(item.get("note"), "note", 500, single_line=True, ref=ref),
            "__ref__": ref,
        }
        if agency in out:
            c.err("agency", _("The agency %(agency)s is listed twice.") % {"agency": agency}, ref)
        elif agency:
            out[agency] = entry
    return sorted(out.values(), key=lambda entry: entry["agency"])


def _review_reasons(c: _Checker, rec: dict, given: list[str]) -> list[str]:
    """Reason codes for doubtful values (each also a warning), then the file's own reasons not already there."""
    found: list[tuple[str, str]] = []
    if any(d["unit_inferred"] for d in rec["durations"]):
        found.append((ReviewReason.UNIT_INFERRED, "durations"))
    if not any(d["amount"] is not None for d in rec["durations"]):
        found.append((ReviewReason.DURATION_UNKNOWN, "durations"))
    if any(_UNCERTAIN.search(text) for text in [*rec["notes"], rec["cutoff_text"]]):
        found.append((ReviewReason.UNCERTAIN, "notes"))
    if any(fee["set_by_province"] for fee in rec["fees"]) or _PROVINCE_FEE.search(rec["fee_text"]):
        found.append((ReviewReason.FEE_SET_BY_PROVINCE, "fees"))
    if any(fee["amount"] is None and not fee["set_by_province"] for fee in rec["fees"]):
        found.append((ReviewReason.FEE_AMOUNT_UNKNOWN, "fees"))
    if not rec["fees"] and not rec["fee_text"]:
        found.append((ReviewReason.FEE_UNKNOWN, "fees"))
    if any(comp["originals"] is None and comp["certified_copies"] is None and comp["photocopies"] is None
           for comp in rec["components"]):
        found.append((ReviewReason.COMPONENT_COUNT_UNKNOWN, "components"))
    if not rec["applicant_types"]:
        found.append((ReviewReason.APPLICANT_TYPES_UNKNOWN, "applicant_types"))
    if not rec["levels"]:
        found.append((ReviewReason.LEVELS_UNKNOWN, "levels"))
    elif rec["levels"] == [Level.DISTRICT]:
        found.append((ReviewReason.DISTRICT_LEVEL_ABOLISHED, "levels"))
    labels = dict(ReviewReason.choices)
    reasons = []
    for reason, field_name in found:
        c.warn(field_name, labels[reason])
        reasons.append(str(reason))
    for reason in given:
        if reason not in reasons:
            reasons.append(reason)
            if reason not in labels:
                c.warn("review_reasons", _("Marked for review in the file: %(reason)s") % {"reason": reason})
            else:
                c.warn("review_reasons", labels[reason])
    return reasons


def validate_records(raw_records: list[RawRecord], report: ImportReport) -> list[tuple[str, dict]]:
    """Validate every record; duplicates (by national code) are errors on the later row."""
    report.records += len(raw_records)
    seen: dict[str, str] = {}
    out = []
    for raw in raw_records:
        record = validate_record(raw.data, raw.ref, report)
        code = normalize_procedure_code(raw.data.get("code"))
        if code and code in seen:
            report.error(raw.ref, code, "code", _("Duplicate code: the procedure is already at %(row)s.") % {
                "row": seen[code]})
            continue
        if code:
            seen[code] = raw.ref
        if record is not None:
            out.append((raw.ref, record))
    return out


# --- planning and writing ---------------------------------------------------------------------------------------
@dataclass
class _Action:
    kind: str  # "create", "new_version" or "unchanged"
    ref: str
    record: dict
    procedure: object = None
    latest: object = None


def _version_prefetch():
    from congso.catalog.models import ProcedureVersion

    return Prefetch(
        "versions",
        queryset=ProcedureVersion.objects.select_related("field", "procedure").prefetch_related(
            "durations", "components", "fees", "results", "legal_basis", "implementations__agency"
        ),
    )


def _plan(records: list[tuple[str, dict]], report: ImportReport, *, lock: bool):
    from congso.catalog.models import Field, Procedure
    from congso.org.models import Agency

    codes = [record["code"] for _ref, record in records]
    procedures = Procedure.objects.filter(code__in=codes)
    if lock:
        procedures = procedures.select_for_update()
    existing = {p.code: p for p in procedures.prefetch_related(_version_prefetch())}

    agency_codes = {impl["agency"] for _ref, record in records for impl in record["implementations"]}
    agencies = {a.code: a for a in Agency.objects.filter(code__in=agency_codes)}
    for _ref, record in records:
        for impl in record["implementations"]:
            if impl["agency"] not in agencies:
                report.error(impl["__ref__"], record["code"], "agency", _("No agency has the identifier %(code)s.") % {
                    "code": impl["agency"]})

    fields = {f.name: f for f in Field.objects.filter(name__in={record["field"] for _ref, record in records})}
    field_codes = {f.code: f for f in Field.objects.filter(
        code__in={record["field_code"] for _ref, record in records if record["field_code"]})}
    for ref, record in records:
        other = field_codes.get(record["field_code"]) if record["field_code"] else None
        if other is not None and other.name != record["field"]:
            report.error(ref, record["code"], "field_code", _(
                "The field code %(code)s already belongs to the field '%(name)s'.") % {
                "code": record["field_code"], "name": other.name})

    actions = []
    for ref, record in records:
        procedure = existing.get(record["code"])
        if procedure is None:
            actions.append(_Action("create", ref, record))
            continue
        latest = procedure.latest_version()
        if latest is None:
            actions.append(_Action("new_version", ref, record, procedure, None))
            continue
        if content_of(version_to_record(latest)) == content_of(_comparable(record)):
            actions.append(_Action("unchanged", ref, record, procedure, latest))
            continue
        new_from = record["valid_from"]
        if new_from is None:
            report.error(ref, record["code"], "valid_from", _(
                "The procedure is already in the catalogue with other content; give the date the new version takes "
                "effect (valid_from)."))
        elif latest.valid_from is not None and dt.date.fromisoformat(new_from) <= latest.valid_from:
            report.error(ref, record["code"], "valid_from", _(
                "The new version must take effect after %(date)s, the start of version %(number)d.") % {
                "date": latest.valid_from.strftime("%d/%m/%Y"), "number": latest.number})
        else:
            actions.append(_Action("new_version", ref, record, procedure, latest))
    return actions, fields, agencies


def _comparable(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != "implementations"}


def _apply(actions, fields, agencies, report: ImportReport, user) -> None:
    from congso.catalog import services
    from congso.catalog.models import Field, Procedure

    for action in actions:
        record = action.record
        field_obj = fields.get(record["field"])
        if field_obj is None:
            field_obj = Field.objects.create(name=record["field"], code=record["field_code"])
            fields[field_obj.name] = field_obj
            report.fields_created.append(field_obj.name)
        elif record["field_code"] and not field_obj.code:
            field_obj.code = record["field_code"]
            field_obj.save(update_fields=["code", "search_text", "updated_at"])
        if action.kind == "create":
            procedure = Procedure.objects.create(code=record["code"], status=record["status"])
            version = services.write_version(procedure, 1, record, field_obj, user)
            report.created.append(record["code"])
        elif action.kind == "new_version":
            version = services.publish_validated(action.procedure, record, field_obj, user)
            report.new_versions.append(record["code"])
        else:
            version = action.latest
            report.overrides_updated += services.apply_fee_overrides(version, record["fees"])
            report.unchanged.append(record["code"])
        created, updated = services.upsert_implementations(version, record["implementations"], agencies)
        report.implementations_created += created
        report.implementations_updated += updated


def _check_permission(user) -> None:
    if user is not None and not user.has_perm("catalog.add_procedureversion"):
        raise PermissionDenied(_("You may not change the procedure catalogue."))


def import_catalogue(source, *, fmt: str | None = None, dry_run: bool = False, user=None,
                     name: str | None = None) -> ImportReport:
    """Import a catalogue file (path or binary file object, JSON or XLSX). All or nothing; see the module doc.

    `user` None means the system (management commands, the demo); a person needs the permission
    `catalog.add_procedureversion`.
    """
    _check_permission(user)
    report = ImportReport(source=name or str(getattr(source, "name", source)), dry_run=dry_run)
    raw_records = read_records(source, fmt, report)
    records = validate_records(raw_records, report)
    if report.has_errors:
        return report
    if dry_run:
        actions, _fields, _agencies = _plan(records, report, lock=False)
        _fill_plan(report, actions)
        return report
    try:
        with transaction.atomic():
            actions, fields, agencies = _plan(records, report, lock=True)
            if report.has_errors:
                return report
            _apply(actions, fields, agencies, report, user)
            report.written = True
    except IntegrityError:  # another import created the same procedure meanwhile; everything was rolled back
        report.created, report.new_versions, report.unchanged, report.fields_created = [], [], [], []
        report.error("file", "", "", _("The catalogue changed during the import; nothing was written. Try again."))
    return report


def _fill_plan(report: ImportReport, actions) -> None:
    if report.has_errors:
        return
    for action in actions:
        {"create": report.created, "new_version": report.new_versions, "unchanged": report.unchanged}[
            action.kind].append(action.record["code"])


def validate_version_data(data: dict, code: str) -> dict:
    """Validate data in the import format for one version; raise ValidationError listing every error."""
    report = ImportReport(source="data")
    record = validate_record({**data, "code": code}, "data", report)
    if record is None:
        raise ValidationError([f"{issue.field}: {issue.message}" for issue in report.errors])
    return record
