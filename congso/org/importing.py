"""Import of administrative units and agencies from CSV or XLSX, validated row by row, all or nothing.

Units: code, name, level, unit_type, parent_code, valid_from, valid_to.
Agencies: code, name, short_name, kind, level, parent_code, unit_code, served_unit_codes (separated by ";"),
email, phone, address, valid_from, valid_to.
An existing unit is left as it is when the row agrees with it; a row that would change an existing unit is an error
(units change only through succession events, so their history stays true). Existing agencies are updated.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from congso.core.tabular import ImportReport, TableError, read_rows
from congso.org.choices import AgencyKind, UnitLevel, UnitType
from congso.org.models import AdminUnit, Agency
from congso.org.services import create_unit
from congso.org.validators import UNIT_CODE_LENGTH, validate_agency_code, validate_unit_code

UNIT_COLUMNS = ["code", "name", "level", "unit_type", "parent_code", "valid_from", "valid_to"]
AGENCY_COLUMNS = [
    "code", "name", "short_name", "kind", "level", "parent_code", "unit_code", "served_unit_codes",
    "email", "phone", "address", "valid_from", "valid_to",
]


def _date(report: ImportReport, row: int, column: str, value: str) -> dt.date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    report.error(row, column, _("'%(value)s' is not a date (dd/mm/yyyy or yyyy-mm-dd).") % {"value": value[:40]})
    return None


def _missing_columns(report: ImportReport, rows: list[dict], required: list[str]) -> bool:
    present = set(rows[0]) if rows else set()
    missing = [c for c in required if c not in present]
    for column in missing:
        report.error(1, column, _("Column '%(column)s' is missing.") % {"column": column})
    return bool(missing)


def import_units(content: bytes, filename: str, *, dry_run: bool = False) -> ImportReport:
    report = ImportReport()
    try:
        rows = read_rows(content, filename)
    except TableError as exc:
        report.error(1, "-", str(exc))
        return report
    if not rows:
        report.error(1, "-", _("The file has no data rows."))
        return report
    if _missing_columns(report, rows, ["code", "name", "level", "unit_type"]):
        return report

    existing = {u.code: u for u in AdminUnit.objects.all()}
    in_file: dict[str, int] = {}
    parsed = []
    levels, types = set(UnitLevel.values), set(UnitType.values)
    for index, row in enumerate(rows, start=2):
        code, name, level = row.get("code", ""), row.get("name", ""), row.get("level", "")
        unit_type, parent_code = row.get("unit_type", ""), row.get("parent_code", "")
        try:
            validate_unit_code(code)
        except ValidationError as exc:
            report.error(index, "code", exc.messages[0])
        if code in in_file:
            report.error(index, "code", _("Code %(code)s appears twice (rows %(a)d and %(b)d).") % {"code": code, "a": in_file[code], "b": index})
        in_file[code] = index
        if not name:
            report.error(index, "name", _("The name is required."))
        if level not in levels:
            report.error(index, "level", _("Level must be one of: %(values)s.") % {"values": ", ".join(sorted(levels))})
        elif code and len(code) != UNIT_CODE_LENGTH[level]:
            report.error(index, "code", _("A %(level)s code has %(n)d digits.") % {"level": level, "n": UNIT_CODE_LENGTH[level]})
        if unit_type not in types:
            report.error(index, "unit_type", _("Unit type must be one of: %(values)s.") % {"values": ", ".join(sorted(types))})
        valid_from = _date(report, index, "valid_from", row.get("valid_from", ""))
        valid_to = _date(report, index, "valid_to", row.get("valid_to", ""))
        if valid_from and valid_to and valid_to <= valid_from:
            report.error(index, "valid_to", _("The end date must be after the start date."))
        if level == UnitLevel.PROVINCE and parent_code:
            report.error(index, "parent_code", _("A province has no parent unit."))
        if level in (UnitLevel.DISTRICT, UnitLevel.COMMUNE) and not parent_code:
            report.error(index, "parent_code", _("A district or commune needs its parent unit."))
        parsed.append((index, code, name, level, unit_type, parent_code, valid_from, valid_to))

    all_codes = set(existing) | set(in_file)
    for index, code, name, level, unit_type, parent_code, _vf, _vt in parsed:
        if parent_code and parent_code not in all_codes:
            report.error(index, "parent_code", _("Parent unit %(code)s is unknown.") % {"code": parent_code})
        if parent_code == code and code:
            report.error(index, "parent_code", _("A unit cannot be its own parent."))
        unit = existing.get(code)
        if unit and (unit.name, unit.level, unit.unit_type, unit.parent.code if unit.parent else "") != (
            name, level, unit_type, parent_code
        ):
            report.error(
                index, "code",
                _("Unit %(code)s exists with other data; change existing units through a succession event.") % {"code": code},
            )
    if not report.ok or dry_run:
        return report

    with transaction.atomic():
        pending = [p for p in parsed if p[1] not in existing]
        report.unchanged = len(parsed) - len(pending)
        # Parents first: create in rounds until every row whose parent exists is created.
        by_code = dict(existing)
        while pending:
            ready = [p for p in pending if not p[5] or p[5] in by_code]
            if not ready:
                raise ValidationError(_("The parent links in the file form a cycle."))
            for _index, code, name, level, unit_type, parent_code, valid_from, valid_to in ready:
                unit = create_unit(code, name, unit_type, level, by_code.get(parent_code), valid_from=valid_from)
                if valid_to:
                    unit.valid_to = valid_to
                    unit.save(update_fields=["valid_to"])
                    unit.versions.update(valid_to=valid_to)
                by_code[code] = unit
                report.created += 1
            pending = [p for p in pending if p not in ready]
        report.written = True
    return report


def import_agencies(content: bytes, filename: str, *, dry_run: bool = False) -> ImportReport:
    report = ImportReport()
    try:
        rows = read_rows(content, filename)
    except TableError as exc:
        report.error(1, "-", str(exc))
        return report
    if not rows:
        report.error(1, "-", _("The file has no data rows."))
        return report
    if _missing_columns(report, rows, ["code", "name", "kind", "level", "unit_code"]):
        return report

    units = {u.code: u for u in AdminUnit.objects.all()}
    existing = {a.code: a for a in Agency.objects.all()}
    kinds, levels = set(AgencyKind.values), set(UnitLevel.values)
    in_file: dict[str, int] = {}
    parsed = []
    for index, row in enumerate(rows, start=2):
        code = row.get("code", "")
        try:
            validate_agency_code(code)
        except ValidationError as exc:
            report.error(index, "code", exc.messages[0])
        if code in in_file:
            report.error(index, "code", _("Code %(code)s appears twice (rows %(a)d and %(b)d).") % {"code": code, "a": in_file[code], "b": index})
        in_file[code] = index
        if not row.get("name"):
            report.error(index, "name", _("The name is required."))
        if row.get("kind") not in kinds:
            report.error(index, "kind", _("Kind must be one of: %(values)s.") % {"values": ", ".join(sorted(kinds))})
        if row.get("level") not in levels:
            report.error(index, "level", _("Level must be one of: %(values)s.") % {"values": ", ".join(sorted(levels))})
        if row.get("unit_code") not in units:
            report.error(index, "unit_code", _("Unit %(code)s is unknown.") % {"code": row.get("unit_code", "")[:20]})
        served = [c.strip() for c in row.get("served_unit_codes", "").split(";") if c.strip()]
        for served_code in served:
            if served_code not in units:
                report.error(index, "served_unit_codes", _("Unit %(code)s is unknown.") % {"code": served_code[:20]})
        if row.get("email"):
            try:
                validate_email(row["email"])
            except ValidationError:
                report.error(index, "email", _("'%(value)s' is not an e-mail address.") % {"value": row["email"][:80]})
        valid_from = _date(report, index, "valid_from", row.get("valid_from", ""))
        valid_to = _date(report, index, "valid_to", row.get("valid_to", ""))
        if valid_from and valid_to and valid_to <= valid_from:
            report.error(index, "valid_to", _("The end date must be after the start date."))
        parsed.append((index, row, served, valid_from, valid_to))

    all_codes = set(existing) | set(in_file)
    for index, row, *_rest in parsed:
        parent = row.get("parent_code", "")
        if parent and parent not in all_codes:
            report.error(index, "parent_code", _("Parent agency %(code)s is unknown.") % {"code": parent[:40]})
        if parent and parent == row.get("code"):
            report.error(index, "parent_code", _("An agency cannot be below itself."))
    if not report.ok or dry_run:
        return report

    with transaction.atomic():
        by_code = dict(existing)
        pending = list(parsed)
        while pending:
            ready = [p for p in pending if not p[1].get("parent_code") or p[1]["parent_code"] in by_code and p[1]["parent_code"] not in {q[1]["code"] for q in pending}]
            if not ready:
                raise ValidationError(_("The parent links in the file form a cycle."))
            for _index, row, served, valid_from, valid_to in ready:
                values = {
                    "name": row["name"], "short_name": row.get("short_name", ""), "kind": row["kind"],
                    "level": row["level"], "parent": by_code.get(row.get("parent_code", "")),
                    "admin_unit": units[row["unit_code"]], "email": row.get("email", ""),
                    "phone": row.get("phone", ""), "address": row.get("address", ""),
                    "valid_from": valid_from, "valid_to": valid_to,
                }
                agency = existing.get(row["code"])
                if agency is None:
                    agency = Agency(code=row["code"], **values)
                    report.created += 1
                elif any(getattr(agency, k) != v for k, v in values.items()):
                    for key, value in values.items():
                        setattr(agency, key, value)
                    report.updated += 1
                else:
                    report.unchanged += 1
                agency.save()
                agency.served_units.set([units[c] for c in served])
                by_code[row["code"]] = agency
            pending = [p for p in pending if p not in ready]
        report.written = True
    return report
