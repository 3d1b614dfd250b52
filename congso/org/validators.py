"""Code formats for administrative units and agencies."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Official unit codes (Decision 124/2004/QĐ-TTg and its successors): province 2 digits, district 3, commune 5.
UNIT_CODE_LENGTH = {"province": 2, "district": 3, "commune": 5}
_UNIT_CODE = re.compile(r"^\d{2}(\d|\d{3})?$")
# QCVN 102:2016/BTTTT agency identifiers: e.g. 000.00.00.H48, 000.00.53.H48, G09.20, H44.07.
_AGENCY_CODE = re.compile(r"^[0-9A-Z]{1,3}(\.[0-9A-Z]{2,3}){1,4}$|^[GH]\d{2}(\.\d{1,3}){0,3}$")


def validate_unit_code(value: str) -> None:
    if not _UNIT_CODE.match(value or ""):
        raise ValidationError(_("A unit code has 2 (province), 3 (district) or 5 (commune) digits."), code="unit_code")


def validate_agency_code(value: str) -> None:
    if not _AGENCY_CODE.match(value or ""):
        raise ValidationError(
            _("An agency identifier follows QCVN 102, e.g. 000.00.00.H48."), code="agency_code"
        )
