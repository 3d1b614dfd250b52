import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from congso.catalog.importing import import_catalogue
from congso.catalog.models import Field, Implementation, Procedure, ProcedureVersion
from congso.catalog.tests.factories import record_data


def as_file(*records, **extra) -> io.BytesIO:
    return io.BytesIO(json.dumps({"format": "congso-catalog", "procedures": list(records), **extra},
                                 ensure_ascii=False).encode())


def rec(code="1.001193", **overrides) -> dict:
    return {"code": code, **record_data(**overrides)}


def issues(report, severity="error") -> set[tuple[str, str, str]]:
    return {(i.row, i.code, i.field) for i in report.issues if i.severity == severity}


def test_valid_file_creates_procedures(db):
    report = import_catalogue(as_file(rec(), rec("2.000635", name="Cấp bản sao trích lục")), fmt="json")
    assert not report.has_errors and report.written
    assert report.created == ["1.001193", "2.000635"]
    version = Procedure.objects.get(code="1.001193").current_version
    assert version.results.get().code == "KQ.G15.000031"
    assert version.results.get().name == "Giấy khai sinh"
    assert version.legal_basis.get().number == "60/2014/QH13"
    assert version.search_text.startswith("1.001193 thu tuc dang ky khai sinh")
    assert not version.needs_review


def test_bad_rows_write_nothing_and_each_problem_is_reported(db):
    bad = as_file(
        rec("1.001193", durations=[{"channel": "direct", "amount": 3, "unit": "tuần"}]),   # unknown unit
        rec("1.0011"),                                                                        # malformed code
        rec("2.000635"),
        rec("2.000635.000.00.00.H99"),                                                        # duplicate (local form)
        rec("2.000815", components=[{"name": "Tờ khai", "originals": "hai"}]),                # non-numeric count
        rec("2.000884", name="<script>alert(1)</script>"),                                   # hostile text
        rec("2.001035", steps="x" * 20_001),                                                  # too long
        rec("2.001406", fees=[{"name": "Phí", "kind": "phí", "amount": -5}], levels=["cấp thôn"]),
        rec("1.000656", source_urls=["javascript:alert(1)"], cutoff_time="25:00", valid_from="31/02/2026"),
        rec("1.000894", notes=["=HYPERLINK(\"http://evil\")"], name="Tên\x00"),
    )
    report = import_catalogue(bad, fmt="json")
    assert report.has_errors and not report.written
    assert Procedure.objects.count() == 0 and Field.objects.count() == 0
    found = issues(report)
    assert ("#1 durations[1]", "1.001193", "unit") in found
    assert ("#2", "1.0011", "code") in found
    assert ("#4", "2.000635", "code") in found
    assert ("#5 components[1]", "2.000815", "originals") in found
    assert ("#6", "2.000884", "name") in found
    assert ("#7", "2.001035", "steps") in found
    assert {("#8 fees[1]", "2.001406", "amount"), ("#8", "2.001406", "levels")} <= found
    assert {("#9", "1.000656", "source_urls"), ("#9", "1.000656", "cutoff_time"),
            ("#9", "1.000656", "valid_from")} <= found
    assert {("#10", "1.000894", "notes"), ("#10", "1.000894", "name")} <= found
    assert "HTML" in next(i.message for i in report.errors if i.row == "#6")
    assert "20001" in next(i.message for i in report.errors if i.row == "#7")
    assert "nothing was written" in report.summary()


def test_unreadable_files_are_one_error(db):
    for payload, fmt in ((b"{not json", "json"), (b"PK\x03\x04broken", "xlsx"), (b'{"procedures": 3}', "json"),
                         (b"[1, 2]", "json")):
        report = import_catalogue(io.BytesIO(payload), fmt=fmt)
        assert report.has_errors and not report.written


def test_unit_words_are_mapped_explicitly(db):
    durations = [{"channel": "trực tiếp", "amount": 3, "unit": "Ngày làm việc"},
                 {"channel": "trực tuyến", "amount": 4, "unit": "giờ làm việc"},
                 {"channel": "bưu chính", "amount": 10, "unit": "ngày"}]
    report = import_catalogue(as_file(rec(durations=durations)), fmt="json")
    assert not report.has_errors
    version = ProcedureVersion.objects.get()
    assert [(d.channel, d.unit) for d in version._durations()] == [
        ("direct", "working_day"), ("online", "working_hour"), ("postal", "calendar_day")]
    for word in ("ngay lam viec", "tháng", "days", ""):
        report = import_catalogue(as_file(rec("2.000635", durations=[
            {"channel": "direct", "amount": 1, "unit": word}])), fmt="json")
        assert ("#1 durations[1]", "2.000635", "unit") in issues(report), word


def test_doubtful_rows_are_imported_with_warnings_and_flagged(db):
    report = import_catalogue(as_file(rec(
        durations=[{"channel": "direct", "amount": 1, "unit": "ngày làm việc", "unit_inferred": True}],
        notes=["Đơn vị là suy luận (uncertain)."],
        fee_text="Lệ phí: mức cụ thể do HĐND cấp tỉnh quyết định.",
        fees=[{"name": "Lệ phí", "kind": "lệ phí", "set_by_province": True}],
        components=[{"name": "Tờ khai"}], applicant_types=[],
        review_reasons=["Đối chiếu quyết định công bố của tỉnh"],
    ), rec("2.000635", durations=[{"channel": "direct", "amount": None}])), fmt="json")
    assert report.written and not report.has_errors
    version = Procedure.objects.get(code="1.001193").current_version
    assert version.needs_review
    assert version.review_reasons == ["unit_inferred", "uncertain", "fee_set_by_province", "component_count_unknown",
                                      "applicant_types_unknown", "Đối chiếu quyết định công bố của tỉnh"]
    assert len([i for i in report.warnings if i.code == "1.001193"]) == 6
    assert Procedure.objects.get(code="2.000635").current_version.review_reasons == ["duration_unknown"]
    assert "The time-limit unit was inferred" in version.review_reason_labels()[0]


def test_reimport_changes_nothing_and_new_content_needs_a_later_date(db):
    import_catalogue(as_file(rec()), fmt="json")
    again = import_catalogue(as_file(rec()), fmt="json")
    assert again.unchanged == ["1.001193"] and not again.changed
    assert ProcedureVersion.objects.count() == 1

    changed = import_catalogue(as_file(rec(name="Đăng ký khai sinh")), fmt="json")
    assert ("#1", "1.001193", "valid_from") in issues(changed) and not changed.written

    newer = import_catalogue(as_file(rec(name="Đăng ký khai sinh", valid_from="2026-03-01")), fmt="json")
    assert newer.new_versions == ["1.001193"]
    procedure = Procedure.objects.get()
    assert procedure.version_on(dt.date(2026, 2, 1)).name == "Thủ tục đăng ký khai sinh"
    assert procedure.version_on(dt.date(2026, 3, 1)).name == "Đăng ký khai sinh"

    older = import_catalogue(as_file(rec(name="Khác", valid_from="2026-02-01")), fmt="json")
    assert ("#1", "1.001193", "valid_from") in issues(older)
    assert ProcedureVersion.objects.count() == 2


def test_dry_run_reports_the_plan_and_writes_nothing(db):
    report = import_catalogue(as_file(rec()), fmt="json", dry_run=True)
    assert report.created == ["1.001193"] and not report.written
    assert Procedure.objects.count() == 0
    assert "Dry run" in report.summary()


def test_implementations_are_upserted_and_unknown_agencies_refused(org):
    impl = [{"agency": "000.00.03.H99", "online_mode": "một phần"}]
    report = import_catalogue(as_file(rec(implementations=impl)), fmt="json")
    assert report.implementations_created == 1
    assert Implementation.objects.get().level == "province"  # from the agency
    impl = [{"agency": "000.00.03.H99", "online_mode": "toàn trình"}]
    report = import_catalogue(as_file(rec(implementations=impl)), fmt="json")
    assert report.unchanged and report.implementations_updated == 1
    assert Implementation.objects.get().online_mode == "full"
    report = import_catalogue(as_file(rec("2.000635", implementations=[{"agency": "000.00.77.H99"}])), fmt="json")
    assert ("#1 implementations[1]", "2.000635", "agency") in issues(report)
    assert not Procedure.objects.filter(code="2.000635").exists()


def test_fee_overrides_from_a_file_apply_to_an_unchanged_version(db):
    fees = [{"name": "Lệ phí", "kind": "charge", "set_by_province": True}]
    import_catalogue(as_file(rec(fees=fees)), fmt="json")
    report = import_catalogue(as_file(rec(fees=[{**fees[0], "amount_override": 8000}])), fmt="json")
    assert report.overrides_updated == 1 and report.unchanged == ["1.001193"]
    assert ProcedureVersion.objects.get().fees.get().effective_amount == 8000


def xlsx(rows: dict[str, list[list]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for name, values in rows.items():
        sheet = book.create_sheet(name)
        for row in values:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_xlsx_bad_rows_are_reported_by_sheet_and_row(db):
    buffer = xlsx({
        "procedures": [["code", "name", "field", "levels", "bogus"],
                       ["1.001193", "Đăng ký khai sinh", "Hộ tịch", "commune", "x"],
                       ["1.001193", "Trùng", "Hộ tịch", "commune", None],
                       ["9.12", "Sai mã", "Hộ tịch", "commune", None],
                       ["2.000635", "=cmd|' /C calc'!A0", "Hộ tịch", "commune", None]],
        "durations": [["code", "channel", "amount", "unit"],
                      ["1.001193", "direct", "ba", "ngày làm việc"],
                      ["1.001193", "online", 1, "fortnight"],
                      ["3.000000", "direct", 1, "ngày"]],
        "components": [["code", "order", "name", "originals"], ["1.001193", 1, "Tờ khai", 1.5]],
        "other": [["x"]],
    })
    report = import_catalogue(buffer, fmt="xlsx")
    assert not report.written and Procedure.objects.count() == 0
    found = issues(report)
    assert {("procedures!3", "1.001193", "code"), ("procedures!4", "9.12", "code"),
            ("procedures!5", "2.000635", "name"), ("durations!2", "1.001193", "amount"),
            ("durations!3", "1.001193", "unit"), ("durations!4", "3.000000", "code"),
            ("components!2", "1.001193", "originals")} <= found
    assert ("procedures!1", "", "bogus") in issues(report, "warning")
    assert ("other", "", "") in issues(report, "warning")


def test_permission_is_checked(db):
    user = get_user_model().objects.create_user(username="khach", password="x" * 12)
    with pytest.raises(PermissionDenied):
        import_catalogue(as_file(rec()), fmt="json", user=user)


def test_management_commands(db, tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_bytes(as_file(rec()).getvalue())
    call_command("catalog", "import", str(good), "--dry-run")
    assert Procedure.objects.count() == 0
    call_command("catalog", "import", str(good))
    assert Procedure.objects.count() == 1
    bad = tmp_path / "bad.json"
    bad.write_bytes(as_file(rec("1.0")).getvalue())
    with pytest.raises(CommandError):
        call_command("catalog", "import", str(bad))
    out = tmp_path / "out.xlsx"
    call_command("catalog", "export", str(out))
    call_command("catalog", "export", str(tmp_path / "out.json"), "--on", "2026-01-01")
    assert "1 procedure(s) written" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("catalog", "export", str(tmp_path / "out.csv"))
    report = import_catalogue(out)
    assert report.unchanged == ["1.001193"] and not report.changed


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
record_keys = st.sampled_from(["code", "name", "field", "levels", "durations", "components", "fees", "results",
                               "legal_basis", "implementations", "cutoff_time", "valid_from", "notes", "status"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=st.dictionaries(record_keys, json_values, max_size=8))
def test_arbitrary_records_never_crash_the_importer(db, record):
    report = import_catalogue(as_file({"code": "1.001193", "name": "Tên", "field": "Hộ tịch", **record}),
                              fmt="json", dry_run=True)
    assert report.has_errors or report.created == ["1.001193"]
    assert all(issue.message for issue in report.issues)
