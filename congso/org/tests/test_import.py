import io

import pytest
from openpyxl import Workbook

from congso.org.importing import import_agencies, import_units
from congso.org.models import AdminUnit, Agency

UNITS_OK = """code,name,level,unit_type,parent_code,valid_from,valid_to
95,Tỉnh Nhập,province,tinh,,01/01/2010,
950,Huyện Nhập,district,huyen,95,2010-01-01,2025-07-01
60001,Xã Một,commune,xa,950,01/01/2010,
"""


def csv(text: str) -> bytes:
    return text.encode("utf-8")


@pytest.mark.django_db
def test_units_import_creates_parents_first_and_versions():
    text = UNITS_OK.replace("60001,Xã Một,commune,xa,950", "60001,Xã Một,commune,xa,950")
    # The commune row comes before its district in this file: order in the file does not matter.
    lines = text.strip().split("\n")
    reordered = "\n".join([lines[0], lines[3], lines[1], lines[2]])
    report = import_units(csv(reordered), "units.csv")
    assert report.ok and report.written and report.created == 3, report.summary()
    commune = AdminUnit.objects.get(code="60001")
    assert commune.parent.code == "950"
    assert commune.versions.count() == 1
    assert AdminUnit.objects.get(code="950").valid_to.isoformat() == "2025-07-01"
    # The same file again changes nothing.
    again = import_units(csv(reordered), "units.csv")
    assert again.ok and again.created == 0 and again.unchanged == 3


@pytest.mark.django_db
def test_units_import_with_bad_rows_writes_nothing():
    bad = UNITS_OK + "\n".join([
        "6000X,Xã Hai,commune,xa,950,,",               # malformed code
        "60003,,commune,xa,950,,",                      # no name
        "60004,Xã Bốn,hamlet,xa,950,,",                 # unknown level
        "60005,Xã Năm,commune,xa,999,,",                # unknown parent
        "60006,Xã Sáu,commune,xa,950,31/02/2020,",      # impossible date
        "60001,Xã Một lần hai,commune,xa,950,,",        # duplicate code in the file
        "600071,<script>alert(1)</script>,commune,xa,950,,",  # wrong length + hostile name
        "60008,Xã Tám,commune,xa,950,2020-01-01,2019-01-01",  # ends before it starts
    ]) + "\n"
    report = import_units(csv(bad), "units.csv")
    assert not report.ok and not report.written
    problems = {(p.row, p.column) for p in report.errors}
    assert {(5, "code"), (6, "name"), (7, "level"), (8, "parent_code"), (9, "valid_from"), (10, "code"),
            (11, "code"), (12, "valid_to")} <= problems
    assert AdminUnit.objects.count() == 0


@pytest.mark.django_db
def test_units_import_refuses_to_change_an_existing_unit():
    import_units(csv(UNITS_OK), "units.csv")
    changed = UNITS_OK.replace("Xã Một", "Xã Một Đổi Tên")
    report = import_units(csv(changed), "units.csv")
    assert not report.ok
    assert AdminUnit.objects.get(code="60001").name == "Xã Một"


@pytest.mark.django_db
@pytest.mark.parametrize("content, name", [
    (b"", "units.csv"),
    (b"\xff\xfe\x00garbage", "units.csv"),
    (b"PK\x03\x04not really a zip", "units.xlsx"),
    (b"%PDF-1.7", "units.pdf"),
    (b"code,name\n", "units.csv"),
    (b"foo,bar\n1,2\n", "units.csv"),
])
def test_unreadable_files_give_a_report_not_a_crash(content, name):
    report = import_units(content, name)
    assert not report.ok and not report.written


@pytest.mark.django_db
def test_agencies_import_from_xlsx_with_update():
    import_units(csv(UNITS_OK), "units.csv")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "short_name", "kind", "level", "parent_code", "unit_code", "served_unit_codes",
                  "email", "phone", "address", "valid_from", "valid_to"])
    sheet.append(["000.01.30.H95", "UBND Xã Một", "UBND xã", "peoples_committee", "commune", "000.00.00.H95",
                  "60001", "60001", "ubnd@xa.gov.vn", "", "", "", ""])
    sheet.append(["000.00.00.H95", "UBND tỉnh Nhập", "", "peoples_committee", "province", "", "95", "95;60001",
                  "", "", "", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_agencies(buffer.getvalue(), "agencies.xlsx")
    assert report.ok and report.created == 2, report.summary()
    commune_pc = Agency.objects.get(code="000.01.30.H95")
    assert commune_pc.parent.code == "000.00.00.H95"
    assert commune_pc.tree_path.startswith(commune_pc.parent.tree_path)
    assert sorted(Agency.objects.get(code="000.00.00.H95").served_units.values_list("code", flat=True)) == ["60001", "95"]

    sheet.cell(row=2, column=2, value="UBND Xã Một (mới)")
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_agencies(buffer.getvalue(), "agencies.xlsx")
    assert report.ok and report.updated == 1 and report.unchanged == 1
    assert Agency.objects.get(code="000.01.30.H95").name == "UBND Xã Một (mới)"


@pytest.mark.django_db
def test_agencies_import_with_bad_rows_writes_nothing():
    import_units(csv(UNITS_OK), "units.csv")
    text = (
        "code,name,kind,level,parent_code,unit_code,served_unit_codes,email\n"
        "000.00.00.H95,UBND tỉnh,peoples_committee,province,,95,95,\n"
        "bad code,Sở X,department,province,,95,,\n"
        "000.00.02.H95,Sở Y,ministry,province,,95,,\n"
        "000.00.03.H95,Sở Z,department,province,000.00.99.H95,95,,\n"
        "000.00.04.H95,Sở W,department,province,,12345,77777,not-an-email\n"
    )
    report = import_agencies(csv(text), "agencies.csv")
    assert not report.ok
    columns = {(p.row, p.column) for p in report.errors}
    assert {(3, "code"), (4, "kind"), (5, "parent_code"), (6, "unit_code"), (6, "served_unit_codes"), (6, "email")} <= columns
    assert Agency.objects.count() == 0


@pytest.mark.django_db
def test_admin_import_page(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_client.post("/admin/org/adminunit/import/",
                                 {"file": SimpleUploadedFile("u.csv", csv(UNITS_OK), "text/csv")})
    assert response.status_code == 200
    assert AdminUnit.objects.count() == 3
    response = admin_client.post("/admin/org/adminunit/import/", {"file": SimpleUploadedFile(
        "u.csv", csv("code,name,level,unit_type\nxx,<b>bold</b>,commune,xa\n"), "text/csv")})
    body = response.content.decode()
    assert "<b>bold</b>" not in body
    assert "<td>2</td><td>code</td>" in body
    assert AdminUnit.objects.count() == 3
