import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from congso.catalog.codes import (
    legal_number,
    local_code,
    normalize_procedure_code,
    split_result_code,
    validate_procedure_code,
)


@pytest.mark.parametrize("value", ["1.001193", "2.000815", "3.000467"])
def test_national_codes_are_valid(value):
    validate_procedure_code(value)
    assert normalize_procedure_code(value) == value


@pytest.mark.parametrize("value", ["1001193", "1.00119", "1.0011933", "a.001193", "1.001193 ", "", "1.001193.H99"])
def test_malformed_codes_are_rejected(value):
    with pytest.raises(ValidationError):
        validate_procedure_code(value)


@pytest.mark.parametrize("value, expected", [
    ("1.001612.000.00.00.H48", "1.001612"),
    (" 1.001699.000.00.00.h17 ", "1.001699"),
    ("3.000467.H18", "3.000467"),
    ("1.001612.000.00.01.H48", None),
    ("1.001612.000.00.00.G09", None),
    ("hello", None),
    (None, None),
    (1.001193, None),
])
def test_local_forms_strip_to_the_national_code(value, expected):
    assert normalize_procedure_code(value) == expected


@given(first=st.integers(1, 9), serial=st.integers(0, 999_999), province=st.integers(0, 99))
def test_local_code_round_trip(first, serial, province):
    national = f"{first}.{serial:06d}"
    assert normalize_procedure_code(local_code(national, f"H{province:02d}")) == national


def test_local_code_uses_the_province_suffix(settings):
    settings.CONGSO_PROVINCE_SUFFIX = "H48"
    assert local_code("1.001612") == "1.001612.000.00.00.H48"


@pytest.mark.parametrize("text, expected", [
    ("Giấy khai sinh (KQ.G15.000031)", ("Giấy khai sinh", "KQ.G15.000031")),
    ("Phiếu Lý lịch tư pháp số 2 (Cấp tỉnh) (KQ.G01.000199)", ("Phiếu Lý lịch tư pháp số 2 (Cấp tỉnh)", "KQ.G01.000199")),
    ("Giấy chứng nhận đăng ký đầu tư (TP-G12.0001143)", ("Giấy chứng nhận đăng ký đầu tư", "TP-G12.0001143")),
    ("Giấy xác nhận khuyết tật", ("Giấy xác nhận khuyết tật", "")),
])
def test_result_codes_are_split_off(text, expected):
    assert split_result_code(text) == expected


@pytest.mark.parametrize("title, expected", [
    ("Nghị định 123/2015/NĐ-CP (sửa đổi bởi Nghị định 07/2025/NĐ-CP)", "123/2015/NĐ-CP"),
    ("Luật Hộ tịch số 60/2014/QH13", "60/2014/QH13"),
    ("Thông tư liên tịch 05/2015/TTLT-BTP-BCA-BYT", "05/2015/TTLT-BTP-BCA-BYT"),
    ("Nghị định về phân định thẩm quyền (số hiệu chưa xác minh)", ""),
])
def test_legal_numbers(title, expected):
    assert legal_number(title) == expected
