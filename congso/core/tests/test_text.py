from hypothesis import given
from hypothesis import strategies as st

from congso.core.text import fold, search_terms


def test_fold_strips_vietnamese_diacritics_and_d_stroke():
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("ĐỒNG NAI") == "dong nai"
    assert fold("Nguyễn  Ánh\tTuyết") == "nguyen anh tuyet"
    assert fold("Thủ tục cấp Giấy phép xây dựng") == "thu tuc cap giay phep xay dung"


def test_fold_empty_values():
    assert fold(None) == ""
    assert fold("") == ""


def test_search_terms_split_folded_words():
    assert search_terms("  Đăng   KÝ ") == ["dang", "ky"]
    assert search_terms(None) == []


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)
