import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from congso.core.validators import (
    citizen_id_birth_year,
    citizen_id_problem,
    normalize_phone,
    tax_code_check_digit,
    tax_code_problem,
    validate_citizen_id,
    validate_phone,
    validate_tax_code,
)

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    "value",
    ["001090012345", "079195001234", "038201004567", "096300000001", "001126000001"],
)
def test_valid_citizen_ids(value):
    assert citizen_id_problem(value, TODAY) is None


@pytest.mark.parametrize(
    "value, problem",
    [
        ("00109001234", "format"),  # 11 digits
        ("0010900123456", "format"),  # 13 digits
        ("00109001234a", "format"),
        (" 001090012345", "format"),
        ("", "format"),
        ("003090012345", "province"),  # 003 is not a province code
        ("099090012345", "province"),
        ("000090012345", "province"),
        ("001499012345", "century"),  # born 2199
        ("001227012345", "century"),  # born 2027: in the future
        ("001890012345", "century"),  # digit 8: 2300s
    ],
)
def test_invalid_citizen_ids(value, problem):
    assert citizen_id_problem(value, TODAY) == problem


def test_citizen_id_birth_year_by_century_digit():
    assert citizen_id_birth_year("001090012345") == 1990
    assert citizen_id_birth_year("001195012345") == 1995  # female, 1900s
    assert citizen_id_birth_year("001205012345") == 2005
    assert citizen_id_birth_year("001305012345") == 2005  # female, 2000s


def test_validate_citizen_id_raises_with_code():
    with pytest.raises(ValidationError) as info:
        validate_citizen_id("12345")
    assert info.value.code == "citizen_id_format"


def test_tax_code_known_check_digit():
    # 0100109106: a published enterprise code; its check digit is 6.
    assert tax_code_check_digit("010010910") == 6
    assert tax_code_problem("0100109106") is None
    assert tax_code_problem("0100109106-001") is None


@pytest.mark.parametrize(
    "value, problem",
    [
        ("0100109107", "check_digit"),
        ("010010910", "format"),
        ("0100109106001", "format"),
        ("0100109106-01", "format"),
        ("0100109106-000", "branch"),
        ("01001091O6", "format"),
        ("", "format"),
    ],
)
def test_invalid_tax_codes(value, problem):
    assert tax_code_problem(value) == problem


def test_validate_tax_code_raises_with_code():
    with pytest.raises(ValidationError) as info:
        validate_tax_code("0100109107")
    assert info.value.code == "tax_code_check_digit"


@given(st.from_regex(r"\A\d{9}\Z"))
def test_exactly_one_check_digit_is_accepted(first_nine):
    check = tax_code_check_digit(first_nine)
    accepted = [d for d in range(10) if tax_code_problem(f"{first_nine}{d}") is None]
    assert accepted == ([] if check is None else [check])


@pytest.mark.parametrize("raw, normal", [("+84 912 345 678", "0912345678"), ("84912345678", "0912345678"),
                                         ("0912.345.678", "0912345678"), ("(024) 3825 1234", "02438251234")])
def test_normalize_phone(raw, normal):
    assert normalize_phone(raw) == normal
    validate_phone(raw)


@pytest.mark.parametrize("raw", ["12345", "0912", "abc", "+1 202 555 0100", "<script>"])
def test_invalid_phones(raw):
    with pytest.raises(ValidationError):
        validate_phone(raw)
