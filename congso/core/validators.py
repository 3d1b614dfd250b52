"""Validators for Vietnamese identifiers shared by every app (accounts, dossiers, portal).

- Citizen ID (số định danh cá nhân / CCCD): 12 digits = 3-digit province code of birth registration, one
  century-and-sex digit, 2 digits of the birth year, 6 serial digits (Circular 07/2016/TT-BCA, art. 7).
- Organisation tax code (mã số thuế, also the enterprise code): 10 digits whose last digit is a check digit, or
  10 digits + "-" + 3 digits for a dependent unit (branch).
- Phone numbers: Vietnamese numbers, stored as 0xxxxxxxxx.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Province codes used in citizen IDs (the 63 pre-2025 provinces; IDs keep their birth-registration code after
# the 2025 mergers, so the list is fixed).
CITIZEN_ID_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

_TWELVE_DIGITS = re.compile(r"^\d{12}$")
_TAX_CODE = re.compile(r"^(\d{10})(?:-(\d{3}))?$")
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def citizen_id_birth_year(value: str) -> int:
    """The birth year a citizen ID encodes: century from the 4th digit (0/1 → 1900s, 2/3 → 2000s, …)."""
    century = 1900 + (int(value[3]) // 2) * 100
    return century + int(value[4:6])


def citizen_id_problem(value: str, today: date | None = None) -> str | None:
    """Why `value` is not a valid citizen ID, or None. A pure function; the form and API layers translate."""
    if not isinstance(value, str) or not _TWELVE_DIGITS.match(value):
        return "format"
    if value[:3] not in CITIZEN_ID_PROVINCE_CODES:
        return "province"
    today = today or date.today()
    # The century/sex digit must give a birth year that is not in the future.
    if citizen_id_birth_year(value) > today.year:
        return "century"
    return None


def tax_code_check_digit(first_nine: str) -> int | None:
    """The check digit of a tax code's first nine digits, or None when no digit fits (never issued)."""
    total = sum(int(d) * w for d, w in zip(first_nine, _TAX_WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check % 10


def tax_code_problem(value: str) -> str | None:
    """Why `value` is not a valid organisation tax code (10 digits, or 10-3), or None."""
    if not isinstance(value, str):
        return "format"
    match = _TAX_CODE.match(value)
    if not match:
        return "format"
    main, branch = match.groups()
    if tax_code_check_digit(main[:9]) != int(main[9]):
        return "check_digit"
    if branch == "000":
        return "branch"
    return None


_MESSAGES = {
    "format": _("A citizen ID has exactly 12 digits."),
    "province": _("The first three digits of a citizen ID must be a known province code."),
    "century": _("The century and sex digit of this citizen ID gives a birth year in the future."),
}
_TAX_MESSAGES = {
    "format": _("A tax code has 10 digits, or 10 digits, a hyphen and 3 digits for a branch."),
    "check_digit": _("The check digit of this tax code is wrong."),
    "branch": _("A branch number runs from 001 to 999."),
}


def validate_citizen_id(value: str) -> None:
    problem = citizen_id_problem(value)
    if problem:
        raise ValidationError(_MESSAGES[problem], code=f"citizen_id_{problem}")


def validate_tax_code(value: str) -> None:
    problem = tax_code_problem(value)
    if problem:
        raise ValidationError(_TAX_MESSAGES[problem], code=f"tax_code_{problem}")


_PHONE = re.compile(r"^0\d{9,10}$")


def normalize_phone(value: str) -> str:
    """'+84 912 345 678' / '84912345678' / '0912.345.678' → '0912345678'."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def validate_phone(value: str) -> None:
    if not _PHONE.match(normalize_phone(value)):
        raise ValidationError(_("Enter a Vietnamese phone number, e.g. 0912345678."), code="phone")
