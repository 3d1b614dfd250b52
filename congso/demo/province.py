"""The demo province: a fictional province (code 99, agency suffix H99) that no real code collides with.

Its shape follows a real province after the 2025 reform: a People's Committee, about twenty departments, a
provincial public administration service centre, and communes that each have a People's Committee and a commune
service centre. Before 1 July 2025 it had districts; they remain as historical units and agencies.
"""

PROVINCE_CODE = "99"
PROVINCE_NAME = "Tỉnh Hồng Lam (demo)"
AGENCY_SUFFIX = "H99"
REFORM_DATE = "2025-07-01"

# (code, name, short name, kind) of the province-level agencies.
PROVINCIAL_AGENCIES = [
    ("000.00.00.H99", "Ủy ban nhân dân tỉnh Hồng Lam", "UBND tỉnh", "peoples_committee"),
    ("000.00.01.H99", "Văn phòng Ủy ban nhân dân tỉnh", "VP UBND tỉnh", "department"),
    ("000.00.02.H99", "Trung tâm Phục vụ hành chính công tỉnh", "TTPVHCC tỉnh", "service_centre"),
    ("000.00.03.H99", "Sở Tư pháp", "Sở Tư pháp", "department"),
    ("000.00.04.H99", "Sở Tài chính", "Sở Tài chính", "department"),
    ("000.00.05.H99", "Sở Nông nghiệp và Môi trường", "Sở NN&MT", "department"),
    ("000.00.06.H99", "Sở Xây dựng", "Sở Xây dựng", "department"),
    ("000.00.07.H99", "Sở Y tế", "Sở Y tế", "department"),
    ("000.00.08.H99", "Sở Công Thương", "Sở Công Thương", "department"),
    ("000.00.09.H99", "Sở Nội vụ", "Sở Nội vụ", "department"),
    ("000.00.10.H99", "Sở Giáo dục và Đào tạo", "Sở GD&ĐT", "department"),
    ("000.00.11.H99", "Sở Văn hóa, Thể thao và Du lịch", "Sở VHTT&DL", "department"),
    ("000.00.12.H99", "Sở Khoa học và Công nghệ", "Sở KH&CN", "department"),
    ("000.00.13.H99", "Sở Dân tộc và Tôn giáo", "Sở DT&TG", "department"),
    ("000.00.14.H99", "Thanh tra tỉnh", "Thanh tra tỉnh", "department"),
    ("000.00.15.H99", "Công an tỉnh", "Công an tỉnh", "police"),
    ("000.00.16.H99", "Ban Quản lý các khu công nghiệp tỉnh", "BQL các KCN", "department"),
    ("000.00.17.H99", "Sở Ngoại vụ", "Sở Ngoại vụ", "department"),
    ("000.00.18.H99", "Văn phòng Đăng ký đất đai tỉnh", "VPĐKĐĐ", "sub_unit"),
    ("000.00.19.H99", "Bảo hiểm xã hội tỉnh", "BHXH tỉnh", "other"),
    ("000.00.20.H99", "Cục Thuế tỉnh", "Thuế tỉnh", "other"),
]

# Sub-units: (code, parent code). The land registry office belongs to the agriculture and environment department.
SUB_UNIT_PARENTS = {"000.00.18.H99": "000.00.05.H99"}

# Which provincial agency handles each field (lĩnh vực) of the catalogue at province level.
FIELD_TO_AGENCY = {
    "Hộ tịch": "000.00.03.H99",
    "Nuôi con nuôi": "000.00.03.H99",
    "Chứng thực": "000.00.03.H99",
    "Lý lịch tư pháp": "000.00.15.H99",
    "Đăng ký, quản lý cư trú": "000.00.15.H99",
    "Sát hạch, cấp giấy phép lái xe": "000.00.15.H99",
    "Đăng ký, quản lý phương tiện giao thông cơ giới, xe máy chuyên dùng": "000.00.15.H99",
    "Thành lập và hoạt động của doanh nghiệp": "000.00.04.H99",
    "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)": "000.00.04.H99",
    "Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã": "000.00.04.H99",
    "Đầu tư tại Việt nam": "000.00.04.H99",
    "Đất đai": "000.00.05.H99",
    "Đăng ký biện pháp bảo đảm": "000.00.18.H99",
    "Giảm nghèo": "000.00.05.H99",
    "Hoạt động xây dựng": "000.00.06.H99",
    "Nhà ở và công sở": "000.00.06.H99",
    "Bảo trợ xã hội": "000.00.07.H99",
    "Văn bằng, chứng chỉ": "000.00.10.H99",
    "Lưu thông hàng hóa trong nước": "000.00.08.H99",
}


def commune_agency_codes(index: int) -> tuple[str, str]:
    """(People's Committee, service centre) identifiers of the index-th current commune (1-based)."""
    return f"000.{index:02d}.30.H99", f"000.{index:02d}.31.H99"


def district_agency_code(index: int) -> str:
    """Identifier of the index-th former district People's Committee (until 1 July 2025)."""
    return f"000.00.{50 + index}.H99"
