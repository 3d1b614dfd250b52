"""Import of in-flight and historical dossiers from another system (CSV, XLSX or JSON), all or nothing.

Every record is validated first; the report lists every problem with its row, dossier code, column and severity,
and nothing is written while it has an error. Otherwise the dossiers are written in one transaction with
`origin="import"`: the dossier, its participants, its processing log (as given, or a synthesised minimal one), its
clock stops and supplement requests, the timeliness verdict of the national rule (`congso.dossiers.timeliness`), and
the plan and current step of dossiers still in hand so that congso can carry on with them. Codes are kept exactly as
the other system issued them and are never issued again: a code of congso's own form `<agency>-<yymmdd>-<nnnn>` for
an agency that exists raises that agency's daily counter to at least the imported serial.

The formats and the rules are described in docs/legacy-import.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.accounts.models import AccountType, User
from congso.catalog.codes import normalize_procedure_code
from congso.catalog.models import Procedure
from congso.core.tabular import MAX_CELL, MAX_ROWS, ImportReport, RowProblem, TableError, read_rows
from congso.core.text import fold
from congso.core.validators import normalize_phone, validate_citizen_id, validate_phone, validate_tax_code
from congso.dossiers.choices import Action, ApplicantKind, Channel, Status, SyncState
from congso.dossiers.models import (
    ClockStop,
    Dossier,
    DossierCodeCounter,
    DossierParticipant,
    FinancialObligation,
    ProcessingEvent,
    SupplementRequest,
)
from congso.dossiers.services.common import clock_state, compute_due
from congso.dossiers.services.steps import build_plan, return_plan_index, start_step
from congso.dossiers.timeliness import judge
from congso.dossiers.transitions import TRANSITIONS
from congso.org.choices import AgencyKind
from congso.org.models import Agency, Membership
from congso.workcalendar.services import get_calendar

ORIGIN = "import"
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_LOG_ENTRIES = 1000
MAX_STOPS = 100
MAX_NOTE = 2000
MAX_LEGACY_CHARS = 20_000
BATCH = 500

# Canonical column names and the other names accepted for them (lower-case; the national portal's field names too).
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("mahoso", "ma_ho_so", "dossier_code"),
    "procedure": ("procedure_code", "matthc", "ma_tthc", "mathutuc"),
    "receiving_agency": ("receiving_agency_code",),
    "handling_agency": ("handling_agency_code", "donvixuly"),
    "current_agency": ("current_agency_code",),
    "channel": ("kenhthuchien",),
    "applicant_kind": ("loaidoituong",),
    "applicant_name": ("chuhoso",),
    "applicant_id_number": ("sogiaytochuhoso",),
    "applicant_phone": ("sodienthoai",),
    "applicant_email": ("email",),
    "applicant_address": ("diachi",),
    "summary": ("trichyeuhoso",),
    "submitted_at": ("ngaynophoso",),
    "received_at": ("ngaytiepnhan",),
    "due_at": ("ngayhentra",),
    "finished_at": ("ngayketthucxuly",),
    "returned_at": ("ngaytra",),
    "refused_at": ("ngaytuchoi",),
    "status": ("trangthaihoso",),
    "stops": (),
    "supplements": ("supplement_count",),
    "apology_due_at": ("ngayhentramoi",),
    "holder": ("holder_username",),
    "obligation_amount": (),
}
LOG_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("mahoso", "ma_ho_so", "dossier_code"),
    "at": ("thoidiemxuly",),
    "action": (),
    "status": ("trangthai",),
    "actor": ("nguoixuly",),
    "note": ("noidungxuly",),
}
_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in (name, *aliases)}
_LOG_ALIASES = {alias: name for name, aliases in LOG_COLUMNS.items() for alias in (name, *aliases)}
_LOG_SHEETS = {"log", "nhat ky", "nhat ky xu ly"}

_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._:/#()\-]{0,63}$")
_CONGSO_CODE = re.compile(r"^(?P<agency>.+)-(?P<day>\d{6})-(?P<serial>\d{4,9})$")
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!?][^<>]*>|<!--|javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_INTEGER = re.compile(r"^\d{1,15}$")

_CHANNELS = {
    "1": Channel.DIRECT, "direct": Channel.DIRECT, "truc tiep": Channel.DIRECT,
    "2": Channel.ONLINE, "online": Channel.ONLINE, "truc tuyen": Channel.ONLINE,
    "3": Channel.POSTAL, "postal": Channel.POSTAL, "buu chinh": Channel.POSTAL, "buu chinh cong ich": Channel.POSTAL,
}
_KINDS = {
    "person": ApplicantKind.PERSON, "individual": ApplicantKind.PERSON, "ca nhan": ApplicantKind.PERSON,
    "cong dan": ApplicantKind.PERSON, "organisation": ApplicantKind.ORGANISATION,
    "organization": ApplicantKind.ORGANISATION, "to chuc": ApplicantKind.ORGANISATION,
    "doanh nghiep": ApplicantKind.ORGANISATION,
}
_STOP_REASONS = {
    "": Action.REQUEST_SUPPLEMENT, "supplement": Action.REQUEST_SUPPLEMENT,
    Action.REQUEST_SUPPLEMENT: Action.REQUEST_SUPPLEMENT, "payment": Action.REQUEST_PAYMENT,
    Action.REQUEST_PAYMENT: Action.REQUEST_PAYMENT,
}
WAITING = {Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION}
OPEN = {Status.NEW, Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION}
NEEDS_RECEIPT = {Status.RECEIVED, Status.IN_PROGRESS, Status.FINANCIAL_OBLIGATION, Status.STOPPED, Status.RESOLVED,
                 Status.RETURNED}
NEEDS_END = {Status.WITHDRAWN, Status.STOPPED, Status.RESOLVED}
# The action that leads into a status, when the log names only the status.
_ACTION_INTO = {
    Status.NEW: Action.CREATE, Status.RECEIVED: Action.ACCEPT, Status.REFUSED: Action.REFUSE,
    Status.IN_PROGRESS: Action.FORWARD, Status.SUPPLEMENT_REQUESTED: Action.REQUEST_SUPPLEMENT,
    Status.FINANCIAL_OBLIGATION: Action.REQUEST_PAYMENT, Status.WITHDRAWN: Action.WITHDRAW, Status.STOPPED: Action.STOP,
    Status.RESOLVED: Action.COMPLETE, Status.RETURNED: Action.RETURN_RESULT,
}
_AT_RECEIVING = {Action.CREATE, Action.ACCEPT, Action.REFUSE, Action.RETURN_RESULT, Action.WITHDRAW}


# --- the report -----------------------------------------------------------------------------------------------------
@dataclass
class DossierProblem(RowProblem):
    code: str = ""

    def as_dict(self) -> dict:
        return {**super().as_dict(), "code": self.code}


@dataclass
class DossierImportReport(ImportReport):
    """The row-by-row report of `congso.core.tabular`, with the dossier code of each problem and what was done."""

    dry_run: bool = False
    rows: int = 0
    skipped: list[str] = field(default_factory=list)
    counters: list[dict] = field(default_factory=list)
    timeliness: dict[str, int] = field(default_factory=dict)

    def error(self, row: int, column: str, message, code: str = "") -> None:
        self.problems.append(DossierProblem(row, column, str(message), "error", code))

    def warning(self, row: int, column: str, message, code: str = "") -> None:
        self.problems.append(DossierProblem(row, column, str(message), "warning", code))

    def as_dict(self) -> dict:
        return {**super().as_dict(), "dry_run": self.dry_run, "rows": self.rows, "skipped": self.skipped,
                "counters_raised": self.counters, "timeliness": self.timeliness}

    def summary(self) -> str:
        head = super().summary().splitlines()[0]
        row_label = _("row")
        lines = [head, _("%(rows)d dossier(s) read.") % {"rows": self.rows}]
        if self.dry_run:
            lines.append(_("Dry run: nothing was written."))
        for p in self.problems:
            code = getattr(p, "code", "")
            lines.append(f"  [{p.severity}] {row_label} {p.row}{f' ({code})' if code else ''}, {p.column}: {p.message}")
        return "\n".join(lines)


# --- reading --------------------------------------------------------------------------------------------------------
@dataclass
class _Record:
    row: int
    values: dict[str, str]
    extra: dict
    stops: object = None  # text (CSV) or a list (JSON)
    log: list | None = None  # [(row, column prefix, {at, action, status, actor, note})]


class _Ctx:
    """Problems of one record, with its row and code."""

    def __init__(self, report: DossierImportReport, row: int, code: str = ""):
        self.report, self.row, self.code, self.bad = report, row, code, False

    def error(self, column: str, message, row: int | None = None) -> None:
        self.report.error(row or self.row, column, message, self.code)
        self.bad = True

    def warning(self, column: str, message, row: int | None = None) -> None:
        self.report.warning(row or self.row, column, message, self.code)


def _key(name) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def _scalar(value) -> str | None:
    """A JSON scalar as text; None for a list or an object."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value).strip()
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_rows(sheet) -> list[tuple[int, dict[str, str]]]:
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [_cell(h).lower() for h in next(rows)]
    except StopIteration as exc:
        raise TableError(_("The file is empty.")) from exc
    if not any(header):
        raise TableError(_("The file has no header row."))
    result = []
    for number, values in enumerate(rows, start=2):
        values = list(values)
        if not any(_cell(v) for v in values):
            continue
        if len(result) >= MAX_ROWS:
            raise TableError(_("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
        result.append((number, {name: _cell(values[i])[:MAX_CELL] if i < len(values) else ""
                                for i, name in enumerate(header) if name}))
    return result


def _read_xlsx(content: bytes) -> tuple[list[tuple[int, dict]], list[tuple[int, dict]] | None]:
    """The first sheet, and the processing log from a sheet named “log” or “nhật ký”. Date-time cells keep their
    time (the shared table reader keeps only the date)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise TableError(_("This is not a readable XLSX file.")) from exc
    sheets = workbook.worksheets
    if not sheets:
        raise TableError(_("The file is empty."))
    log_sheet = next((s for s in sheets[1:] if fold(s.title) in _LOG_SHEETS), None)
    return _sheet_rows(sheets[0]), (_sheet_rows(log_sheet) if log_sheet is not None else None)


def _read_table(content: bytes, filename: str) -> tuple[list[tuple[int, dict]], list[tuple[int, dict]] | None]:
    if Path(filename or "").suffix.lower() == ".xlsx" or content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    try:
        rows = read_rows(content, filename)
    except csv.Error as exc:
        raise TableError(_("The CSV file is malformed: %(error)s") % {"error": str(exc)[:200]}) from exc
    # The reader numbers nothing: the header is row 1, the data rows follow it.
    return list(enumerate(rows, start=2)), None


def _is_json(content: bytes, filename: str) -> bool:
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".json":
        return True
    return suffix not in (".csv", ".txt", ".xlsx") and content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _split(values: dict, aliases: dict[str, str]) -> tuple[dict[str, str], dict]:
    known, extra = {}, {}
    for name, value in values.items():
        canonical = aliases.get(_key(name))
        if canonical is not None:
            if canonical not in known or not known[canonical]:
                known[canonical] = value
        elif value not in ("", None, [], {}):
            extra[str(name)[:100]] = value
    return known, extra


def _read_json(content: bytes, report: DossierImportReport) -> list[_Record] | None:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        report.error(1, "-", _("This is not a readable JSON file (UTF-8)."))
        return None
    items = data.get("dossiers") if isinstance(data, dict) else data
    if not isinstance(items, list):
        report.error(1, "dossiers", _('A JSON file holds {"dossiers": [ … ]}.'))
        return None
    if len(items) > MAX_ROWS:
        report.error(1, "dossiers", _("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
        return None
    records = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            report.error(index, "-", _("Each dossier must be a JSON object."))
            continue
        log, stops = item.get("log"), item.get("stops")
        rest = {k: v for k, v in item.items() if k not in ("log", "stops")}
        known, extra = _split(rest, _ALIASES)
        values = {name: _scalar(value) for name, value in known.items()}
        not_scalar = [name for name, text in values.items() if text is None]
        for name in not_scalar:
            report.error(index, name, _("This field must be a single value."), values.get("code") or "")
        if not_scalar:
            continue
        log_items = None
        if log is not None:
            if not isinstance(log, list):
                report.error(index, "log", _("The log must be a list."), values.get("code", ""))
            else:
                log_items = []
                for number, entry in enumerate(log[: MAX_LOG_ENTRIES + 1], start=1):
                    if not isinstance(entry, dict):
                        report.error(index, f"log[{number}]", _("Each log entry must be a JSON object."),
                                     values.get("code", ""))
                        continue
                    entry_values, _extra = _split(entry, _LOG_ALIASES)
                    log_items.append((index, f"log[{number}].", {k: _scalar(v) or "" for k, v in entry_values.items()}))
        records.append(_Record(index, values, extra, stops, log_items))
    return records


def _read(content: bytes, filename: str, log_content: bytes | None, log_filename: str,
          report: DossierImportReport) -> list[_Record] | None:
    if len(content) > MAX_FILE_BYTES or (log_content and len(log_content) > MAX_FILE_BYTES):
        report.error(1, "-", _("The file is larger than %(n)d MB.") % {"n": MAX_FILE_BYTES // (1024 * 1024)})
        return None
    if not content.strip():
        report.error(1, "-", _("The file is empty."))
        return None
    if _is_json(content, filename):
        records = _read_json(content, report)
        if records is None:
            return None
        log_rows = None
    else:
        try:
            rows, log_rows = _read_table(content, filename)
        except TableError as exc:
            report.error(1, "-", str(exc))
            return None
        if rows:
            missing = [c for c in ("code", "status") if c not in {_ALIASES.get(_key(k)) for k in rows[0][1]}]
            for column in missing:
                report.error(1, column, _("Column '%(column)s' is missing.") % {"column": column})
            if missing:
                return None
        records = []
        for number, row in rows:
            values, extra = _split(row, _ALIASES)
            records.append(_Record(number, values, extra, values.pop("stops", "")))
    if log_content is not None:
        try:
            table, _unused = _read_table(log_content, log_filename or "log.csv")
        except TableError as exc:
            report.error(1, "log", str(exc))
            return None
        log_rows = table
    if log_rows is not None and not _attach_log(records, log_rows, report):
        return None
    if not records:
        if report.ok:
            report.error(1, "-", _("The file has no data rows."))
        return None
    return records


def _attach_log(records: list[_Record], log_rows, report: DossierImportReport) -> bool:
    """Attach the rows of a log table to their dossiers by code; False when the table lacks a column."""
    if log_rows:
        present = {_LOG_ALIASES.get(_key(k)) for k in log_rows[0][1]}
        missing = [c for c in ("code", "at") if c not in present]
        if "action" not in present and "status" not in present:
            missing.append("status")
        for column in missing:
            report.error(1, f"log.{column}", _("Column '%(column)s' is missing.") % {"column": column})
        if missing:
            return False
    by_code: dict[str, _Record] = {}
    for record in records:
        by_code.setdefault((record.values.get("code") or "").strip(), record)
    inline = {id(r) for r in records if r.log is not None}
    for number, row in log_rows:
        values, _extra = _split(row, _LOG_ALIASES)
        code = (values.get("code") or "").strip()[:64]
        record = by_code.get(code) if code else None
        if record is None:
            report.error(number, "log.code", _("The log names dossier %(code)s, which is not in the file.")
                         % {"code": code}, code)
            continue
        if id(record) in inline:
            report.error(number, "log.code", _("Dossier %(code)s has its log in the file already.") % {"code": code},
                         code)
            continue
        if record.log is None:
            record.log = []
        record.log.append((number, "log.", values))
    return True


# --- values ---------------------------------------------------------------------------------------------------------
def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def parse_instant(value: str) -> dt.datetime:
    """An ISO 8601 date and time (with or without offset; local time when absent) or `dd/mm/yyyy HH:MM[:SS]`, as an
    aware datetime. Raises ValueError for anything else (a date without a time included)."""
    text = (value or "").strip()
    match = _DMY.match(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    elif _ISO.match(text):
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    else:
        raise ValueError(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone())
    return moment


def _instant(ctx: _Ctx, column: str, value: str, now: dt.datetime, *, future_ok: bool = False,
             row: int | None = None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = parse_instant(value)
    except (ValueError, OverflowError):
        ctx.error(column, _("'%(value)s' is not a date and time (yyyy-mm-ddTHH:MM[+07:00] or dd/mm/yyyy HH:MM).")
                  % {"value": value[:40]}, row)
        return None
    if not future_ok and moment > now + dt.timedelta(minutes=1):
        ctx.error(column, _("The time cannot be in the future."), row)
        return None
    return moment


def _text(ctx: _Ctx, column: str, value, limit: int, *, required: bool = False, row: int | None = None) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        if required:
            ctx.error(column, _("This field is required."), row)
        return ""
    if _HTML.search(value) or _CONTROL.search(value):
        ctx.error(column, _("Text may not contain HTML markup or control characters."), row)
        return ""
    if len(value) > limit:
        ctx.error(column, _("The text is too long (at most %(n)d characters).") % {"n": limit}, row)
        return ""
    return value


def _integer(ctx: _Ctx, column: str, value: str, maximum: int) -> int | None:
    if not value:
        return None
    if not _INTEGER.match(value) or int(value) > maximum:
        ctx.error(column, _("Give a whole number from 0 to %(n)d.") % {"n": maximum})
        return None
    return int(value)


def _status(ctx: _Ctx, column: str, value: str, row: int | None = None) -> int | None:
    if value and _INTEGER.match(value) and int(value) in Status.values:
        return int(value)
    ctx.error(column, _("The status is one of the national codes 1 to 10."), row)
    return None


def _check_legacy(ctx: _Ctx, extra: dict) -> dict:
    """The other system's fields with no column here: kept, without markup, within a size limit."""
    try:
        text = json.dumps(extra, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        ctx.error("-", _("The extra fields cannot be stored."))
        return {}
    if len(text) > MAX_LEGACY_CHARS:
        ctx.error("-", _("The extra fields are too long (at most %(n)d characters in all).") % {"n": MAX_LEGACY_CHARS})
        return {}
    for column, value in extra.items():
        stack = [column, value]
        while stack:  # every key and text inside, however nested (bounded by the size limit above)
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str) and (_HTML.search(item) or _CONTROL.search(item)):
                ctx.error(str(column)[:100], _("Text may not contain HTML markup or control characters."))
                return {}
    return json.loads(text)


# --- one dossier ------------------------------------------------------------------------------------------------------
@dataclass
class _Event:
    action: str
    from_status: int | None
    to_status: int
    at: dt.datetime
    actor_name: str = ""
    reason: str = ""
    synthesised: bool = False


@dataclass
class _Stop:
    start: dt.datetime
    end: dt.datetime | None
    reason: str


@dataclass
class _Plan:
    """Everything to write for one dossier, checked."""

    row: int
    dossier: Dossier
    events: list[_Event]
    stops: list[_Stop]
    holder: User | None = None
    holder_membership: Membership | None = None
    obligation_amount: int | None = None
    supplement_from_status: int = Status.IN_PROGRESS
    step_started_at: dt.datetime | None = None
    current_given: bool = False
    counter: tuple | None = None


@dataclass
class _Lookups:
    procedures: dict
    agencies: dict
    users: dict
    memberships: dict
    existing: set
    now: dt.datetime


def _channel(ctx: _Ctx, value: str) -> str | None:
    if not value:
        return Channel.DIRECT  # the national portal counts a missing channel as direct
    channel = _CHANNELS.get(fold(value))
    if channel is None:
        ctx.error("channel", _("The channel is 1, 2 or 3 (direct, online, postal)."))
    return channel


def _applicant(ctx: _Ctx, values: dict) -> dict:
    name = _text(ctx, "applicant_name", values.get("applicant_name"), 255, required=True)
    number = (values.get("applicant_id_number") or "").strip()
    raw_kind = values.get("applicant_kind", "")
    kind = _KINDS.get(fold(raw_kind)) if raw_kind else (
        ApplicantKind.ORGANISATION if re.match(r"^\d{10}(-\d{3})?$", number) else ApplicantKind.PERSON)
    if kind is None:
        ctx.error("applicant_kind", _("The applicant kind is person or organisation."))
        kind = ApplicantKind.PERSON
    if number:
        try:
            (validate_tax_code if kind == ApplicantKind.ORGANISATION else validate_citizen_id)(number)
        except ValidationError as exc:
            ctx.error("applicant_id_number", exc.messages[0])
            number = ""
    phone = (values.get("applicant_phone") or "").strip()
    if phone:
        try:
            validate_phone(phone)
            phone = normalize_phone(phone)
        except ValidationError as exc:
            ctx.error("applicant_phone", exc.messages[0])
            phone = ""
    email = _text(ctx, "applicant_email", values.get("applicant_email"), 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            ctx.error("applicant_email", _("Enter a valid e-mail address."))
            email = ""
    return {
        "applicant_kind": kind, "applicant_name": name, "applicant_id_number": number, "applicant_phone": phone,
        "applicant_email": email, "applicant_address": _text(ctx, "applicant_address", values.get("applicant_address"), 500),
        "summary": _text(ctx, "summary", values.get("summary"), 500),
    }


def _pin_version(ctx: _Ctx, procedure: Procedure, submitted: dt.datetime):
    version = procedure.version_on(submitted)
    if version is not None:
        return version
    versions = list(procedure.versions.all())  # prefetched
    if not versions:
        ctx.error("procedure", _("The procedure %(code)s has no version in the catalogue.") % {"code": procedure.code})
        return None
    day = timezone.localtime(submitted).date()

    def distance(v) -> int:
        if v.valid_from and day < v.valid_from:
            return (v.valid_from - day).days
        if v.valid_to and day >= v.valid_to:
            return (day - v.valid_to).days + 1
        return 0

    version = min(versions, key=lambda v: (distance(v), -v.number))
    ctx.warning("procedure", _("No version of %(code)s was in force on %(day)s; version %(n)d, the nearest, is kept.")
                % {"code": procedure.code, "day": day.strftime("%d/%m/%Y"), "n": version.number})
    return version


def _parse_stops(ctx: _Ctx, raw, now: dt.datetime) -> list[_Stop] | None:
    """Stops as given: CSV `from|to[|reason]; …`, JSON [{from, to, reason}]; None when none are given."""
    if raw in (None, "", []):
        return None
    items = []
    if isinstance(raw, str):
        for part in [p for p in raw.split(";") if p.strip()]:
            pieces = [p.strip() for p in part.split("|")]
            if len(pieces) > 3:
                ctx.error("stops", _("Write each stop as from|to|reason, separated by ';'."))
                return None
            items.append({"from": pieces[0], "to": pieces[1] if len(pieces) > 1 else "",
                          "reason": pieces[2] if len(pieces) > 2 else ""})
    elif isinstance(raw, list):
        items = raw
    else:
        ctx.error("stops", _("The stops must be a list of {from, to}."))
        return None
    if len(items) > MAX_STOPS:
        ctx.error("stops", _("At most %(n)d stops per dossier.") % {"n": MAX_STOPS})
        return None
    stops = []
    for item in items:
        if not isinstance(item, dict):
            ctx.error("stops", _("The stops must be a list of {from, to}."))
            return None
        start = _instant(ctx, "stops", _scalar(item.get("from")) or "", now)
        end = _instant(ctx, "stops", _scalar(item.get("to")) or "", now)
        reason = _STOP_REASONS.get(fold(_scalar(item.get("reason")) or ""))
        if reason is None:
            ctx.error("stops", _("A stop's reason is supplement or payment."))
            return None
        if start is None:
            if not ctx.bad:
                ctx.error("stops", _("Each stop needs its start."))
            return None
        stops.append(_Stop(start, end, reason))
    return sorted(stops, key=lambda s: s.start)


def _log(ctx: _Ctx, items: list, status: int, submitted: dt.datetime | None, now: dt.datetime) -> list[_Event] | None:
    if len(items) > MAX_LOG_ENTRIES:
        ctx.error("log", _("At most %(n)d log entries per dossier.") % {"n": MAX_LOG_ENTRIES})
        return None
    events: list[_Event] = []
    previous: int | None = None
    before_wait: int | None = None
    for row, prefix, entry in items:
        row = row if prefix == "log." else None
        at = _instant(ctx, f"{prefix}at", entry.get("at", ""), now, row=row)
        if at is None:
            if not entry.get("at"):
                ctx.error(f"{prefix}at", _("This field is required."), row)
            return None
        if submitted and at < submitted:
            ctx.error(f"{prefix}at", _("A log entry cannot be earlier than the submission."), row)
        if events and at < events[-1].at:
            ctx.error(f"{prefix}at", _("The log entries must be in time order."), row)
        action = (entry.get("action") or "").strip().lower()
        if action and action not in Action.values:
            ctx.error(f"{prefix}action", _("Unknown action %(action)s.") % {"action": action[:40]}, row)
            return None
        to_status = _status(ctx, f"{prefix}status", entry["status"], row) if entry.get("status") else None
        if entry.get("status") and to_status is None:
            return None
        if to_status is None:
            if not action:
                ctx.error(f"{prefix}status", _("Give the action or the status of each log entry."), row)
                return None
            rule = TRANSITIONS.get(action)
            if action == Action.CREATE:
                to_status = Status.NEW
            elif rule is not None and rule.to_status is not None:
                to_status = rule.to_status
            elif action == Action.SUPPLY:
                to_status = before_wait or Status.IN_PROGRESS
            elif action == Action.RECORD_PAYMENT and previous == Status.FINANCIAL_OBLIGATION:
                to_status = Status.IN_PROGRESS
            elif previous is not None:
                to_status = previous
            else:
                ctx.error(f"{prefix}status", _("The first log entry needs its status."), row)
                return None
        if not action:
            action = _ACTION_INTO[to_status]
            if to_status in (Status.RECEIVED, Status.IN_PROGRESS) and previous == Status.SUPPLEMENT_REQUESTED:
                action = Action.SUPPLY
            elif to_status == Status.IN_PROGRESS and previous == Status.FINANCIAL_OBLIGATION:
                action = Action.RECORD_PAYMENT
        if to_status in WAITING and previous not in WAITING:
            before_wait = previous
        actor = _text(ctx, f"{prefix}actor", entry.get("actor"), 255, row=row)
        note = _text(ctx, f"{prefix}note", entry.get("note"), MAX_NOTE, row=row)
        events.append(_Event(action, previous, to_status, at, actor, note))
        previous = to_status
    if events and events[-1].to_status != status:
        ctx.error("log", _("The log ends in status %(log)d but the dossier's status is %(status)d.")
                  % {"log": events[-1].to_status, "status": status})
    return events


def _stops_from_log(events: list[_Event], received: dt.datetime | None) -> tuple[list[_Stop], int]:
    """Clock stops and supplement requests read from the log: from entering status 5 or 6 until leaving it."""
    stops: list[_Stop] = []
    supplements = 0
    current: _Stop | None = None
    for event in events:
        if current is not None and event.to_status != event.from_status:
            current.end = event.at
            current = None
        if event.to_status in WAITING and event.from_status != event.to_status and received and event.at >= received:
            reason = Action.REQUEST_SUPPLEMENT if event.to_status == Status.SUPPLEMENT_REQUESTED else Action.REQUEST_PAYMENT
            current = _Stop(event.at, None, reason)
            stops.append(current)
            supplements += event.to_status == Status.SUPPLEMENT_REQUESTED
    return stops, supplements


def _synthesise(status: int, d: Dossier, stops: list[_Stop]) -> list[_Event]:
    """The minimal log: creation, receipt, the stops, and the way to the status the other system gave."""
    events = [_Event(Action.CREATE, None, Status.NEW, d.submitted_at, synthesised=True)]
    current = Status.NEW
    if d.received_at:
        events.append(_Event(Action.ACCEPT, current, Status.RECEIVED, d.received_at, synthesised=True))
        current = Status.RECEIVED
        if status in (Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION, Status.RESOLVED,
                      Status.RETURNED):
            events.append(_Event(Action.FORWARD, current, Status.IN_PROGRESS, d.received_at, synthesised=True))
            current = Status.IN_PROGRESS
    for stop in stops:
        waiting = Status.SUPPLEMENT_REQUESTED if stop.reason == Action.REQUEST_SUPPLEMENT else Status.FINANCIAL_OBLIGATION
        events.append(_Event(stop.reason, current, waiting, stop.start, synthesised=True))
        if stop.end is not None:
            back = Action.SUPPLY if waiting == Status.SUPPLEMENT_REQUESTED else Action.RECORD_PAYMENT
            events.append(_Event(back, waiting, current, stop.end, synthesised=True))
        else:
            current = waiting
    if status == Status.SUPPLEMENT_REQUESTED and current != status:
        events.append(_Event(Action.REQUEST_SUPPLEMENT, current, status, d.submitted_at, synthesised=True))
    elif status == Status.REFUSED:
        events.append(_Event(Action.REFUSE, current, status, d.refused_at, synthesised=True))
    elif status in (Status.WITHDRAWN, Status.STOPPED, Status.RESOLVED, Status.RETURNED):
        action = {Status.WITHDRAWN: Action.WITHDRAW, Status.STOPPED: Action.STOP}.get(status, Action.COMPLETE)
        events.append(_Event(action, current, Status.RESOLVED if action == Action.COMPLETE else status,
                             d.finished_at, synthesised=True))
        if status == Status.RETURNED:
            events.append(_Event(Action.RETURN_RESULT, Status.RESOLVED, status, d.returned_at, synthesised=True))
    return events


def _check_stops(ctx: _Ctx, stops: list[_Stop], status: int, d: Dossier) -> None:
    if stops and d.received_at is None:
        ctx.error("stops", _("The clock stops only after receipt: give received_at."))
        return
    for index, stop in enumerate(stops):
        if stop.start < d.received_at:
            ctx.error("stops", _("A stop cannot start before receipt."))
        if stop.end is not None and stop.end < stop.start:
            ctx.error("stops", _("A stop cannot end before it starts."))
        if d.finished_at and (stop.end or stop.start) > d.finished_at:
            ctx.error("stops", _("A stop cannot run past the end of handling."))
        if index and (stops[index - 1].end is None or stops[index - 1].end > stop.start):
            ctx.error("stops", _("The stops overlap, or an unfinished stop is not the last one."))
    last = stops[-1] if stops else None
    if status in WAITING and d.received_at:
        wanted = Action.REQUEST_SUPPLEMENT if status == Status.SUPPLEMENT_REQUESTED else Action.REQUEST_PAYMENT
        if last is None or last.end is not None or last.reason != wanted:
            ctx.error("stops", _("A dossier waiting for the applicant (status %(status)d) needs an unfinished stop of "
                                 "that kind.") % {"status": status})
    elif last is not None and last.end is None and status not in (Status.WITHDRAWN, Status.STOPPED):
        ctx.error("stops", _("Only a dossier waiting for the applicant, withdrawn or stopped has an unfinished stop."))


def _dates(ctx: _Ctx, values: dict, status: int, now: dt.datetime) -> dict | None:
    at = {name: _instant(ctx, name, values.get(name, ""), now, future_ok=name in ("due_at", "apology_due_at"))
          for name in ("submitted_at", "received_at", "due_at", "finished_at", "returned_at", "refused_at",
                       "apology_due_at")}
    if ctx.bad:
        return None
    at["flags"] = []
    if at["submitted_at"] is None:
        if at["received_at"] is None:
            ctx.error("submitted_at", _("Give submitted_at (or at least received_at)."))
            return None
        at["submitted_at"] = at["received_at"]
        at["flags"].append("submitted_from_received")
        ctx.warning("submitted_at", _("No submission time: the receipt time is used."))
    if status == Status.REFUSED:
        if at["refused_at"] is None and at["finished_at"] is not None:
            at["refused_at"] = at["finished_at"]
        if at["refused_at"] is None:
            ctx.error("refused_at", _("Status 3 (not received) needs refused_at."))
        if at["received_at"] is not None:
            ctx.warning("received_at", _("A dossier that was not received has no receipt time; the value is kept with "
                                         "the other system's data only."))
            at["legacy_received_at"], at["received_at"] = at["received_at"], None
        at["finished_at"] = at["finished_at"] or at["refused_at"]
    elif at["refused_at"] is not None:
        ctx.error("refused_at", _("Only a dossier with status 3 has a refusal time."))
    if status in NEEDS_RECEIPT and at["received_at"] is None:
        ctx.error("received_at", _("Status %(status)d needs received_at.") % {"status": status})
    if status == Status.NEW and at["received_at"] is not None:
        ctx.error("received_at", _("A new dossier (status 1) has not been received yet."))
    if status in OPEN and (at["finished_at"] or at["returned_at"]):
        ctx.error("finished_at" if at["finished_at"] else "returned_at",
                  _("A dossier still in hand (status %(status)d) has no end of handling or return.") % {"status": status})
    if status in NEEDS_END and at["finished_at"] is None:
        ctx.error("finished_at", _("Status %(status)d needs finished_at.") % {"status": status})
    if status == Status.RETURNED:
        if at["returned_at"] is None:
            ctx.error("returned_at", _("Status 10 (result returned) needs returned_at."))
        elif at["finished_at"] is None:
            at["finished_at"] = at["returned_at"]
            at["flags"].append("finished_from_returned")
            ctx.warning("finished_at", _("No end of handling: the return time is used."))
    elif at["returned_at"] is not None and status not in OPEN:
        ctx.error("returned_at", _("Only a dossier with status 10 has a return time."))
    order = [("received_at", "submitted_at"), ("finished_at", "received_at"), ("finished_at", "submitted_at"),
             ("returned_at", "finished_at"), ("refused_at", "submitted_at"), ("due_at", "received_at"),
             ("apology_due_at", "due_at")]
    for later, earlier in order:
        if at.get(later) and at.get(earlier) and at[later] < at[earlier]:
            ctx.error(later, _("%(later)s cannot be earlier than %(earlier)s.") % {"later": later, "earlier": earlier})
    if at["apology_due_at"] and not at["due_at"]:
        ctx.error("apology_due_at", _("A new appointment needs the original one (due_at)."))
    return None if ctx.bad else at


def _check_record(record: _Record, report: DossierImportReport, lk: _Lookups) -> _Plan | None:
    values = record.values
    code = (values.get("code") or "").strip()
    ctx = _Ctx(report, record.row, code[:64])
    if not code:
        ctx.error("code", _("The dossier code is required."))
    elif len(code) > 64 or not _CODE.match(code):
        ctx.error("code", _("A dossier code has at most 64 letters, digits and . _ - / : # ( ), with no spaces."))
    status = _status(ctx, "status", values.get("status", ""))
    channel = _channel(ctx, values.get("channel", ""))
    applicant = _applicant(ctx, values)
    legacy = _check_legacy(ctx, record.extra)
    supplements = _integer(ctx, "supplements", values.get("supplements", ""), 100)
    obligation = _integer(ctx, "obligation_amount", values.get("obligation_amount", ""), 10**13)

    procedure = None
    raw_procedure = (values.get("procedure") or "").strip()
    national = normalize_procedure_code(raw_procedure)
    if not raw_procedure:
        ctx.error("procedure", _("This field is required."))
    elif national is None:
        ctx.error("procedure", _("A procedure code has the form d.dddddd, or its local form d.dddddd.000.00.00.Hnn."))
    else:
        procedure = lk.procedures.get(national)
        if procedure is None:
            ctx.error("procedure", _("Unknown procedure %(code)s.") % {"code": raw_procedure[:40]})
    agencies = {}
    for column in ("handling_agency", "receiving_agency", "current_agency"):
        value = (values.get(column) or "").strip()
        if not value:
            if column == "handling_agency":
                ctx.error(column, _("This field is required."))
            continue
        agencies[column] = lk.agencies.get(value)
        if agencies[column] is None:
            ctx.error(column, _("Unknown agency %(code)s.") % {"code": value[:40]})
    if status is None:
        return None
    if status in OPEN:  # still to be handled: by agencies that exist today
        today = timezone.localdate(lk.now)
        for column, agency in agencies.items():
            if agency is not None and agency.valid_to and agency.valid_to <= today:
                ctx.error(column, _("The agency no longer exists on that date."))
    at = _dates(ctx, values, status, lk.now)
    if at is None or ctx.bad:
        return None

    handling = agencies["handling_agency"]
    receiving = agencies.get("receiving_agency") or handling
    if receiving != handling and receiving.kind != AgencyKind.SERVICE_CENTRE:
        ctx.warning("receiving_agency", _("Only a public administration service centre may receive for another agency."))
    version = _pin_version(ctx, procedure, at["submitted_at"])
    if version is None:
        return None
    implementations = [i for i in version.implementations.all() if i.agency_id == handling.pk and i.active]
    if not implementations:
        historical = status not in OPEN or not version.is_in_force(timezone.localdate(lk.now))
        (ctx.warning if historical else ctx.error)(
            "handling_agency", _("This agency does not carry out the procedure."))
    elif channel == Channel.ONLINE and implementations[0].online_mode == "none":
        ctx.warning("channel", _("This procedure is not offered online by this agency."))

    duration = version.duration_for(channel)
    dossier = Dossier(
        code=code, status=status, channel=channel, procedure=procedure, procedure_version=version,
        receiving_agency=receiving, handling_agency=handling, origin=ORIGIN, sync_state=SyncState.NOT_REQUIRED,
        duration=duration.amount if duration else None, duration_unit=duration.unit if duration else "",
        cutoff=version.cutoff_time, submitted_at=at["submitted_at"], received_at=at["received_at"],
        due_at=at["due_at"], finished_at=at["finished_at"], returned_at=at["returned_at"],
        refused_at=at["refused_at"], extended_due_at=at["apology_due_at"],
        extension_count=1 if at["apology_due_at"] else 0,
        resolved_at=at["finished_at"] if status in (Status.RESOLVED, Status.RETURNED) else None,
        **{**applicant, "summary": applicant["summary"] or version.name[:500]},
    )
    flags = at["flags"]
    if status == Status.FINANCIAL_OBLIGATION:
        dossier.fee_due = obligation or 0
    if dossier.received_at:
        start, computed = compute_due(dossier.received_at, dossier.duration, dossier.duration_unit, dossier.cutoff)
        dossier.effective_start = start
        if dossier.due_at is None:
            dossier.due_at = computed
            if computed is None:
                flags.append("no_time_limit")
                ctx.warning("due_at", _("No appointment given and the procedure has no time limit: timeliness is not "
                                        "judged."))
            else:
                flags.append("due_computed")
                ctx.warning("due_at", _("No appointment given: computed from the procedure's time limit as "
                                        "%(due)s.") % {"due": timezone.localtime(computed).strftime("%d/%m/%Y %H:%M")})
    if at.get("legacy_received_at"):
        legacy["received_at"] = at["legacy_received_at"].isoformat()
    if not version.is_in_force(timezone.localtime(dossier.submitted_at).date()):
        flags.append("version_not_in_force")
    if not implementations:
        flags.append("agency_not_implementing")

    # Stops, log, supplements.
    stops = _parse_stops(ctx, record.stops, lk.now)
    events = None
    log_supplements = 0
    if record.log is not None:
        events = _log(ctx, record.log, status, dossier.submitted_at, lk.now)
        if events is not None and stops is None:
            stops, log_supplements = _stops_from_log(events, dossier.received_at)
    if ctx.bad:
        return None
    stops = stops or []
    _check_stops(ctx, stops, status, dossier)
    supplement_stops = sum(s.reason == Action.REQUEST_SUPPLEMENT for s in stops)
    if supplements is None:
        supplements = max(supplement_stops, log_supplements)
    elif supplements < supplement_stops:
        ctx.error("supplements", _("Fewer supplement requests than supplement stops (%(n)d).") % {"n": supplement_stops})
    if ctx.bad:
        return None
    dossier.supplement_count = supplements
    dossier.waiting_seconds = int(sum(((s.end - s.start).total_seconds() for s in stops if s.end), 0))
    dossier.waiting_since = stops[-1].start if stops and stops[-1].end is None else None
    if events is None:
        events = _synthesise(status, dossier, stops)
        flags.append("log_synthesised")

    # Where it is and who holds it.
    current = agencies.get("current_agency") or (
        handling if dossier.received_at and status in (Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED,
                                                       Status.FINANCIAL_OBLIGATION, Status.STOPPED) else receiving)
    dossier.current_agency = current
    holder = membership = None
    username = (values.get("holder") or "").strip()
    if username:
        holder = lk.users.get(username.lower())
        membership = lk.memberships.get((holder.pk, current.pk)) if holder else None
        if holder is None or holder.account_type != AccountType.STAFF or membership is None:
            ctx.error("holder", _("%(user)s is not a staff member of %(agency)s.")
                      % {"user": username[:150], "agency": current.code})
            return None
        if status not in (Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED,
                          Status.FINANCIAL_OBLIGATION, Status.RESOLVED):
            ctx.warning("holder", _("Only a dossier in hand has a holder; the holder is not kept."))
            holder = membership = None
    if status == Status.FINANCIAL_OBLIGATION and obligation is None:
        ctx.warning("obligation_amount", _("The amount of the financial obligation is not given; record it before a "
                                           "payment."))

    # Timeliness now, as the rule judges it (the current appointment moved by the closed stops).
    dossier.current_due_at = dossier.due_at
    closed = [(s.start, s.end) for s in stops if s.end]
    if dossier.due_at and dossier.duration_unit and closed:
        dossier.current_due_at = get_calendar().shift_by_stops(dossier.due_at, closed, dossier.duration_unit)
    dossier.timeliness = judge(clock_state(dossier), max(lk.now, dossier.finished_at or lk.now))
    dossier.timeliness_at = lk.now
    dossier.search_text = fold(f"{code} {dossier.applicant_name} {dossier.applicant_id_number}")[:400]
    dossier.legacy_data = {
        "fields": legacy,
        "import": {"at": lk.now.isoformat(), "flags": flags, "log_entries": len(record.log or [])},
    }
    before_wait = next((e.from_status for e in reversed(events) if e.to_status in WAITING
                        and e.from_status not in WAITING and e.from_status is not None), None)
    plan = _Plan(record.row, dossier, events, stops, holder, membership, obligation,
                 supplement_from_status=before_wait or Status.IN_PROGRESS,
                 step_started_at=events[-1].at if events else dossier.received_at,
                 current_given="current_agency" in agencies)
    match = _CONGSO_CODE.match(code)
    if match and match.group("agency") in lk.agencies:
        try:
            day = dt.datetime.strptime(match.group("day"), "%y%m%d").date()
        except ValueError:
            day = None
        if day is not None:
            plan.counter = (lk.agencies[match.group("agency")], day, int(match.group("serial")))
    return plan


# --- the whole file ---------------------------------------------------------------------------------------------------
def _lookups(records: list[_Record], now: dt.datetime) -> _Lookups:
    codes = {(r.values.get("code") or "").strip() for r in records} - {""}
    procedure_codes = {normalize_procedure_code((r.values.get("procedure") or "").strip()) for r in records} - {None}
    agency_codes = {(r.values.get(c) or "").strip() for r in records
                    for c in ("handling_agency", "receiving_agency", "current_agency")}
    agency_codes |= {m.group("agency") for m in map(_CONGSO_CODE.match, codes) if m}
    usernames = {(r.values.get("holder") or "").strip().lower() for r in records} - {""}

    procedures, agencies, users, existing = {}, {}, {}, set()
    for chunk in _chunks(sorted(procedure_codes)):
        for p in Procedure.objects.filter(code__in=chunk).prefetch_related(
                "versions__durations", "versions__implementations"):
            procedures[p.code] = p
    for chunk in _chunks(sorted(agency_codes - {""})):
        agencies.update({a.code: a for a in Agency.objects.filter(code__in=chunk)})
    for chunk in _chunks(sorted(usernames)):
        for user in User.objects.filter(username__in=chunk, is_active=True):
            users[user.username.lower()] = user
        # Usernames are unique case-insensitively: also find the ones written in another case.
        missing = [u for u in chunk if u not in users]
        for name in missing:
            user = User.objects.filter(username__iexact=name, is_active=True).first()
            if user:
                users[name] = user
    memberships = {}
    if users:
        for m in Membership.objects.active(timezone.localdate(now)).filter(user__in=list(users.values())):
            memberships.setdefault((m.user_id, m.agency_id), m)
    for chunk in _chunks(sorted(codes)):
        existing.update(Dossier.objects.filter(code__in=chunk).values_list("code", flat=True))
    return _Lookups(procedures, agencies, users, memberships, existing, now)


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def import_dossiers(content: bytes, filename: str, *, log_content: bytes | None = None, log_filename: str = "",
                    dry_run: bool = False, skip_existing: bool = False, user=None,
                    now: dt.datetime | None = None) -> DossierImportReport:
    """Validate a file of dossiers from another system and, if it has no error, write them all in one transaction.

    `content`/`filename`: CSV, XLSX or JSON (see docs/legacy-import.md); `log_content`/`log_filename`: an optional
    processing-log table for a CSV or XLSX file. `skip_existing`: rows whose code already exists are skipped and
    counted as unchanged instead of being errors. `user` is recorded as the creator; `now` is the instant the
    verdicts of open dossiers are judged at and no date may pass (default: now).
    """
    now = now or timezone.now()
    report = DossierImportReport(dry_run=dry_run)
    records = _read(content, filename, log_content, log_filename, report)
    if records is None:
        return report
    report.rows = len(records)
    lk = _lookups(records, now)

    seen: dict[str, int] = {}
    plans: list[_Plan] = []
    for record in records:
        code = (record.values.get("code") or "").strip()
        if code and code in seen:
            report.error(record.row, "code", _("Code %(code)s appears twice (rows %(a)d and %(b)d).")
                         % {"code": code[:64], "a": seen[code], "b": record.row}, code[:64])
            continue
        if code:
            seen[code] = record.row
        if code in lk.existing:
            if skip_existing:
                report.skipped.append(code)
                report.unchanged += 1
            else:
                report.error(record.row, "code", _("Dossier %(code)s already exists.") % {"code": code}, code)
            continue
        plan = _check_record(record, report, lk)
        if plan is not None:
            plans.append(plan)
    counters: dict[tuple, int] = {}
    for plan in plans:
        if plan.counter:
            agency, day, serial = plan.counter
            counters[(agency, day)] = max(counters.get((agency, day), 0), serial)
    report.counters = [{"agency": a.code, "day": d.isoformat(), "serial": s} for (a, d), s in sorted(
        counters.items(), key=lambda item: (item[0][0].code, item[0][1]))]
    for plan in plans:
        verdict = str(plan.dossier.timeliness)
        report.timeliness[verdict] = report.timeliness.get(verdict, 0) + 1
    if not report.ok or dry_run:
        return report
    try:
        with transaction.atomic():
            _write(plans, counters, user)
    except IntegrityError:
        report.error(1, "code", _("Another import or intake wrote one of these codes meanwhile; nothing was written."))
        return report
    report.created = len(plans)
    report.written = True
    return report


def _write(plans: list[_Plan], counters: dict, user) -> None:
    plan_cache: dict[tuple, list[dict]] = {}
    for batch in _chunks(plans):
        dossiers = [p.dossier for p in batch]
        for plan in batch:
            plan.dossier.created_by = user
            plan.dossier.last_event_seq = len(plan.events)
        Dossier.objects.bulk_create(dossiers)  # primary keys come back on PostgreSQL and SQLite ≥ 3.35
        participants, events, stops, requests, obligations = [], [], [], [], []
        for plan in batch:
            d = plan.dossier
            for agency in {d.receiving_agency, d.handling_agency, d.current_agency}:
                participants.append(DossierParticipant(dossier=d, agency=agency))
            for seq, e in enumerate(plan.events, start=1):
                data = {"imported": True, **({"synthesised": True} if e.synthesised else {})}
                agency = d.receiving_agency if e.action in _AT_RECEIVING else d.handling_agency
                events.append(ProcessingEvent(
                    dossier=d, seq=seq, action=e.action, from_status=e.from_status, to_status=e.to_status, at=e.at,
                    actor_name=e.actor_name, agency=agency if e.synthesised else None, reason=e.reason, data=data))
            number = 0
            for stop in plan.stops:
                stops.append(ClockStop(dossier=d, reason=stop.reason, started_at=stop.start, ended_at=stop.end))
                if stop.reason == Action.REQUEST_SUPPLEMENT:
                    number += 1
                    requests.append(SupplementRequest(
                        dossier=d, number=number, items=[_("Imported from the previous system")],
                        reason=_("Imported from the previous system"), requested_at=stop.start, supplied_at=stop.end,
                        from_status=plan.supplement_from_status, counts_for_timeliness=True))
                elif stop.end is None:
                    obligations.append(FinancialObligation(dossier=d, amount=plan.obligation_amount or 0,
                                                           requested_at=stop.start, stops_clock=True))
            if d.status == Status.SUPPLEMENT_REQUESTED and d.received_at is None:
                # Asked to complete an online dossier before receipt: the open request the applicant answers.
                requests.append(SupplementRequest(
                    dossier=d, number=1, items=[_("Imported from the previous system")],
                    reason=_("Imported from the previous system"), requested_at=plan.events[-1].at,
                    from_status=Status.NEW, counts_for_timeliness=False))
        DossierParticipant.objects.bulk_create(participants, ignore_conflicts=True)
        ProcessingEvent.objects.bulk_create(events)
        ClockStop.objects.bulk_create(stops)
        SupplementRequest.objects.bulk_create(requests)
        FinancialObligation.objects.bulk_create(obligations)
        # Dossiers still in hand get their plan and current step, so congso carries on with them.
        for plan in batch:
            d = plan.dossier
            if d.status not in (Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED,
                                Status.FINANCIAL_OBLIGATION, Status.RESOLVED) or d.received_at is None:
                continue
            _open_step(d, plan, plan_cache)
    for (agency, day), serial in counters.items():
        DossierCodeCounter.objects.bulk_create([DossierCodeCounter(agency=agency, day=day)], ignore_conflicts=True)
        DossierCodeCounter.objects.filter(agency=agency, day=day, last_serial__lt=serial).update(last_serial=serial)


def _open_step(d: Dossier, plan: _Plan, cache: dict) -> None:
    """The plan and the current step of a dossier in hand (see docs/legacy-import.md, Dossiers in hand)."""
    current = d.current_agency
    # The plan depends only on these; many imported dossiers share them.
    key = (d.procedure_version_id, d.handling_agency_id, d.receiving_agency_id, d.duration, d.duration_unit)
    if key not in cache:
        cache[key] = build_plan(d)
    d.plan = [dict(item) for item in cache[key]]
    role = plan.holder_membership.role if plan.holder_membership else ""
    at = plan.step_started_at or d.received_at
    if d.status == Status.RESOLVED:
        index = return_plan_index(d)
        index = len(d.plan) - 1 if index is None else index
    elif d.status == Status.RECEIVED:
        index = 0 if d.plan[0]["agency"] == current.pk else None
    else:
        here = [i for i, item in enumerate(d.plan) if i >= 1 and item["agency"] == current.pk]
        index = next((i for i in here if d.plan[i]["role"] == role), here[0] if here else None)
        if index is None and not plan.current_given:
            index = 1 if len(d.plan) > 1 else 0
    if index is None:
        # Held by an agency outside the plan: as after a transfer, to return to the first handling step.
        start_step(d, None, at, agency=current, role=role or "specialist", assignee=plan.holder,
                   name=_("Handling at %(agency)s (imported)") % {"agency": current.short_name or current.name},
                   return_to=1 if len(d.plan) > 1 else 0)
    else:
        start_step(d, index, at, assignee=plan.holder)
    if plan.holder_membership:
        d.holder_department = plan.holder_membership.department
    Dossier.objects.filter(pk=d.pk).update(
        plan=d.plan, current_step=d.current_step, current_agency=d.current_agency, holder=d.holder,
        holder_role=d.holder_role, holder_department=d.holder_department, step_due_at=d.step_due_at)


__all__ = ["COLUMNS", "LOG_COLUMNS", "ORIGIN", "DossierImportReport", "DossierProblem", "import_dossiers",
           "parse_instant"]
