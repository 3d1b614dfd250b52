"""Procedure codes and the small parsers the catalogue needs. Pure functions, no database access.

- National procedure code (mã TTHC on CSDLQG): `d.dddddd`, e.g. 1.001193.
- Local form used by a province: `d.dddddd.000.00.00.Hnn` (e.g. 1.001612.000.00.00.H48); a few provincial portals
  print the short form `d.dddddd.Hnn` (3.000467.H18). Both are accepted on input and in search and are stripped
  to the national code.
- Result codes printed after a result name: "Giấy khai sinh (KQ.G15.000031)".
"""

from __future__ import annotations

import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
_LOCAL_CODE = re.compile(r"^(\d\.\d{6})(?:\.000\.00\.00)?\.(H\d{2})$")
_RESULT_CODE = re.compile(r"\s*\(\s*((?:KQ|TP)[.-][A-Z]\d{2}\.\d{4,8})\s*\)\s*$")
_LEGAL_NUMBER = re.compile(r"\b(\d{1,5}/\d{4}/[0-9A-ZĐ]+(?:-[0-9A-ZĐ]+)*)")
_SUFFIX = re.compile(r"^H\d{2}$")


def normalize_procedure_code(value) -> str | None:
    """The national code for a national or local code, or None when `value` is neither."""
    if not isinstance(value, str):
        return None
    value = value.strip().upper()
    if NATIONAL_CODE.match(value):
        return value
    match = _LOCAL_CODE.match(value)
    return match.group(1) if match else None


def validate_procedure_code(value: str) -> None:
    if not isinstance(value, str) or not NATIONAL_CODE.match(value):
        raise ValidationError(
            _("A procedure code has the form d.dddddd, e.g. 1.001193."), code="procedure_code"
        )


def province_suffix() -> str:
    """The province's suffix in local procedure codes (Hnn): setting or environment `CONGSO_PROVINCE_SUFFIX`,
    else H99, the fictional demo province."""
    value = getattr(settings, "CONGSO_PROVINCE_SUFFIX", None) or os.environ.get("CONGSO_PROVINCE_SUFFIX") or "H99"
    return value if _SUFFIX.match(value) else "H99"


def local_code(national_code: str, suffix: str | None = None) -> str:
    return f"{national_code}.000.00.00.{suffix or province_suffix()}"


def split_result_code(text: str) -> tuple[str, str]:
    """'Giấy khai sinh (KQ.G15.000031)' → ('Giấy khai sinh', 'KQ.G15.000031'); no code → (text, '')."""
    match = _RESULT_CODE.search(text or "")
    if not match:
        return (text or "").strip(), ""
    return text[: match.start()].strip(), match.group(1)


def legal_number(title: str) -> str:
    """The document number in a legal-basis title: 'Nghị định 123/2015/NĐ-CP (…)' → '123/2015/NĐ-CP'."""
    match = _LEGAL_NUMBER.search(title or "")
    return match.group(1) if match else ""
