import pytest

from congso.privacy.masking import mask_id_number, mask_personal_fields, mask_phone, mask_tail


@pytest.mark.parametrize("value, masked", [
    ("001090012345", "•••••••••345"),
    ("0100109106-001", "•••••••••••001"),
    ("0912345678", "•••••••678"),
    ("", ""),
    (None, ""),
    ("  0912345678 ", "•••••••678"),
    ("12", "••"),
    ("123", "•••"),
    ("1234", "•234"),
])
def test_only_the_last_three_are_shown(value, masked):
    assert mask_tail(value) == masked


def test_named_helpers_and_rows():
    assert mask_id_number("001090012345") == "•••••••••345"
    assert mask_phone("0912345678") == "•••••••678"
    row = {"applicant_id_number": "001090012345", "applicant_phone": "0912345678", "applicant_name": "An"}
    assert mask_personal_fields(row) == {"applicant_id_number": "•••••••••345", "applicant_phone": "•••••••678",
                                         "applicant_name": "An"}
    assert row["applicant_phone"] == "0912345678"  # the original row is untouched
