"""Builds the demo province: units with their 2025 reform history, agencies, departments, staff and applicants.

Everything goes through the same services an administrator would use (`apply_succession`, `create_unit`), so the
demo exercises the real rules. Idempotent: a second run finds the province and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from congso.accounts.models import AccountType
from congso.core.validators import tax_code_check_digit
from congso.demo import province as P
from congso.demo.names import NameMaker
from congso.org.choices import AgencyKind, Role, SuccessionKind, UnitLevel, UnitType
from congso.org.models import AdminUnit, Agency, Department, Membership
from congso.org.services import NewUnit, SuccessionPlan, apply_succession, create_unit

log = logging.getLogger(__name__)

DEMO_PASSWORD = "congso-demo-2026"
HISTORY_START = dt.date(2008, 1, 1)
REFORM = dt.date.fromisoformat(P.REFORM_DATE)
REFORM_BASIS = "Nghị quyết của Ủy ban Thường vụ Quốc hội về sắp xếp đơn vị hành chính (demo)"

# (code, name, type, number of communes) of the former districts of the demo province and of the merged neighbour.
DISTRICTS_99 = [
    ("980", "Thành phố Lam Sơn", UnitType.PROVINCIAL_CITY, 11),
    ("981", "Huyện Đông Lam", UnitType.RURAL_DISTRICT, 11),
    ("982", "Huyện Tây Lam", UnitType.RURAL_DISTRICT, 11),
    ("983", "Thị xã Hồng Phú", UnitType.TOWN, 11),
    ("984", "Huyện Lam Hải", UnitType.RURAL_DISTRICT, 11),
]
NEIGHBOUR = ("98", "Tỉnh Núi Biếc (demo)")
DISTRICTS_98 = [("985", "Huyện Biếc Giang", UnitType.RURAL_DISTRICT, 9)]


@dataclass
class DemoResult:
    created: bool
    units: int = 0
    agencies: int = 0
    staff: int = 0
    applicants: int = 0
    catalogue: object = None
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def demo_exists() -> bool:
    return AdminUnit.objects.filter(code=P.PROVINCE_CODE).exists()


def _commune_type(district_type: str) -> str:
    return UnitType.WARD if district_type in (UnitType.PROVINCIAL_CITY, UnitType.TOWN) else UnitType.COMMUNE


def build_units(names: NameMaker) -> dict[str, list[AdminUnit]]:
    """Pre-reform province(s), districts and communes, then the 1 July 2025 reform as succession events."""
    used: set[str] = set()
    province = create_unit(P.PROVINCE_CODE, P.PROVINCE_NAME, UnitType.PROVINCE, UnitLevel.PROVINCE, valid_from=HISTORY_START)
    neighbour = create_unit(NEIGHBOUR[0], NEIGHBOUR[1], UnitType.PROVINCE, UnitLevel.PROVINCE, valid_from=HISTORY_START)
    districts, old_communes = [], []
    serial = 40001
    for parent, rows in ((province, DISTRICTS_99), (neighbour, DISTRICTS_98)):
        for code, name, unit_type, count in rows:
            district = create_unit(code, name, unit_type, UnitLevel.DISTRICT, parent, valid_from=HISTORY_START)
            districts.append(district)
            for _ in range(count):
                kind = _commune_type(unit_type)
                prefix = "Phường" if kind == UnitType.WARD else "Xã"
                commune = create_unit(
                    f"{serial:05d}", f"{prefix} {names.place(used)}", kind, UnitLevel.COMMUNE, district,
                    valid_from=HISTORY_START,
                )
                old_communes.append(commune)
                serial += 1

    # The reform: provinces merge, communes merge in pairs into new communes directly under the province,
    # districts are dissolved.
    apply_succession(SuccessionPlan(
        kind=SuccessionKind.MERGE, effective_date=REFORM, legal_basis=REFORM_BASIS,
        note="Tỉnh Núi Biếc nhập vào tỉnh Hồng Lam.", predecessors=[province, neighbour], successors=[province],
    ))
    new_communes = []
    serial = 41001
    for first, second in zip(old_communes[0::2], old_communes[1::2], strict=True):
        kind = first.unit_type
        prefix = "Phường" if kind == UnitType.WARD else "Xã"
        event = apply_succession(SuccessionPlan(
            kind=SuccessionKind.MERGE, effective_date=REFORM, legal_basis=REFORM_BASIS,
            predecessors=[first, second],
            new_units=[NewUnit(f"{serial:05d}", f"{prefix} {names.place(used)}", kind, UnitLevel.COMMUNE, province)],
        ))
        new_communes.append(event.links.first().successor)
        serial += 1
    apply_succession(SuccessionPlan(
        kind=SuccessionKind.DISSOLVE, effective_date=REFORM, legal_basis=REFORM_BASIS,
        note="Kết thúc hoạt động của đơn vị hành chính cấp huyện.", predecessors=districts, successors=[province],
        reparent_children_of=districts, new_parent=province,
    ))
    return {"province": [province, neighbour], "districts": districts, "old_communes": old_communes,
            "communes": new_communes}


def _departments(agency: Agency, rows: list[tuple[str, str, bool]]) -> dict[str, Department]:
    return {
        code: Department.objects.create(agency=agency, code=code, name=name, is_one_stop_desk=desk)
        for code, name, desk in rows
    }


def build_agencies(units: dict[str, list[AdminUnit]]) -> dict[str, object]:
    province = units["province"][0]
    neighbour = units["province"][1]
    provincial: dict[str, Agency] = {}
    root = None
    for code, name, short, kind in P.PROVINCIAL_AGENCIES:
        parent = root
        if code in P.SUB_UNIT_PARENTS:
            parent = provincial[P.SUB_UNIT_PARENTS[code]]
        agency = Agency.objects.create(
            code=code, name=name, short_name=short, kind=kind, level=UnitLevel.PROVINCE, parent=parent,
            admin_unit=province, valid_from=HISTORY_START, email=f"vanthu.{code.split('.')[2]}@honglam.demo.gov.vn",
        )
        agency.served_units.add(province)
        provincial[code] = agency
        root = root or agency
        if kind == AgencyKind.SERVICE_CENTRE:
            _departments(agency, [("TN", "Bộ phận tiếp nhận và trả kết quả", True),
                                  ("GS", "Phòng Giám sát, đánh giá", False)])
        elif kind != AgencyKind.PEOPLES_COMMITTEE:
            _departments(agency, [("VP", "Văn phòng", False), ("CM", "Phòng Chuyên môn", False),
                                  ("PC", "Phòng Pháp chế", False)])
    # The neighbour's People's Committee existed until the merger.
    old_pc = Agency.objects.create(
        code="000.00.00.H98", name="Ủy ban nhân dân tỉnh Núi Biếc (demo)", short_name="UBND tỉnh Núi Biếc",
        kind=AgencyKind.PEOPLES_COMMITTEE, level=UnitLevel.PROVINCE, admin_unit=neighbour,
        valid_from=HISTORY_START, valid_to=REFORM,
    )
    old_pc.served_units.add(neighbour)

    district_agencies = []
    for index, district in enumerate(units["districts"], start=1):
        agency = Agency.objects.create(
            code=P.district_agency_code(index), name=f"Ủy ban nhân dân {district.name}",
            short_name=f"UBND {district.name.split(' ', 1)[1]}", kind=AgencyKind.PEOPLES_COMMITTEE,
            level=UnitLevel.DISTRICT, parent=root if district.versions.first().parent_id == province.pk else old_pc,
            admin_unit=district, valid_from=HISTORY_START, valid_to=REFORM,
        )
        agency.served_units.add(district)
        _departments(agency, [("TN", "Bộ phận tiếp nhận và trả kết quả cấp huyện", True),
                              ("TP", "Phòng Tư pháp", False), ("TNMT", "Phòng Tài nguyên và Môi trường", False)])
        district_agencies.append(agency)

    commune_pcs, commune_centres = [], []
    for index, commune in enumerate(units["communes"], start=1):
        pc_code, centre_code = P.commune_agency_codes(index)
        pc = Agency.objects.create(
            code=pc_code, name=f"Ủy ban nhân dân {commune.name}", short_name=f"UBND {commune.name}",
            kind=AgencyKind.PEOPLES_COMMITTEE, level=UnitLevel.COMMUNE, parent=root, admin_unit=commune,
            valid_from=REFORM,
        )
        pc.served_units.add(commune)
        _departments(pc, [("VP", "Văn phòng HĐND và UBND", False), ("KT", "Phòng Kinh tế", False),
                          ("VHXH", "Phòng Văn hóa - Xã hội", False)])
        centre = Agency.objects.create(
            code=centre_code, name=f"Trung tâm Phục vụ hành chính công {commune.name}",
            short_name=f"TTPVHCC {commune.name}", kind=AgencyKind.SERVICE_CENTRE, level=UnitLevel.COMMUNE,
            parent=pc, admin_unit=commune, valid_from=REFORM,
        )
        centre.served_units.add(commune)
        _departments(centre, [("TN", "Bộ phận tiếp nhận và trả kết quả", True)])
        commune_pcs.append(pc)
        commune_centres.append(centre)
    return {"root": root, "provincial": provincial, "districts": district_agencies,
            "commune_pcs": commune_pcs, "commune_centres": commune_centres}


def _slug(text: str) -> str:
    from congso.core.text import fold

    return "".join(ch for ch in fold(text) if ch.isalnum())


class StaffMaker:
    """Creates staff accounts sharing one precomputed password hash (hashing 150 passwords would take a minute)."""

    def __init__(self, names: NameMaker, password_hash: str):
        self.names = names
        self.password_hash = password_hash
        self.count = 0
        self.accounts: list[tuple[str, str, str]] = []

    def make(self, username: str, agency: Agency, role: str, department: Department | None = None,
             title: str = "", superuser: bool = False, listed: bool = False):
        User = get_user_model()
        full_name, _female = self.names.person()
        user = User.objects.create(
            username=username, full_name=full_name, email=f"{username}@honglam.demo.gov.vn",
            account_type=AccountType.STAFF, password=self.password_hash, is_staff=True,
            is_superuser=superuser, require_two_factor=role == Role.ADMINISTRATOR,
        )
        Membership.objects.create(user=user, agency=agency, department=department, role=role, title=title,
                                  valid_from=HISTORY_START if agency.valid_to else None)
        self.count += 1
        if listed:
            self.accounts.append((username, str(Role(role).label), agency.short_name or agency.name))
        return user


def build_staff(agencies: dict[str, object], names: NameMaker, password_hash: str) -> StaffMaker:
    staff = StaffMaker(names, password_hash)
    root: Agency = agencies["root"]
    provincial: dict[str, Agency] = agencies["provincial"]
    staff.make("quantri", root, Role.ADMINISTRATOR, title="Quản trị hệ thống", superuser=True, listed=True)
    staff.make("chutich", root, Role.AGENCY_LEADER, title="Chủ tịch UBND tỉnh", listed=True)
    staff.make("giamsat", provincial["000.00.01.H99"], Role.PROVINCIAL_MONITOR, title="Chuyên viên theo dõi CCHC",
               listed=True)
    centre = provincial["000.00.02.H99"]
    desk = centre.departments.get(code="TN")
    for i in range(1, 5):
        staff.make(f"motcua.tinh{i}", centre, Role.DESK_OFFICER, desk, "Công chức một cửa", listed=i == 1)
    staff.make("giamdoc.ttpvhcc", centre, Role.AGENCY_LEADER, title="Giám đốc Trung tâm")
    busy = ["000.00.03.H99", "000.00.04.H99", "000.00.05.H99", "000.00.06.H99", "000.00.07.H99", "000.00.15.H99",
            "000.00.18.H99", "000.00.08.H99"]
    for code in busy:
        agency = provincial[code]
        short = _slug(agency.short_name)[:12]
        expert = agency.departments.get(code="CM")
        first = code == "000.00.03.H99"
        staff.make(f"{short}.cv1", agency, Role.SPECIALIST, expert, "Chuyên viên", listed=first)
        staff.make(f"{short}.cv2", agency, Role.SPECIALIST, expert, "Chuyên viên")
        staff.make(f"{short}.tp", agency, Role.DEPARTMENT_HEAD, expert, "Trưởng phòng", listed=first)
        staff.make(f"{short}.gd", agency, Role.AGENCY_LEADER, title="Giám đốc", listed=first)
        staff.make(f"{short}.vt", agency, Role.CLERK, agency.departments.get(code="VP"), "Văn thư", listed=first)
    for index, (pc, centre) in enumerate(zip(agencies["commune_pcs"], agencies["commune_centres"], strict=True), 1):
        listed = index == 1
        staff.make(f"xa{index:02d}.motcua", centre, Role.DESK_OFFICER, centre.departments.get(code="TN"),
                   "Công chức một cửa", listed=listed)
        staff.make(f"xa{index:02d}.tuphap", pc, Role.SPECIALIST, pc.departments.get(code="VHXH"),
                   "Công chức Tư pháp - Hộ tịch", listed=listed)
        staff.make(f"xa{index:02d}.chutich", pc, Role.AGENCY_LEADER, title="Chủ tịch UBND xã", listed=listed)
    for index, agency in enumerate(agencies["districts"], start=1):
        staff.make(f"huyen{index}.motcua", agency, Role.DESK_OFFICER, agency.departments.get(code="TN"),
                   "Công chức một cửa (đến 30/06/2025)")
    return staff


def demo_tax_code(base: int) -> str:
    """A well-formed tax code (valid check digit) made from a demo number."""
    while True:
        first_nine = f"{base:09d}"
        check = tax_code_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)
        base += 1


def build_applicants(password_hash: str) -> list[tuple[str, str, str]]:
    User = get_user_model()
    people = [
        ("congdan1", "Nguyễn Văn An", "001090012345", "0912345678"),
        ("congdan2", "Trần Thị Bích", "079195001234", "0987654321"),
        ("congdan3", "Lê Hoàng Cường", "038201004567", "0901234567"),
    ]
    listed = []
    for username, name, citizen_id, phone in people:
        User.objects.create(
            username=username, full_name=name, email=f"{username}@example.com", phone=phone,
            citizen_id=citizen_id, account_type=AccountType.CITIZEN, password=password_hash,
        )
        listed.append((username, "Công dân", name))
    User.objects.create(
        username="doanhnghiep1", organisation_name="Công ty TNHH Hồng Lam Xanh (demo)",
        full_name="Công ty TNHH Hồng Lam Xanh (demo)", email="doanhnghiep1@example.com",
        tax_code=demo_tax_code(990000123), account_type=AccountType.ORGANISATION, password=password_hash,
    )
    listed.append(("doanhnghiep1", "Doanh nghiệp", "Công ty TNHH Hồng Lam Xanh (demo)"))
    return listed


def load_catalogue(agencies: dict[str, object]):
    try:
        from congso.catalog.demo import load_demo_catalogue
    except ImportError:  # the catalogue app is optional for the organisation part of the demo
        log.warning("The demo catalogue loader is not available.")
        return None
    provincial = dict(agencies["provincial"])
    return load_demo_catalogue(list(agencies["commune_pcs"]), provincial)


def give_demo_authenticators() -> None:
    """Accounts that must log in with two factors get a demo authenticator (device "demo"), whose current code
    `congso otp_code USERNAME` prints: the demo's administrators can log in without a phone app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    User = get_user_model()
    for user in User.objects.filter(require_two_factor=True) | User.objects.filter(is_superuser=True):
        TOTPDevice.objects.get_or_create(user=user, name="demo", defaults={"confirmed": True})


def give_certificates() -> int:
    """A demo certificate authority and a signing certificate for every agency that handles procedures, so results
    can be issued as signed PDFs (congso/signing)."""
    from congso.catalog.models import Implementation
    from congso.signing.certificates import ensure_demo_certificates

    handling = Agency.objects.filter(pk__in=Implementation.objects.values("agency_id"), valid_to__isnull=True)
    return len(ensure_demo_certificates(list(handling)))


def build_queues() -> int:
    """Service groups (A, B, C…) and counters at every service centre, so each kiosk and display has something to
    show: the catalogue's fields are spread over at most four groups, and there is one counter per group."""
    from congso.catalog.models import Field
    from congso.queueing.models import Counter, ServiceGroup

    fields = list(Field.objects.order_by("name"))
    if not fields:
        return 0
    made = 0
    centres = Agency.objects.filter(kind=AgencyKind.SERVICE_CENTRE, valid_to__isnull=True).order_by("code")
    for centre in centres:
        if ServiceGroup.objects.filter(agency=centre).exists():
            continue
        count = min(4, len(fields))
        for index in range(count):
            chunk = fields[index::count]
            name = chunk[0].name if len(chunk) == 1 else f"{chunk[0].name} và lĩnh vực khác"
            group = ServiceGroup.objects.create(agency=centre, prefix="ABCD"[index], order=index, name=name[:150])
            group.fields.set(chunk)
            counter = Counter.objects.create(agency=centre, number=index + 1, name=f"Quầy {index + 1}")
            counter.groups.set([group])
            made += 1
    return made


def build_demo(*, with_catalogue: bool = True) -> DemoResult:
    """Build the whole demo province, or do nothing when it already exists (the catalogue is topped up)."""
    from django.contrib.auth.hashers import make_password

    if demo_exists():
        result = DemoResult(created=False)
        if with_catalogue:
            agencies = {
                "provincial": {a.code: a for a in Agency.objects.filter(level=UnitLevel.PROVINCE)},
                "commune_pcs": list(Agency.objects.filter(level=UnitLevel.COMMUNE, kind=AgencyKind.PEOPLES_COMMITTEE,
                                                          valid_to__isnull=True).order_by("code")),
            }
            result.catalogue = load_catalogue(agencies)
        return result
    names = NameMaker()
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        units = build_units(names)
        agencies = build_agencies(units)
        staff = build_staff(agencies, names, password_hash)
        applicants = build_applicants(password_hash)
        give_demo_authenticators()
    result = DemoResult(
        created=True, units=AdminUnit.objects.count(), agencies=Agency.objects.count(), staff=staff.count,
        applicants=len(applicants), accounts=staff.accounts + applicants,
    )
    if with_catalogue:
        result.catalogue = load_catalogue(agencies)
        build_queues()
        give_certificates()
    return result


def listed_accounts() -> list[tuple[str, str, str]]:
    """The demo accounts worth trying, for `make run` to print."""
    User = get_user_model()
    wanted = ["quantri", "chutich", "giamsat", "motcua.tinh1", "sotuphap.cv1", "sotuphap.tp", "sotuphap.gd",
              "sotuphap.vt", "xa01.motcua", "xa01.tuphap", "xa01.chutich", "congdan1", "doanhnghiep1"]
    rows = []
    users = {u.username: u for u in User.objects.filter(username__in=wanted).prefetch_related("memberships__agency")}
    for username in wanted:
        user = users.get(username)
        if user is None:
            continue
        membership = next(iter(user.memberships.all()), None)
        role = str(Role(membership.role).label) if membership else str(AccountType(user.account_type).label)
        where = (membership.agency.short_name or membership.agency.name) if membership else user.display_name
        rows.append((username, role, where))
    return rows
