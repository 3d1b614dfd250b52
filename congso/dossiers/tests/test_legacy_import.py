"""Import of dossiers from another system (congso.dossiers.legacy): formats, rules, all or nothing, counters."""

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from congso.catalog.models import ProcedureVersion
from congso.dossiers.choices import Action, Status, Timeliness
from congso.dossiers.legacy import import_dossiers, parse_instant
from congso.dossiers.models import (
    ClockStop,
    Dossier,
    DossierCodeCounter,
    DossierParticipant,
    FinancialObligation,
    ProcessingEvent,
    SupplementRequest,
)
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import intake, local

DATA = Path(__file__).parent / "data"
NOW = local(2025, 3, 20, 17, 0)  # a Thursday; every date in the fixtures is earlier
CENTRE, JUSTICE = "000.00.02.H97", "000.00.03.H97"

GOOD_CSV_VERDICTS = {
    "HS-2025-0001": Timeliness.LATE,  # finished two days after the appointment
    "HS-2025-0002": Timeliness.ON_TIME,  # finished an hour before, the same day
    "HS-2025-0003": Timeliness.EARLY,
    "HS-2025-0004": Timeliness.ON_TIME,  # two days late, but two days were waiting for the applicant
    "HS-2025-0005": Timeliness.LATE,  # early by the dates, but a second supplement request
    "HS-2025-0006": Timeliness.OPEN_WITHIN,  # appointment computed: Tue 25/03 09:00
    "HS-2025-0007": Timeliness.OPEN_OVERDUE,
    "HS-2025-0008": Timeliness.OPEN_WITHIN,  # waiting since before the appointment
    "000.00.02.H97-250303-0042": Timeliness.ON_TIME,
    "HS-2025-0010": Timeliness.NOT_APPLICABLE,  # new, not received yet
    "HS-2025-0011": Timeliness.NOT_APPLICABLE,  # refused at intake
    "HS-2025-0012": Timeliness.EARLY,
}


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def run(content: bytes, name: str = "dossiers.csv", **kwargs):
    kwargs.setdefault("now", NOW)
    return import_dossiers(content, name, **kwargs)


def import_good_csv(**kwargs):
    return run(read("good.csv"), "good.csv", log_content=read("good_log.csv"), log_filename="good_log.csv", **kwargs)


def problems(report, severity="error"):
    return [(p.row, p.column) for p in report.problems if p.severity == severity]


BASE = {
    "code": "HS-B-0001", "procedure": "1.000001", "receiving_agency": CENTRE, "handling_agency": JUSTICE,
    "channel": "1", "applicant_kind": "person", "applicant_name": "Nguyễn Văn Án",
    "applicant_id_number": "001090012345", "submitted_at": "03/03/2025 09:00", "received_at": "03/03/2025 09:00",
    "due_at": "10/03/2025 09:00", "finished_at": "07/03/2025 09:00", "returned_at": "07/03/2025 10:00",
    "status": "10", "stops": "", "holder": "",
}


def table(*rows: dict) -> bytes:
    names = list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def good_and(changes: dict) -> bytes:
    """A good row, then the row under test (row 3 of the file)."""
    return table(BASE, {**BASE, "code": "HS-B-0002", **changes})


# --- good files -----------------------------------------------------------------------------------------------------
def test_good_csv_with_log_file(world):
    report = import_good_csv()
    assert report.ok, report.summary()
    assert report.written and report.created == 12
    assert Dossier.objects.filter(origin="import").count() == 12
    verdicts = dict(Dossier.objects.values_list("code", "timeliness"))
    assert verdicts == GOOD_CSV_VERDICTS
    assert report.timeliness[Timeliness.LATE] == 2

    late = Dossier.objects.get(code="HS-2025-0001")
    assert late.status == Status.RETURNED and late.channel == "direct"
    assert late.submitted_at == late.received_at == local(2025, 3, 3, 9, 0)
    assert late.due_at == local(2025, 3, 10, 9, 0)
    assert late.finished_at == late.resolved_at == local(2025, 3, 12, 10, 0)
    assert late.returned_at == local(2025, 3, 13, 8, 30)
    assert late.legacy_data["fields"] == {"so_bien_nhan": "BN-0001"}
    assert late.legacy_data["import"]["flags"] == ["log_synthesised"]
    assert late.sync_state == "not_required"
    assert late.procedure_version.number == 1 and late.duration == 5
    assert {p.agency.code for p in DossierParticipant.objects.filter(dossier=late)} == {CENTRE, JUSTICE}
    # The synthesised minimal log: create, accept, the way to the result, the return.
    log = list(late.events.order_by("seq").values_list("seq", "action", "from_status", "to_status", "at"))
    assert log == [
        (1, Action.CREATE, None, 1, local(2025, 3, 3, 9, 0)),
        (2, Action.ACCEPT, 1, 2, local(2025, 3, 3, 9, 0)),
        (3, Action.FORWARD, 2, 4, local(2025, 3, 3, 9, 0)),
        (4, Action.COMPLETE, 4, 9, local(2025, 3, 12, 10, 0)),
        (5, Action.RETURN_RESULT, 9, 10, local(2025, 3, 13, 8, 30)),
    ]
    assert all(e.data == {"imported": True, "synthesised": True} for e in late.events.all())

    on_time = Dossier.objects.get(code="HS-2025-0002")
    assert on_time.applicant_phone == "0912345679"  # normalised
    # A stop of two days moves the current appointment and is subtracted from the end.
    waited = Dossier.objects.get(code="HS-2025-0004")
    assert waited.waiting_seconds == 2 * 86400 and waited.supplement_count == 1
    assert list(waited.clock_stops.values_list("started_at", "ended_at")) == [
        (local(2025, 3, 4, 9, 0), local(2025, 3, 6, 9, 0))]
    assert waited.current_due_at == local(2025, 3, 12, 9, 0)
    assert [e.action for e in waited.events.order_by("seq")] == [
        "create", "accept", "forward", "request_supplement", "supply", "complete", "return_result"]
    assert SupplementRequest.objects.get(dossier=waited).supplied_at == local(2025, 3, 6, 9, 0)

    computed = Dossier.objects.get(code="HS-2025-0006")
    assert computed.due_at == local(2025, 3, 25, 9, 0)
    assert "due_computed" in computed.legacy_data["import"]["flags"]
    assert ("due_at" in {p.column for p in report.problems if p.severity == "warning" and p.code == "HS-2025-0006"})
    assert computed.holder.username == "spec" and computed.current_agency.code == JUSTICE
    assert computed.current_step is not None and computed.current_step.agency.code == JUSTICE

    logged = Dossier.objects.get(code="HS-2025-0007")
    assert list(logged.events.order_by("seq").values_list("action", "from_status", "to_status", "actor_name")) == [
        ("create", None, 1, "Cán bộ một cửa"), ("accept", 1, 2, "Cán bộ một cửa"),
        ("forward", 2, 4, "Chuyên viên A"), ("forward", 4, 4, "Trưởng phòng B")]
    assert logged.events.get(seq=2).reason == "Tiếp nhận tại quầy"
    # The apology's new appointment is kept beside the original one and does not make the dossier on time.
    assert logged.extended_due_at == local(2025, 3, 31, 17, 0) and logged.extension_count == 1
    assert logged.due_at == local(2025, 3, 10, 9, 0) and logged.timeliness == Timeliness.OPEN_OVERDUE

    waiting = Dossier.objects.get(code="HS-2025-0008")
    assert waiting.waiting_since == local(2025, 3, 5, 9, 0) and waiting.status == Status.SUPPLEMENT_REQUESTED
    assert waiting.clock_stops.get().ended_at is None

    new = Dossier.objects.get(code="HS-2025-0010")
    assert new.channel == "online" and new.receiving_agency.code == JUSTICE and new.received_at is None
    refused = Dossier.objects.get(code="HS-2025-0011")
    assert refused.refused_at == refused.finished_at == local(2025, 3, 4, 9, 30)
    organisation = Dossier.objects.get(code="HS-2025-0012")
    assert organisation.applicant_kind == "organisation" and organisation.channel == "postal"


def test_good_json_with_inline_logs_stops_and_national_field_names(world):
    report = run(read("good.json"), "good.json")
    assert report.ok, report.summary()
    assert report.created == 4
    verdicts = dict(Dossier.objects.values_list("code", "timeliness"))
    assert verdicts == {
        "LT/2025/000101": Timeliness.ON_TIME,  # 2 days late by the dates, 2 days waiting (read from the log)
        "LT/2025/000102": Timeliness.OPEN_OVERDUE,  # second supplement request
        "LT/2025/000103": Timeliness.OPEN_WITHIN,  # waiting for the payment since before the appointment
        "LT/2025/000104": Timeliness.EARLY,  # withdrawn while waiting: judged at the start of the wait
    }
    logged = Dossier.objects.get(code="LT/2025/000101")
    assert list(logged.events.order_by("seq").values_list("seq", "action", "from_status", "to_status")) == [
        (1, "create", None, 1), (2, "accept", 1, 2), (3, "forward", 2, 4), (4, "request_supplement", 4, 5),
        (5, "supply", 5, 4), (6, "complete", 4, 9), (7, "return_result", 9, 10)]
    assert logged.events.get(seq=4).reason == "Thiếu bản sao giấy tờ"
    assert all(e.data == {"imported": True} for e in logged.events.all())
    assert list(ClockStop.objects.filter(dossier=logged).values_list("started_at", "ended_at")) == [
        (local(2025, 3, 4, 10, 0), local(2025, 3, 6, 10, 0))]
    assert logged.supplement_count == 1
    assert logged.legacy_data["fields"] == {"thanh_phan": [{"ten": "Tờ khai", "so_ban": 1}]}

    aliased = Dossier.objects.get(code="LT/2025/000102")
    assert aliased.applicant_name == "Trần Văn Hai Lần" and aliased.handling_agency.code == JUSTICE
    assert aliased.supplement_count == 2 and aliased.clock_stops.count() == 2
    assert aliased.due_at == local(2025, 3, 10, 9, 0)  # computed, and flagged

    paying = Dossier.objects.get(code="LT/2025/000103")
    assert paying.status == Status.FINANCIAL_OBLIGATION and paying.fee_due == 150_000
    assert FinancialObligation.objects.get(dossier=paying).paid_at is None
    assert paying.waiting_since == local(2025, 3, 19, 10, 0)

    withdrawn = Dossier.objects.get(code="LT/2025/000104")
    assert withdrawn.waiting_since == local(2025, 3, 4, 10, 0)
    assert [e.action for e in withdrawn.events.order_by("seq")] == [
        "create", "accept", "request_supplement", "withdraw"]


def test_xlsx_with_a_log_sheet_keeps_the_time_of_date_cells(world):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["code", "procedure", "handling_agency", "applicant_name", "submitted_at", "received_at", "status"])
    sheet.append(["X-1", "1.000001", JUSTICE, "Nguyễn Văn Bảng", dt.datetime(2025, 3, 18, 9, 30),
                  dt.datetime(2025, 3, 18, 9, 30), 4])
    log = book.create_sheet("Nhật ký")
    log.append(["code", "at", "status", "actor"])
    log.append(["X-1", dt.datetime(2025, 3, 18, 9, 30), 2, "Một cửa"])
    log.append(["X-1", dt.datetime(2025, 3, 18, 14, 0), 4, "Chuyên viên"])
    out = io.BytesIO()
    book.save(out)
    report = run(out.getvalue(), "dossiers.xlsx")
    assert report.ok, report.summary()
    d = Dossier.objects.get(code="X-1")
    assert d.received_at == local(2025, 3, 18, 9, 30) and d.channel == "direct"  # a missing channel is direct
    assert list(d.events.order_by("seq").values_list("action", "at")) == [
        ("accept", local(2025, 3, 18, 9, 30)), ("forward", local(2025, 3, 18, 14, 0))]


def test_imported_dossiers_in_hand_carry_on_in_congso(world):
    assert import_good_csv().ok
    # In progress, held by the specialist: the next step follows the plan.
    d = perform("HS-2025-0006", Action.FORWARD, world.spec, at=NOW, assignee=world.head)
    assert d.status == Status.IN_PROGRESS and d.holder == world.head
    # Waiting for the applicant: the supplement comes in and the clock starts again.
    d = perform("HS-2025-0008", Action.SUPPLY, world.desk, at=NOW)
    assert d.status == Status.IN_PROGRESS and d.waiting_since is None
    assert d.supplement_requests.get().supplied_at == NOW
    # New online dossier: accepted in congso, which fixes the appointment then.
    d = perform("HS-2025-0010", Action.ACCEPT, world.justice_desk, at=NOW)
    assert d.status == Status.RECEIVED and d.due_at is not None
    # Resolved, waiting at the desk: the result is returned.
    d = perform("HS-2025-0003", Action.RETURN_RESULT, world.desk, at=NOW)
    assert d.status == Status.RETURNED and d.timeliness == Timeliness.EARLY


def test_an_online_dossier_asked_for_a_supplement_before_receipt(world):
    row = {**BASE, "channel": "2", "receiving_agency": "", "status": "5", "received_at": "", "due_at": "",
           "finished_at": "", "returned_at": ""}
    assert run(table(row)).ok
    d = Dossier.objects.get()
    assert d.current_agency == world.justice and d.timeliness == Timeliness.NOT_APPLICABLE
    assert not d.clock_stops.exists() and d.supplement_count == 0
    d = perform(d.code, Action.SUPPLY, world.justice_desk, at=NOW)
    assert d.status == Status.NEW
    d = perform(d.code, Action.ACCEPT, world.justice_desk, at=NOW)
    assert d.status == Status.RECEIVED and d.timeliness == Timeliness.OPEN_WITHIN


# --- codes ----------------------------------------------------------------------------------------------------------
def test_congso_code_raises_the_counter_so_the_code_is_never_issued_again(world):
    assert import_good_csv().ok
    counter = DossierCodeCounter.objects.get(agency=world.centre, day=dt.date(2025, 3, 3))
    assert counter.last_serial == 42
    created = create_dossier(intake(world), world.desk, at=local(2025, 3, 3, 15, 0))
    assert created.code == "000.00.02.H97-250303-0043"
    # Other days and agencies are untouched.
    other = create_dossier(intake(world), world.desk, at=local(2025, 3, 4, 9, 0))
    assert other.code == "000.00.02.H97-250304-0001"


def test_counter_is_never_lowered(world):
    for minute in range(3):
        create_dossier(intake(world), world.desk, at=local(2025, 3, 3, 9, minute))
    report = run(table({**BASE, "code": "000.00.02.H97-250303-0002"}))
    assert report.errors and problems(report) == [(2, "code")]  # issued by congso already: a duplicate
    report = run(table({**BASE, "code": "000.00.02.H97-250303-0001-OLD"}, {**BASE, "code": "000.00.09.H97-250303-0999"}))
    assert report.ok, report.summary()
    assert DossierCodeCounter.objects.get(agency=world.centre, day=dt.date(2025, 3, 3)).last_serial == 3
    assert create_dossier(intake(world), world.desk, at=local(2025, 3, 3, 16, 0)).code.endswith("-250303-0004")


def test_codes_are_kept_exactly_as_given(world):
    codes = ["hs-2025-a", "HS-2025-A", "G22.99/HS:0001", "000.00.53.H48-220921-0099"]
    report = run(table(*({**BASE, "code": c} for c in codes)))
    assert report.ok, report.summary()
    assert set(Dossier.objects.values_list("code", flat=True)) == set(codes)
    assert not DossierCodeCounter.objects.exists()  # H48 is no agency here


# --- all or nothing -------------------------------------------------------------------------------------------------
BAD_ROWS = [
    ({"procedure": "9.999999"}, "procedure"),
    ({"procedure": "999"}, "procedure"),
    ({"handling_agency": "000.00.99.H97"}, "handling_agency"),
    ({"receiving_agency": "nowhere"}, "receiving_agency"),
    ({"applicant_id_number": "001090012346789"}, "applicant_id_number"),
    ({"applicant_id_number": "999090012345"}, "applicant_id_number"),
    ({"applicant_kind": "organisation", "applicant_id_number": "0100109107"}, "applicant_id_number"),
    ({"received_at": "21/03/2025 09:00"}, "received_at"),  # in the future
    ({"finished_at": "2025-03-20T17:30:00+07:00"}, "finished_at"),  # future by half an hour
    ({"received_at": "03/03/2025 08:00"}, "received_at"),  # before the submission
    ({"returned_at": "07/03/2025 08:00"}, "returned_at"),  # before the end of handling
    ({"due_at": "02/03/2025 09:00"}, "due_at"),
    ({"returned_at": ""}, "returned_at"),  # status 10 without its return
    ({"status": "9"}, "returned_at"),  # a return only with status 10
    ({"status": "4"}, "finished_at"),  # in hand, yet finished
    ({"status": "11"}, "status"),
    ({"status": ""}, "status"),
    ({"status": "2", "finished_at": "", "returned_at": "", "received_at": ""}, "received_at"),
    ({"status": "3", "finished_at": "", "returned_at": ""}, "refused_at"),
    ({"status": "8", "finished_at": "", "returned_at": ""}, "finished_at"),
    ({"status": "5", "finished_at": "", "returned_at": ""}, "stops"),  # waiting without an open stop
    ({"stops": "04/03/2025 09:00|06/03/2025 09:00;05/03/2025 09:00|05/03/2025 10:00"}, "stops"),  # overlap
    ({"stops": "04/03/2025 09:00|"}, "stops"),  # unfinished stop on a returned dossier
    ({"stops": "02/03/2025 09:00|03/03/2025 10:00"}, "stops"),  # before receipt
    ({"stops": "04/03/2025 09:00|06/03/2025 09:00", "supplements": "0"}, "supplements"),
    ({"submitted_at": "32/13/2025 09:00"}, "submitted_at"),
    ({"submitted_at": "2025-03-03"}, "submitted_at"),  # a date without a time
    ({"submitted_at": "yesterday"}, "submitted_at"),
    ({"channel": "9"}, "channel"),
    ({"applicant_kind": "robot"}, "applicant_kind"),
    ({"applicant_email": "not-an-email"}, "applicant_email"),
    ({"applicant_phone": "12345"}, "applicant_phone"),
    ({"applicant_name": ""}, "applicant_name"),
    ({"applicant_name": "<script>alert(1)</script>"}, "applicant_name"),
    ({"applicant_name": "Nguyễn <b onmouseover=x>Văn</b>"}, "applicant_name"),
    ({"applicant_name": "A" * 10_000}, "applicant_name"),
    ({"applicant_name": "Tab\x07bell"}, "applicant_name"),
    ({"summary": "x" * 501}, "summary"),
    ({"ghi_chu": "<img src=x onerror=alert(1)>"}, "ghi_chu"),
    ({"ghi_chu": "bell\x07"}, "ghi_chu"),
    ({"code": "HS 2"}, "code"),
    ({"code": "<script>"}, "code"),
    ({"code": "H" * 65}, "code"),
    ({"holder": "nobody"}, "holder"),
    ({"status": "4", "finished_at": "", "returned_at": "", "holder": "finspec"}, "holder"),  # not of the agency
    ({"status": "4", "finished_at": "", "returned_at": "", "holder": "citizen"}, "holder"),  # not staff
    ({"status": "4", "finished_at": "", "returned_at": "", "handling_agency": "000.00.04.H97"}, "handling_agency"),
    ({"apology_due_at": "09/03/2025 09:00"}, "apology_due_at"),
    ({"supplements": "many"}, "supplements"),
]


@pytest.mark.parametrize(("changes", "column"), BAD_ROWS, ids=[c for _ch, c in BAD_ROWS])
def test_a_bad_row_is_reported_and_nothing_is_written(world, changes, column):
    report = run(good_and(changes))
    assert not report.ok and not report.written
    assert (3, column) in problems(report), report.summary()
    assert all(p.row == 3 for p in report.errors), report.summary()
    assert all(p.code == ("HS-B-0002" if "code" not in changes else p.code) for p in report.errors)
    assert not Dossier.objects.exists() and not ProcessingEvent.objects.exists()
    assert not DossierCodeCounter.objects.exists()


def test_every_bad_row_of_a_file_is_reported(world):
    rows = [BASE] + [{**BASE, "code": f"HS-B-{i:04d}", **changes}
                     for i, (changes, _column) in enumerate(BAD_ROWS[:12], start=10)]
    report = run(table(*rows))
    assert sorted({p.row for p in report.errors}) == list(range(3, 3 + 12))
    assert report.as_dict()["written"] is False and not Dossier.objects.exists()


def test_duplicate_codes_in_the_file_and_in_the_database(world):
    report = run(table(BASE, {**BASE, "applicant_name": "Người khác"}))
    assert problems(report) == [(3, "code")]
    assert "2" in report.errors[0].message and "3" in report.errors[0].message
    assert not Dossier.objects.exists()

    create_dossier(intake(world), world.desk, at=local(2025, 3, 3, 9, 0))
    existing = Dossier.objects.get().code
    report = run(table(BASE, {**BASE, "code": existing}))
    assert problems(report) == [(3, "code")] and report.errors[0].code == existing
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize(("content", "name"), [
    (b"", "empty.csv"),
    (b"\n\n", "blank.csv"),
    (b"code,status\n", "header-only.csv"),
    (b"\xff\xfe\x00\x01garbage\x00\x9c", "garbage.csv"),
    (b"\x00\x01\x02\x03", "noname"),
    (b"PK\x03\x04broken zip", "broken.xlsx"),
    (b"name,age\nAn,3\n", "wrong-columns.csv"),
    (b'code,status,procedure\n"HS-1,10,1.000001\nHS-2,10,1.000001\n', "unclosed-quote.csv"),
    (b'{"dossiers": [', "truncated.json"),
    (b'{"dossiers": {"code": "x"}}', "not-a-list.json"),
    (b'{"dossiers": [1, "two"]}', "not-objects.json"),
    (b'{"dossiers": []}', "no-rows.json"),
    (b"[" * 100_000 + b"]" * 100_000, "deep.json"),
])
def test_unreadable_files_are_reported_not_raised(world, content, name):
    report = run(content, name)
    assert not report.ok and report.errors, name
    assert not Dossier.objects.exists()
    json.dumps(report.as_dict())  # the report can always be printed


def test_json_values_must_be_scalars_and_the_log_must_match_the_status(world):
    base = {k: v for k, v in BASE.items() if v}
    data = {"dossiers": [
        {**base, "code": "J-1", "applicant_name": ["a", "b"]},
        {**base, "code": "J-2", "log": [{"at": "2025-03-03T09:00:00+07:00", "status": 2},
                                         {"at": "2025-03-07T09:00:00+07:00", "status": 9}]},
        {**base, "code": "J-3", "log": [{"at": "2025-03-05T09:00:00+07:00", "status": 2},
                                         {"at": "2025-03-04T09:00:00+07:00", "status": 10}]},
        {**base, "code": "J-4", "log": [{"at": "2025-03-03T09:00:00+07:00", "action": "fly"}]},
        {**base, "code": "J-5", "log": [{"at": "2025-03-02T09:00:00+07:00", "status": 10}]},
        {**base, "code": "J-6", "log": "everything went fine"},
        {**base, "code": "J-7", "stops": "not a list"},
        {**base, "code": "J-8", "log": [{"at": "2025-03-03T09:00:00+07:00", "status": 10, "note": "<script>x</script>"}]},
        {**base, "code": "J-9", "thanh_phan": [{"ten": ["ok", {"sau": "bell\x07"}]}]},
    ]}
    report = run(json.dumps(data).encode(), "bad.json")
    assert sorted(problems(report)) == [
        (1, "applicant_name"), (2, "log"), (3, "log[2].at"), (4, "log[1].action"), (5, "log[1].at"), (6, "log"),
        (7, "stops"), (8, "log[1].note"), (9, "thanh_phan")]
    assert not Dossier.objects.exists()


def test_log_file_problems_point_at_the_log_rows(world):
    log = b"code,at,status\nHS-B-0001,03/03/2025 09:00,2\nHS-UNKNOWN,03/03/2025 09:00,2\nHS-B-0001,bad,10\n"
    report = run(table(BASE), log_content=log, log_filename="log.csv")
    assert problems(report) == [(3, "log.code"), (4, "log.at")]
    report = run(table(BASE), log_content=b"who,when\nx,y\n", log_filename="log.csv")
    assert {c for _r, c in problems(report)} == {"log.code", "log.at", "log.status"}
    assert not Dossier.objects.exists()


# --- warnings ---------------------------------------------------------------------------------------------------------
def test_historical_version_no_longer_in_force_is_pinned_to_the_nearest_and_flagged(world):
    version = ProcedureVersion.objects.get(procedure=world.procedure)
    version.valid_from = dt.date(2025, 3, 5)  # the only version starts after the submission
    version.save()
    report = run(table(BASE, {**BASE, "code": "HS-B-0002", "handling_agency": "000.00.04.H97"}))
    assert report.ok, report.summary()
    assert (2, "procedure") in problems(report, "warning")
    assert (3, "handling_agency") in problems(report, "warning")  # not implementing: a warning for history
    d = Dossier.objects.get(code="HS-B-0001")
    assert d.procedure_version == version and "version_not_in_force" in d.legacy_data["import"]["flags"]
    assert "agency_not_implementing" in Dossier.objects.get(code="HS-B-0002").legacy_data["import"]["flags"]


def test_an_agency_that_no_longer_exists_cannot_hold_a_dossier_in_hand(world):
    world.finance.valid_to = dt.date(2025, 3, 1)
    world.finance.save()
    in_hand = {"status": "4", "finished_at": "", "returned_at": "", "current_agency": "000.00.04.H97"}
    report = run(good_and(in_hand))
    assert problems(report) == [(3, "current_agency")]
    report = run(good_and({"current_agency": "000.00.04.H97"}))  # history: fine
    assert report.ok, report.summary()


def test_missing_submission_and_end_times_are_taken_from_neighbours_and_flagged(world):
    report = run(table({**BASE, "submitted_at": "", "finished_at": ""}))
    assert report.ok, report.summary()
    assert problems(report, "warning") == [(2, "submitted_at"), (2, "finished_at")]
    d = Dossier.objects.get()
    assert d.submitted_at == d.received_at and d.finished_at == d.returned_at == local(2025, 3, 7, 10, 0)
    assert d.legacy_data["import"]["flags"] == ["submitted_from_received", "finished_from_returned", "log_synthesised"]


# --- re-import, dry run, the command --------------------------------------------------------------------------------
def test_dry_run_writes_nothing(world):
    report = import_good_csv(dry_run=True)
    assert report.ok and not report.written and report.rows == 12 and report.created == 0
    assert report.counters == [{"agency": CENTRE, "day": "2025-03-03", "serial": 42}]
    assert sum(report.timeliness.values()) == 12
    assert not Dossier.objects.exists() and not DossierCodeCounter.objects.exists()


def test_reimporting_the_same_file(world):
    assert import_good_csv().ok
    events = ProcessingEvent.objects.count()
    again = import_good_csv()
    assert not again.ok and len(again.errors) == 12
    assert {p.column for p in again.errors} == {"code"}
    assert Dossier.objects.count() == 12 and ProcessingEvent.objects.count() == events
    skipped = import_good_csv(skip_existing=True)
    assert skipped.ok and skipped.unchanged == 12 and skipped.created == 0
    assert Dossier.objects.count() == 12 and ProcessingEvent.objects.count() == events


def test_parse_instant():
    assert parse_instant("2025-03-03T09:00") == local(2025, 3, 3, 9, 0)
    assert parse_instant("2025-03-03T02:00:00Z") == local(2025, 3, 3, 9, 0)
    assert parse_instant("2025-03-03 09:00:00+0700") == local(2025, 3, 3, 9, 0)
    assert parse_instant("3/3/2025 9:05") == local(2025, 3, 3, 9, 5)
    for bad in ("03/03/2025", "2025-03-03", "", "3 March 2025", "2025-13-01T00:00"):
        with pytest.raises(ValueError):
            parse_instant(bad)


def test_command(world, tmp_path, capsys):
    good, log = DATA / "good.csv", DATA / "good_log.csv"
    call_command("import_dossiers", str(good), "--log", str(log), "--dry-run")
    assert not Dossier.objects.exists()
    assert "12" in capsys.readouterr().out
    call_command("import_dossiers", str(good), "--log", str(log), "--json")
    output = json.loads(capsys.readouterr().out)
    assert output["written"] and output["created"] == 12 and Dossier.objects.count() == 12
    with pytest.raises(CommandError) as error:
        call_command("import_dossiers", str(good), "--log", str(log))
    assert error.value.returncode == 1
    call_command("import_dossiers", str(good), "--log", str(log), "--skip-existing")
    with pytest.raises(CommandError) as error:
        call_command("import_dossiers", str(tmp_path / "missing.csv"))
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command("import_dossiers", str(good), "--log", str(tmp_path / "missing.csv"))
    assert error.value.returncode == 2


def test_command_json_report(world, tmp_path, capsys):
    path = tmp_path / "one.json"
    one = {**{k: v for k, v in BASE.items() if v}, "code": "HS-J-0001"}
    path.write_text(json.dumps({"dossiers": [one]}), encoding="utf-8")
    call_command("import_dossiers", str(path), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["written"] and report["created"] == 1
    assert report["timeliness"] == {"early": 1}
    bad = tmp_path / "bad.csv"
    bad.write_bytes(good_and({"applicant_id_number": "123"}))
    with pytest.raises(CommandError):
        call_command("import_dossiers", str(bad), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["problems"][0] == {"row": 3, "column": "applicant_id_number", "code": "HS-B-0002",
                                     "message": report["problems"][0]["message"], "severity": "error"}



def test_a_code_written_meanwhile_rolls_the_whole_import_back(world, monkeypatch):
    from congso.dossiers import legacy

    real = legacy._write

    def racing(plans, counters, user):
        create_dossier(intake(world), world.desk, at=local(2025, 3, 3, 9, 0))
        Dossier.objects.filter(origin="congso").update(code="HS-B-0002")  # the same code, just before ours
        real(plans, counters, user)

    monkeypatch.setattr(legacy, "_write", racing)
    report = run(table(BASE, {**BASE, "code": "HS-B-0002"}))
    assert not report.ok and not report.written and problems(report) == [(1, "code")]
    assert not Dossier.objects.filter(origin="import").exists()


def test_the_documented_examples_import(world):
    doc = (Path(__file__).resolve().parents[3] / "docs" / "legacy-import.md").read_text(encoding="utf-8")
    dossiers, log = re.findall(r"```csv\n(.*?)```", doc, re.S)
    report = run(dossiers.encode(), "doc.csv", log_content=log.encode(), log_filename="doc-log.csv")
    assert report.ok and report.created == 2, report.summary()
    (example,) = re.findall(r"```json\n(.*?)```", doc, re.S)
    report = run(example.encode(), "doc.json")
    assert report.ok and report.created == 2, report.summary()
    assert dict(Dossier.objects.values_list("code", "timeliness")) == {
        "HS-2025-0001": Timeliness.ON_TIME, "HS-2025-0007": Timeliness.OPEN_OVERDUE,
        "LT/2025/000101": Timeliness.ON_TIME, "LT/2025/000102": Timeliness.OPEN_OVERDUE}
