"""Each of the seven forms rendered for a realistic dossier and read back with poppler: Liberation Serif embedded
(and no other font), the Vietnamese text intact, hostile text printed literally, the paper size, page images."""

from __future__ import annotations

import datetime as dt

import pytest
import segno

from congso.printing import services
from congso.printing.choices import FormKind
from congso.printing.context import FormNotApplicable
from congso.printing.tests import pdftools
from congso.printing.tests.conftest import (
    ADDRESS,
    APOLOGY_REASON,
    APPLICANT,
    REFUSAL_REASON,
    SCRIPT,
    STOP_REASON,
    SUPPLEMENT_REASON,
)

HEADER = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc"]


def check_pdf(pdf: bytes, tmp_path, name: str, *, size=pdftools.A5, pages=None) -> str:
    assert pdf.startswith(b"%PDF-")
    path = pdftools.save(pdf, tmp_path, name)
    fonts = pdftools.fonts(path)
    assert fonts, "no font in the PDF"
    for font in fonts:
        assert "Liberation-Serif" in font["name"], font["line"]
        assert font["emb"] == "yes", font["line"]
    info = pdftools.info(path)
    assert info["size"] == size, info["raw"]
    images = pdftools.snapshot(path, name)
    assert len(images) == info["pages"] >= 1
    if pages is not None:
        assert info["pages"] == pages
    text = pdftools.text(path)
    for line in HEADER:
        assert line in text
    return text


def has(text: str, needle: str) -> bool:
    """`needle` in `text` ignoring where lines were broken (a long word may wrap after a slash)."""
    return "".join(needle.split()) in "".join(text.split())


def check_common(text: str, dossier) -> None:
    assert dossier.code in text
    assert has(text, APPLICANT)  # diacritics intact, the script payload printed as literal text
    assert "Nguyễn Thị Ngọc Ánh" in text


def test_receipt(dossiers, tmp_path):
    d = dossiers.received
    text = check_pdf(services.render_form(FormKind.RECEIPT, d), tmp_path, "01-giay-tiep-nhan", pages=1)
    check_common(text, d)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "UBND TỈNH THỬ" in text and "TRUNG TÂM PVHCC TỈNH" in text
    assert "Thử, ngày 20 tháng 01 năm 2025" in text
    assert ADDRESS in text and "ngoc.anh@example.vn" in text and "0912345678" in text
    assert "Nội dung yêu cầu giải quyết: Thủ tục thử 1.000001" in text
    assert "Tờ khai" in text and "Bản sao giấy tờ tùy thân" in text
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: 5 ngày làm việc" in text
    assert "4. Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 20/01/2025" in text
    assert "5. Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 03/02/2025" in text
    assert "Lệ phí: 50.000 đồng" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "Desk" in text  # the receiving officer's name
    assert "Số: ....../TTPVHCC" in text


def test_receipt_components_show_originals_and_copies(dossiers, tmp_path):
    html = services.render_html(FormKind.RECEIPT, dossiers.received)
    # intake() submits one original of each component.
    assert html.count('<td class="n">1</td><td class="n">0</td><td class="n">0</td>') == 2


def test_supplement_request(dossiers, tmp_path):
    d = dossiers.supplement
    text = check_pdf(services.render_form(FormKind.SUPPLEMENT, d), tmp_path, "02-phieu-yeu-cau-bo-sung")
    check_common(text, d)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "1. Bản sao giấy khai sinh có chứng thực" in text and "2. Ảnh chân dung 4x6" in text
    assert has(text, f"Lý do: {SUPPLEMENT_REASON}")
    assert "liên hệ với công chức Spec" in text
    assert "Thử, ngày 21 tháng 01 năm 2025" in text


def test_refusal(dossiers, tmp_path):
    d = dossiers.refused
    text = check_pdf(services.render_form(FormKind.REFUSAL, d), tmp_path, "03-phieu-tu-choi")
    check_common(text, d)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert has(text, REFUSAL_REASON)
    assert "Xin thông báo cho Ông/Bà được biết và thực hiện." in text


def test_apology_with_the_new_appointment(dossiers, tmp_path):
    d = dossiers.apology
    text = check_pdf(services.render_form(FormKind.APOLOGY, d), tmp_path, "04-van-ban-xin-loi")
    check_common(text, d)
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "SỞ TƯ PHÁP" in text  # issued by the agency responsible for the result
    assert "Ngày hẹn trả kết quả giải quyết hồ sơ: 09 giờ 15 phút, ngày 03/02/2025" in text
    assert "Thời gian hẹn trả kết quả lại: 16 giờ 30 phút, ngày 07/02/2025" in text
    assert has(text, APOLOGY_REASON)


def test_stop_notice(dossiers, tmp_path):
    d = dossiers.stopped
    text = check_pdf(services.render_form(FormKind.STOP, d), tmp_path, "05-thong-bao-dung")
    check_common(text, d)
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert has(text, STOP_REASON)
    assert "kể từ 14 giờ 00 phút, ngày 22/01/2025" in text


def test_control_sheet_rows_from_the_hand_overs(dossiers, tmp_path):
    d = dossiers.done
    text = check_pdf(services.render_form(FormKind.CONTROL_SHEET, d), tmp_path, "06-phieu-kiem-soat")
    assert d.code in text and "Nguyễn Thị Ngọc Ánh" in text
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "1. Giao: Trung tâm PVHCC tỉnh 2. Nhận: Sở Tư pháp" in text
    assert "10 giờ 00 phút, ngày 20/01/2025" in text  # desk → specialist
    assert "Người giao: Desk Người nhận: Spec" in text
    assert "Quá hạn" in text  # the specialist handed over a day late
    assert "Trước hạn" in text or "Đúng hạn" in text
    assert "2. Nhận: tổ chức, cá nhân" in text  # the result returned to the applicant
    assert "Người giao: Desk Người nhận: Nguyễn Thị Ngọc Ánh" in text
    html = services.render_html(FormKind.CONTROL_SHEET, d)
    assert html.count("1. Giao:") == d.handovers.count() + 1


def test_register_for_an_agency_and_a_period(dossiers, world, tmp_path):
    pdf = services.render_form(FormKind.REGISTER, agency=world.centre, start=dt.date(2025, 1, 1),
                               end=dt.date(2025, 1, 31), user=world.desk)
    text = check_pdf(pdf, tmp_path, "07-so-theo-doi", size=pdftools.A4_LANDSCAPE)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/01/2025 đến ngày 31/01/2025" in text
    received = [dossiers.received, dossiers.supplement, dossiers.apology, dossiers.stopped, dossiers.done]
    for d in received:
        assert has(text, d.code)
    assert dossiers.refused.code not in text  # refused at intake: never received, not in the register
    assert text.count("Nguyễn Thị Ngọc") == len(received)  # the name may wrap inside its narrow column
    assert has(text, SCRIPT)
    assert "Dừng giải quyết" in text
    assert "20/01/2025" in text and "03/02/2025" in text  # a date and its time may sit on two lines of a cell
    html = services.render_html(FormKind.REGISTER, agency=world.centre, start=dt.date(2025, 1, 1),
                                end=dt.date(2025, 1, 31))
    assert "<td>09:00 20/01/2025</td><td>09:00 03/02/2025</td>" in html


def test_register_period_excludes_other_days_and_agencies(dossiers, world, tmp_path):
    html = services.render_html(FormKind.REGISTER, agency=world.centre, start=dt.date(2025, 1, 21),
                                end=dt.date(2025, 1, 31))
    assert "Không có hồ sơ tiếp nhận trong kỳ." in html
    html = services.render_html(FormKind.REGISTER, agency=world.justice, start=dt.date(2025, 1, 20),
                                end=dt.date(2025, 1, 20))
    assert dossiers.received.code not in html


@pytest.mark.parametrize("kind", [k for k in FormKind if k != FormKind.REGISTER])
def test_every_dossier_form_has_the_qr_code_of_the_tracking_page(dossiers, kind, settings):
    settings.SITE_URL = "https://dichvucong.example.vn"
    d = {FormKind.RECEIPT: dossiers.received, FormKind.SUPPLEMENT: dossiers.supplement,
         FormKind.REFUSAL: dossiers.refused, FormKind.APOLOGY: dossiers.apology, FormKind.STOP: dossiers.stopped,
         FormKind.CONTROL_SHEET: dossiers.done}[kind]
    html = services.render_html(kind, d)
    url = f"https://dichvucong.example.vn/tra-cuu/{d.code}"
    expected = segno.make(url, error="m", micro=False).svg_inline(border=0, omitsize=True, dark="#000")
    assert expected in html
    # Hostile text is escaped in the HTML handed to WeasyPrint, never markup.
    assert SCRIPT not in html and "&lt;script&gt;" in html


def test_forms_that_do_not_apply_are_refused(dossiers):
    with pytest.raises(FormNotApplicable):
        services.render_form(FormKind.REFUSAL, dossiers.received)
    with pytest.raises(FormNotApplicable):
        services.render_form(FormKind.SUPPLEMENT, dossiers.received)
    with pytest.raises(FormNotApplicable):
        services.render_form(FormKind.APOLOGY, dossiers.received)
    with pytest.raises(FormNotApplicable):
        services.render_form(FormKind.STOP, dossiers.received)
    with pytest.raises(FormNotApplicable):
        services.render_form(FormKind.RECEIPT, dossiers.refused)  # never received


def test_attachment_api_gives_name_bytes_and_type(dossiers):
    name, pdf, content_type = services.form_attachment(FormKind.RECEIPT, dossiers.received)
    assert name == f"giay-tiep-nhan-{dossiers.received.code}.pdf"
    assert pdf.startswith(b"%PDF-") and content_type == "application/pdf"
