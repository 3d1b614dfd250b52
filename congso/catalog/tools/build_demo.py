"""One-off builder of congso/catalog/data/demo_catalogue.json from the research sample of 60 real procedures.

    python -m congso.catalog.tools.build_demo SAMPLE.json congso/catalog/data/demo_catalogue.json

It was run once; the product only reads its output (congso/catalog/data/README.md says what it does). Values
are copied, never invented: a value the sample lacks stays empty and the importer flags it for review. The
tables below (fee items, per-channel time limits, extra review reasons) were transcribed by hand from each
record's `fees` and `notes` texts, which stay in the output verbatim.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from congso.catalog.codes import legal_number, split_result_code
from congso.core.text import fold

LEVELS = {"Cấp bộ": "ministry", "Cấp tỉnh": "province", "Cấp huyện": "district", "Cấp xã": "commune",
          "Cơ quan khác": "other"}
ONLINE = {"toàn trình": "full", "một phần": "partial", "không trực tuyến": "none"}
CHANNELS = {"trực tiếp": "direct", "trực tuyến": "online", "bưu chính": "postal"}
CHANNEL_ORDER = ["direct", "online", "postal"]
# Applicant labels as the portal prints them, longest first so that "Người nước ngoài cư trú tại Việt Nam" wins.
APPLICANTS = sorted({
    "Công dân Việt Nam": "citizen",
    "Người Việt Nam định cư ở nước ngoài": "vietnamese_abroad",
    "Người nước ngoài cư trú tại Việt Nam": "foreigner",
    "Người nước ngoài": "foreigner",
    "Tổ chức (không bao gồm doanh nghiệp, HTX)": "organisation",
    "Tổ chức nước ngoài": "foreign_organisation",
    "Doanh nghiệp có vốn đầu tư nước ngoài": "foreign_invested_enterprise",
    "Doanh nghiệp": "enterprise",
    "Hợp tác xã": "cooperative",
    "Cán bộ, công chức, viên chức": "civil_servant",
    "Đảng viên": "other",
}.items(), key=lambda item: -len(item[0]))

# Per-channel time limits stated in the notes ("Thời hạn theo kênh …"): channel → (amount, unit as printed).
CHANNEL_DURATIONS = {
    "1.013978": {"direct": 27, "postal": 20, "online": 17, "unit": "ngày làm việc"},
    "1.012783": {"direct": 5, "online": 15, "postal": 20, "unit": "ngày làm việc"},
    "1.012786": {"direct": 20, "online": 10, "postal": 10, "unit": "ngày làm việc"},
    "1.013831": {"direct": 18, "online": 18, "postal": 4, "unit": "ngày làm việc"},
    "1.012784": {"direct": 22, "online": 12, "postal": 12, "unit": "ngày làm việc"},
    "1.012812": {"direct": 40, "postal": 30, "unit": "ngày"},
    "1.013967": {"direct": 60, "online": 45, "postal": 45, "unit": "ngày"},
    "1.013225": {"direct": 15, "online": 20, "postal": 20, "unit": "ngày"},
}

# Review reasons the notes call for beyond what the importer detects by itself.
EXTRA_REASONS = {
    "1.012783": ["source_inconsistent"],  # per-channel times "bất thường"
    "1.013831": ["source_inconsistent"],  # postal time "có vẻ sai"
    "1.002755": ["source_inconsistent"],  # fee figure and description disagree
    "2.001583": ["source_inconsistent"], "2.001199": ["source_inconsistent"], "2.002043": ["source_inconsistent"],
    "2.001610": ["source_inconsistent"],  # fee amounts differ between channels
    "2.002041": ["source_inconsistent"],  # "1100 VNĐ" run together
    "2.000986": ["stale_content"],  # CẢNH BÁO: Sổ hộ khẩu, Circular 36/2014
}


def _fee(name, kind, amount=None, *, online=None, province=False, description=""):
    return {"name": name, "kind": kind, "amount": amount, "online_amount": online, "set_by_province": province,
            "description": description}


def _free(description):
    return [_fee("Phí, lệ phí", "charge", 0, description=description)]


_HDND = "Mức cụ thể do Hội đồng nhân dân cấp tỉnh quyết định."
_COPY_281 = "Theo Thông tư 281/2016/TT-BTC; mức tiền không ghi trên trang."
_LAND = [_fee("Lệ phí cấp Giấy chứng nhận", "charge", province=True, description=_HDND)]
_ENTERPRISE = [
    _fee("Lệ phí đăng ký doanh nghiệp", "charge",
         description="Bằng 50% mức thu tại Thông tư 47/2019/TT-BTC (theo Thông tư 64/2025/TT-BTC); số tiền trên "
                     "Cổng không nhất quán."),
    _fee("Phí công bố nội dung đăng ký doanh nghiệp", "fee", 100_000, description="100.000 đồng/lần."),
]
_RESIDENCE_LIST = _fee("Lệ phí đăng ký cư trú theo danh sách (trực tiếp)", "charge", 10_000,
                       description="10.000 đồng/người/lần.")
_DRIVING = [_fee("Lệ phí cấp giấy phép lái xe", "charge", 135_000,
                 description="135.000 đồng/lần; nộp trực tuyến 115.000 đồng/lần từ 01/12/2023 đến hết 31/12/2025.")]
_BUILDING = [_fee("Lệ phí cấp giấy phép xây dựng", "charge", province=True, description=_HDND)]

# Fee items transcribed from each record's `fees` text (kept verbatim as fee_text). Amount None = not stated.
FEES = {
    "1.001193": [_fee("Lệ phí đăng ký khai sinh", "charge", 0, description="Miễn phí (Cổng DVCQG 2026).")],
    "1.000656": [_fee("Lệ phí đăng ký khai tử", "charge", province=True, description=_HDND),
                 _fee("Phí cấp bản sao Trích lục khai tử (nếu yêu cầu)", "fee", description=_COPY_281)],
    "1.000894": [_fee("Lệ phí đăng ký kết hôn", "charge", 0, description="Miễn lệ phí."),
                 _fee("Phí cấp bản sao Trích lục kết hôn (nếu yêu cầu)", "fee", description=_COPY_281)],
    "1.004873": [_fee("Lệ phí cấp Giấy xác nhận tình trạng hôn nhân", "charge", province=True, description=_HDND)],
    "1.004884": [_fee("Lệ phí đăng ký lại khai sinh", "charge", province=True, description=_HDND),
                 _fee("Phí cấp bản sao Giấy khai sinh (nếu yêu cầu)", "fee", description=_COPY_281)],
    "1.004859": [_fee("Lệ phí thay đổi, cải chính, bổ sung thông tin hộ tịch", "charge", province=True,
                      description=_HDND),
                 _fee("Phí cấp bản sao Trích lục (nếu yêu cầu)", "fee", description=_COPY_281)],
    "2.000635": [_fee("Phí cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh", "fee", 8_000,
                      description="8.000 đồng (Cổng hiển thị 8,000 VNĐ cho cả ba kênh).")],
    "1.001022": [_fee("Lệ phí đăng ký nhận cha, mẹ, con", "charge", province=True, description=_HDND),
                 _fee("Phí cấp bản sao Trích lục (nếu yêu cầu)", "fee", description=_COPY_281)],
    "1.004837": [_fee("Lệ phí đăng ký giám hộ", "charge", 0, description="Miễn phí."),
                 _fee("Phí cấp bản sao Trích lục đăng ký giám hộ (nếu yêu cầu)", "fee", description=_COPY_281)],
    "2.000528": [_fee("Lệ phí đăng ký khai sinh có yếu tố nước ngoài", "charge", province=True, description=_HDND),
                 _fee("Phí cấp bản sao Giấy khai sinh (nếu yêu cầu)", "fee", description=_COPY_281)],
    "2.000806": [_fee("Lệ phí đăng ký kết hôn có yếu tố nước ngoài", "charge", province=True, description=_HDND)],
    "2.000986": _free("Miễn phí."),
    "2.002516": [_fee("Lệ phí xác nhận thông tin hộ tịch", "charge", 8_000,
                      description="8.000 đồng/văn bản xác nhận về một việc hộ tịch đã đăng ký.")],
    "2.001263": [_fee("Lệ phí đăng ký nuôi con nuôi trong nước", "charge", 400_000,
                      description="400.000 đồng/trường hợp; các trường hợp miễn theo mô tả.")],
    "2.000815": [_fee("Phí chứng thực bản sao từ bản chính", "fee", 2_000,
                      description="2.000 đồng/trang; từ trang thứ 3 trở lên 1.000 đồng/trang, tối đa không quá "
                                  "200.000 đồng/bản; 10 USD/bản tại cơ quan đại diện.")],
    "2.000884": [_fee("Phí chứng thực chữ ký", "fee", 10_000,
                      description="10.000 đồng/trường hợp; 10 USD/bản tại cơ quan đại diện.")],
    "2.001035": [_fee("Phí chứng thực hợp đồng, giao dịch", "fee", 50_000, description="50.000 đồng/giao dịch.")],
    "2.001406": [_fee("Phí chứng thực văn bản phân chia di sản", "fee", 50_000, description="50.000 đồng/văn bản.")],
    "2.000908": _free("Miễn phí (theo Cổng)."),
    "3.000333": [_fee("Phí cung cấp thông tin lý lịch tư pháp", "fee",
                      description="Theo Thông tư 244/2016/TT-BTC (Thông tư 16/2025/TT-BTC chưa xác minh); mức tiền "
                                  "không ghi.")],
    "1.004222": [_fee("Lệ phí đăng ký thường trú", "charge", 20_000, online=10_000,
                      description="Trực tiếp 20.000 đồng (giá trị hiển thị); trực tuyến 10.000 đồng/lần.")],
    "1.004194": [_fee("Lệ phí đăng ký tạm trú (cá nhân, hộ gia đình)", "charge", online=7_000,
                      description="Trực tuyến 7.000 đồng/lần; mức trực tiếp không hiển thị."), _RESIDENCE_LIST],
    "1.010041": _free("Miễn phí."),
    "1.002755": [_fee("Lệ phí gia hạn tạm trú (cá nhân, hộ gia đình)", "charge",
                      description="Trực tuyến: mô tả ghi 7.000 đồng/lần nhưng số tiền hiển thị 5.000 đồng."),
                 _RESIDENCE_LIST],
    "3.000347": _DRIVING,
    "3.000348": _DRIVING,
    "1.012575": [_fee("Lệ phí đăng ký, cấp biển số xe", "charge",
                      description="Theo Thông tư 60/2023/TT-BTC; mức cụ thể không ghi trên trang.")],
    "1.013076": [_fee("Lệ phí đăng ký, cấp biển số xe", "charge",
                      description="Theo Thông tư 60/2023/TT-BTC; mức cụ thể không ghi trên trang.")],
    "2.001583": _ENTERPRISE, "2.001199": _ENTERPRISE, "2.002043": _ENTERPRISE, "2.001610": _ENTERPRISE,
    "2.002041": _ENTERPRISE,
    "2.002029": [_fee("Lệ phí đăng ký doanh nghiệp", "charge", 0, description="Miễn lệ phí.")],
    "2.002023": [_fee("Lệ phí đăng ký doanh nghiệp", "charge", 0, description="Miễn lệ phí.")],
    "1.001612": [_fee("Lệ phí đăng ký hộ kinh doanh", "charge", 150_000, province=True,
                      description="Mức cụ thể do HĐND tỉnh quyết định; Cổng hiển thị 150.000 đồng.")],
    "2.000720": [_fee("Lệ phí đăng ký hộ kinh doanh", "charge", province=True, description=_HDND)],
    "1.001570": [_fee("Lệ phí (nếu có)", "charge", province=True, description=_HDND)],
    "1.001266": [_fee("Lệ phí (nếu có)", "charge", province=True, description=_HDND)],
    "1.005280": [_fee("Lệ phí đăng ký kinh doanh", "charge", province=True, description=_HDND)],
    "1.009664": _free("Không."),
    "1.013978": _LAND, "1.012783": _LAND, "1.012786": _LAND, "1.013831": _LAND, "1.012784": _LAND,
    "1.013949": _LAND, "1.012812": _LAND, "1.013967": _LAND,
    "1.011441": [_fee("Phí, lệ phí đăng ký biện pháp bảo đảm (nếu có)", "charge", province=True, description=_HDND)],
    "1.011607": _free("Miễn phí."),
    "1.013225": _BUILDING, "1.013236": _BUILDING, "1.013227": _BUILDING,
    "1.014632": _free("Miễn phí."),
    "1.001699": _free("Không (Đà Nẵng: \"Lệ phí: Không có\")."),
    "2.000620": [
        _fee("Phí thẩm định – tổ chức, doanh nghiệp (khu vực thành phố)", "fee", 1_200_000),
        _fee("Phí thẩm định – tổ chức, doanh nghiệp (khu vực huyện)", "fee", 600_000),
        _fee("Phí thẩm định – hộ kinh doanh, cá nhân (khu vực thành phố)", "fee", 400_000),
        _fee("Phí thẩm định – hộ kinh doanh, cá nhân (khu vực huyện)", "fee", 200_000),
    ],
    # 1.003677, 1.001776, 3.000467: the sources say nothing about fees → no items, flagged "fee_unknown".
}

_NOT_DOCUMENT = ("cap nhat", "co quan dang ky kinh doanh cap", "bien so")
_SIDE_RESULTS = ("van ban neu ro ly do tu choi", "phieu tu choi", "thong bao ve viec sua doi, bo sung",
                 "thong bao bang van ban noi dung can sua doi", "van ban cua co quan dang ky kinh doanh cap xa thong "
                 "bao ly do tu choi")


def _channels(notes: list[str]) -> list[str]:
    for note in notes:
        if note.startswith("Kênh nộp liệt kê trên Cổng:"):
            listed = note.split(":", 1)[1].strip().rstrip(".")
            found = {CHANNELS[word.strip()] for word in listed.split(",") if word.strip() in CHANNELS}
            return [channel for channel in CHANNEL_ORDER if channel in found]
    return []


def _method(notes: list[str]) -> str:
    return next((note for note in notes if note.startswith("Kênh nộp liệt kê trên Cổng:")), "")


def _durations(record: dict) -> list[dict]:
    code = record["code"]
    channels = _channels(record["notes"]) or ["direct"]
    inferred = any("là suy luận" in note for note in record["notes"])
    if code in CHANNEL_DURATIONS:
        table = CHANNEL_DURATIONS[code]
        return [{"channel": channel, "amount": table[channel], "unit": table["unit"], "unit_inferred": False}
                for channel in CHANNEL_ORDER if channel in table]
    return [{"channel": channel, "amount": record["duration"], "unit": record["duration_unit"],
             "unit_inferred": inferred and record["duration"] is not None}
            for channel in channels]


APPLICANT_ORDER = ["citizen", "vietnamese_abroad", "foreigner", "organisation", "foreign_organisation", "enterprise",
                   "foreign_invested_enterprise", "cooperative", "civil_servant", "other"]


def _applicants(notes: list[str]) -> list[str]:
    for note in notes:
        match = re.search(r"đối tượng: (.+?)\.?$", note)
        if match:
            text, found = match.group(1), set()
            for label, code in APPLICANTS:
                if label in text:
                    text = text.replace(label, "")
                    found.add(code)
            return [code for code in APPLICANT_ORDER if code in found]
    return []


def _decision(notes: list[str]) -> str:
    for note in notes:
        match = re.match(r"Quyết định công bố trên Cổng: ([^;]+);", note)
        if match and not match.group(1).startswith("QĐ/"):  # "QĐ/0001-BTP" is a placeholder on the portal
            return match.group(1).strip()
    return ""


def _cutoff_time(text: str | None) -> str | None:
    """'… sau 15 giờ …' → '15:00'; '… sau 03 giờ chiều …' → '15:00'."""
    match = re.search(r"sau (\d{1,2}) giờ( chiều)?", text or "")
    if not match:
        return None
    hour = int(match.group(1))
    if match.group(2) and hour < 12:
        hour += 12
    return f"{hour:02d}:00"


def _results(items: list[str]) -> tuple[list[dict], bool]:
    results = []
    for text in items:
        name, code = split_result_code(text)
        folded = fold(name)
        results.append({"name": name, "code": code, "is_document": not folded.startswith(_NOT_DOCUMENT)})
    main = [r for r in results if not fold(r["name"]).startswith(_SIDE_RESULTS)] or results
    return results, any(r["is_document"] for r in main)


def _component(item: dict) -> dict:
    name = item["name"]
    conditional = name.startswith("Trường hợp") or "nếu có" in name
    return {"case": item.get("case") or "", "name": name, "originals": item.get("originals"),
            "certified_copies": item.get("copies"), "photocopies": None, "required": not conditional,
            "template_name": item.get("form") or "", "must_be_digitized": False}


def build_record(record: dict) -> dict:
    code = record["code"]
    results, result_is_document = _results(record["result"] or [])
    return {
        "code": code,
        "valid_from": None,
        "status": "published",
        "name": record["name"],
        "field": record["field"],
        "field_code": record["field_code"],
        "levels": [LEVELS[level] for level in record["levels"]],
        "applicant_types": _applicants(record["notes"]),
        "agency_text": record["agency"] or "",
        "steps": "",
        "method": _method(record["notes"]),
        "conditions": "",
        "durations": _durations(record),
        "cutoff_time": _cutoff_time(record["cutoff"]),
        "cutoff_text": record["cutoff"] or "",
        "fee_text": record["fees"] or "",
        "result_is_document": result_is_document,
        "online_mode": ONLINE.get(record["online_mode"]) if record["online_mode"] else None,
        "decision_number": _decision(record["notes"]),
        "decision_date": None,
        "national_publication_date": None,
        "notes": record["notes"],
        "source_urls": record["source"],
        "review_reasons": EXTRA_REASONS.get(code, []),
        "components": [_component(item) for item in record["components"] or []],
        "fees": FEES.get(code, []),
        "results": results,
        "legal_basis": [{"title": title, "number": legal_number(title), "issued_date": None, "effective_date": None}
                        for title in record["legal_basis"] or []],
    }


def build(records: list[dict]) -> dict:
    return {
        "format": "congso-catalog",
        "version": 1,
        "description": "Demo catalogue: 60 real procedures from public pages (see congso/catalog/data/README.md). "
                       "Not an official catalogue; re-check every record against the province's own decision.",
        "procedures": [build_record(record) for record in records],
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    records = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    Path(argv[2]).write_text(json.dumps(build(records), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(records)} records written to {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
