from collections import Counter
from decimal import Decimal

from congso.catalog.choices import OnlineMode, ReviewReason
from congso.catalog.demo import DEMO_FILE, load_demo_catalogue
from congso.catalog.models import Implementation, Procedure, ProcedureVersion, Process, ProcessStep
from congso.catalog.tools.build_demo import build_record


def test_demo_catalogue_imports_all_60_with_flags(org):
    report = load_demo_catalogue(org.commune_pcs, org.provincial)
    assert not report.has_errors and report.written
    assert len(report.created) == 60 and Procedure.objects.count() == 60
    assert report.warnings  # doubtful rows are imported with warnings
    flagged = ProcedureVersion.objects.filter(needs_review=True)
    assert 30 < flagged.count() < 60
    reasons = Counter(reason for v in flagged for reason in v.review_reasons)
    assert reasons[ReviewReason.UNIT_INFERRED] == 9
    assert reasons[ReviewReason.DURATION_UNKNOWN] == 8
    assert reasons[ReviewReason.FEE_SET_BY_PROVINCE] >= 20
    assert reasons[ReviewReason.DISTRICT_LEVEL_ABOLISHED] == 1
    assert reasons[ReviewReason.SOURCE_INCONSISTENT] == 8
    birth = Procedure.objects.get(code="1.001193").current_version
    assert birth.cutoff_time.hour == 15 and birth.duration_for("direct").unit == "working_day"
    assert birth.decision_number == "163/QĐ-BTP" and birth.applicant_types == ["citizen", "vietnamese_abroad"]
    assert not ProcedureVersion.objects.filter(needs_review=False).filter(review_reasons__icontains="_").exists()


def test_demo_implementations_and_processes(org):
    load_demo_catalogue(org.commune_pcs, org.provincial)
    birth = Procedure.objects.get(code="1.001193").current_version
    assert {i.agency for i in birth.implementations.all()} == set(org.commune_pcs)
    assert {i.online_mode for i in birth.implementations.all()} == {OnlineMode.FULL}
    copy = Procedure.objects.get(code="2.000635").current_version  # province and commune
    assert copy.implementations.count() == 4
    police = Procedure.objects.get(code="3.000347").current_version  # ministry level only → provincial police
    assert [i.agency.code for i in police.implementations.all()] == ["000.00.15.H99"]
    certify = Procedure.objects.get(code="2.000815").current_version  # no online channel
    assert {i.online_mode for i in certify.implementations.all()} == {OnlineMode.NONE}
    land = Procedure.objects.get(code="1.013978").current_version  # listed online channel → partly online
    assert {i.online_mode for i in land.implementations.all()} == {OnlineMode.PARTIAL}
    liquor = Procedure.objects.get(code="2.000620").current_version
    impl = liquor.implementations.get()
    assert impl.agency.code == "000.00.08.H99" and not impl.active and "cấp huyện" in impl.note
    assert Implementation.objects.filter(online_mode=OnlineMode.FULL).values("version").distinct().count() >= 4
    # One default process per implementation, whose shares fit the time limit.
    assert Process.objects.count() == Implementation.objects.count()
    for process in Process.objects.select_related("version").prefetch_related("steps", "version__durations")[:40]:
        process.check_shares()
    commune_process = Process.objects.get(version=birth, agency=org.commune_pcs[0])
    steps = list(commune_process.steps.all())
    assert len(steps) == 4 and steps[0].agency == org.centres[0]
    assert sum(s.share for s in steps) == Decimal(8)


def test_demo_loader_is_idempotent(org):
    first = load_demo_catalogue(org.commune_pcs, org.provincial)
    counts = (ProcedureVersion.objects.count(), Implementation.objects.count(), Process.objects.count(),
              ProcessStep.objects.count())
    second = load_demo_catalogue(org.commune_pcs, org.provincial)
    assert first.changed and not second.changed
    assert len(second.unchanged) == 60 and second.stats["processes_created"] == 0
    assert counts == (ProcedureVersion.objects.count(), Implementation.objects.count(), Process.objects.count(),
                      ProcessStep.objects.count())


def test_demo_file_is_the_products_own_data():
    text = DEMO_FILE.read_text(encoding="utf-8")
    assert "/work/shared" not in text and "../shared" not in text
    assert text.count('"code": "') >= 60


def test_builder_copies_values_and_leaves_gaps_empty():
    sample = {
        "code": "9.999999", "name": "Thủ tục thử", "field": "Hộ tịch", "field_code": None, "levels": ["Cấp xã"],
        "agency": "UBND cấp xã", "duration": None, "duration_unit": None,
        "cutoff": "Nếu tiếp nhận hồ sơ sau 15 giờ thì trả trong ngày làm việc tiếp theo.", "fees": None,
        "components": [{"name": "Tờ khai", "originals": 1, "copies": 0},
                       {"name": "Trường hợp ủy quyền: văn bản ủy quyền", "originals": None, "copies": None}],
        "result": ["Giấy khai sinh (KQ.G15.000031)", "Cập nhật thông tin trong CSDL (KQ.G01.000064)"],
        "online_mode": "toàn trình", "legal_basis": ["Luật Hộ tịch số 60/2014/QH13"], "source": ["https://x.vn/a"],
        "notes": ["Kênh nộp liệt kê trên Cổng: trực tuyến, trực tiếp.",
                  "Quyết định công bố trên Cổng: 163/QĐ-BTP; loại thủ tục: x; đối tượng: Công dân Việt Nam, "
                  "Tổ chức (không bao gồm doanh nghiệp, HTX)."],
    }
    record = build_record(sample)
    assert record["durations"] == [{"channel": "direct", "amount": None, "unit": None, "unit_inferred": False},
                                   {"channel": "online", "amount": None, "unit": None, "unit_inferred": False}]
    assert record["fees"] == [] and record["fee_text"] == ""
    assert record["online_mode"] == "full" and record["cutoff_time"] == "15:00"
    assert record["applicant_types"] == ["citizen", "organisation"] and record["decision_number"] == "163/QĐ-BTP"
    assert [c["required"] for c in record["components"]] == [True, False]
    assert [r["is_document"] for r in record["results"]] == [True, False] and record["result_is_document"]
    assert record["legal_basis"][0]["number"] == "60/2014/QH13"
