import datetime as dt

import pytest

from congso.dossiers.choices import Action, Status, Timeliness
from congso.dossiers.models import ClockStop, Dossier
from congso.dossiers.services.actions import perform, reassign_all
from congso.dossiers.services.common import BadInput, Conflict, Forbidden, InvalidTransition
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import PDF, intake, local

RECEIVED = local(2025, 1, 20, 9, 0)  # Monday; 5 working days → Mon 3 Feb 09:00 (Tết 27–31 Jan)


def create(w, at=RECEIVED, **kwargs):
    return create_dossier(intake(w, **kwargs), w.desk, at=at)


def act(dossier, action, user, at, **params):
    return perform(dossier.code, action, user, at=at, **params)


def run_to_resolved(w, dossier, start):
    """Desk → specialist → head → leader → resolved, an hour apart."""
    d = act(dossier, Action.FORWARD, w.desk, start, assignee=w.spec)
    d = act(d, Action.FORWARD, w.spec, start + dt.timedelta(hours=1), assignee=w.head)
    d = act(d, Action.FORWARD, w.head, start + dt.timedelta(hours=2), assignee=w.lead)
    return act(d, Action.COMPLETE, w.lead, start + dt.timedelta(hours=3),
               results=[{"name": "Giấy chứng nhận", "result_code": "KQ.G15.000001", "number": "12/GCN",
                         "file": ("ket qua.pdf", PDF)}])


def test_desk_intake_receives_with_code_appointment_and_first_step(world):
    d = create(world)
    assert d.code == "000.00.02.H97-250120-0001"
    assert d.status == Status.RECEIVED
    assert d.received_at == RECEIVED
    assert d.due_at == local(2025, 2, 3, 9, 0)
    assert d.current_step.agency == world.centre and d.holder == world.desk
    assert d.fee_due == 50_000
    assert d.has_digitized_components
    assert [e.action for e in d.events.order_by("seq")] == ["create", "accept"]
    assert all(c.file and len(c.file.sha256) == 64 for c in d.components.all())
    assert d.timeliness == Timeliness.OPEN_WITHIN


def test_codes_are_sequential_per_agency_and_day(world):
    codes = [create(world, at=RECEIVED + dt.timedelta(minutes=i)).code for i in range(3)]
    assert codes == [f"000.00.02.H97-250120-000{i}" for i in (1, 2, 3)]
    assert create(world, at=local(2025, 1, 21, 8, 30)).code == "000.00.02.H97-250121-0001"
    other = create_dossier(intake(world, receiving=world.justice), world.justice_desk, at=RECEIVED)
    assert other.code == "000.00.03.H97-250120-0001"


def test_full_lifecycle_to_returned_result(world):
    d = create(world)
    d = run_to_resolved(world, d, local(2025, 1, 20, 10, 0))
    assert d.status == Status.RESOLVED
    assert d.resolved_at == d.finished_at == local(2025, 1, 20, 13, 0)
    assert d.current_step.role == "desk_officer" and d.current_step.agency == world.centre
    assert d.results.get().is_electronic
    d = act(d, Action.RETURN_RESULT, world.desk, local(2025, 1, 21, 9, 0))
    assert d.status == Status.RETURNED and d.returned_at == local(2025, 1, 21, 9, 0)
    assert d.timeliness == Timeliness.EARLY
    sheet = list(d.handovers.order_by("at", "id"))
    assert [(h.from_agency.code, h.to_agency.code) for h in sheet] == [
        ("000.00.02.H97", "000.00.03.H97"), ("000.00.03.H97", "000.00.03.H97"),
        ("000.00.03.H97", "000.00.03.H97"), ("000.00.03.H97", "000.00.02.H97"),
    ]
    assert all(h.verdict in (Timeliness.EARLY, Timeliness.ON_TIME) for h in sheet)
    assert [e.action for e in d.events.order_by("seq")] == [
        "create", "accept", "forward", "forward", "forward", "complete", "return_result"]
    assert d.version == 6


def test_step_deadlines_follow_the_process_shares(world):
    d = create(world)
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 9, 30), assignee=world.spec)
    # The specialist's share is 24 working hours: Mon 9:30 + 24 h → Thu 09:30.
    assert d.step_due_at == local(2025, 1, 23, 9, 30)
    late = act(d, Action.FORWARD, world.spec, local(2025, 1, 24, 10, 0), assignee=world.head)
    row = late.handovers.order_by("-at").first()
    assert row.verdict == Timeliness.LATE and row.step_deadline == local(2025, 1, 23, 9, 30)


def test_supplement_stops_the_clock(world):
    d = create(world)
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    d = act(d, Action.REQUEST_SUPPLEMENT, world.spec, local(2025, 1, 21, 9, 0), reason="Thiếu giấy tờ",
            items=["Bản sao giấy khai sinh", "Ảnh 4x6"])
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.waiting_since == local(2025, 1, 21, 9, 0)
    assert d.supplement_count == 1
    d = act(d, Action.SUPPLY, world.desk, local(2025, 1, 23, 9, 0), files=[("bo sung.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10)])
    assert d.status == Status.IN_PROGRESS
    assert d.waiting_seconds == 2 * 24 * 3600
    # Two working days inside the stop move the appointment from Mon 3 Feb 09:00 to Wed 5 Feb 09:00.
    assert d.current_due_at == local(2025, 2, 5, 9, 0)
    assert d.due_at == local(2025, 2, 3, 9, 0)
    assert ClockStop.objects.get(dossier=d).ended_at == local(2025, 1, 23, 9, 0)
    request = d.supplement_requests.get()
    assert request.previous_due_at == local(2025, 2, 3, 9, 0) and request.new_due_at == local(2025, 2, 5, 9, 0)
    # Finished on Tue 4 Feb: after the original appointment, but within it once the waiting time is subtracted.
    d = run_to_resolved_from_spec(world, d, local(2025, 2, 4, 9, 0))
    assert d.timeliness in (Timeliness.ON_TIME, Timeliness.EARLY)


def run_to_resolved_from_spec(w, d, start):
    d = act(d, Action.FORWARD, w.spec, start, assignee=w.head)
    d = act(d, Action.FORWARD, w.head, start + dt.timedelta(minutes=30), assignee=w.lead)
    return act(d, Action.COMPLETE, w.lead, start + dt.timedelta(hours=1), results=[{"name": "Giấy chứng nhận"}])


def test_a_second_supplement_request_makes_the_dossier_late(world):
    d = create(world)
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    for day in (21, 22):
        d = act(d, Action.REQUEST_SUPPLEMENT, world.spec, local(2025, 1, day, 9, 0), reason="Thiếu", items=["A"])
        d = act(d, Action.SUPPLY, world.desk, local(2025, 1, day, 10, 0))
    assert d.supplement_count == 2
    assert d.timeliness == Timeliness.OPEN_OVERDUE
    d = run_to_resolved_from_spec(world, d, local(2025, 1, 22, 11, 0))
    assert d.timeliness == Timeliness.LATE


def test_apology_before_the_deadline_keeps_the_original_and_stays_late(world):
    d = create(world)
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    with pytest.raises(BadInput):
        act(d, Action.APOLOGIZE, world.head, local(2025, 1, 31, 9, 0), reason="", new_due_at=local(2025, 2, 10, 9, 0))
    d = act(d, Action.APOLOGIZE, world.head, local(2025, 2, 3, 8, 0), reason="Cần xác minh thêm",
            new_due_at=local(2025, 2, 10, 9, 0))
    assert d.extended_due_at == local(2025, 2, 10, 9, 0) and d.due_at == local(2025, 2, 3, 9, 0)
    assert d.extensions.get().previous_due_at == local(2025, 2, 3, 9, 0)
    # After the appointment has passed, an apology is no longer possible.
    with pytest.raises(InvalidTransition):
        act(d, Action.APOLOGIZE, world.head, local(2025, 2, 11, 9, 0), reason="Muộn", new_due_at=local(2025, 2, 20, 9, 0))
    d = run_to_resolved_from_spec(world, d, local(2025, 2, 7, 9, 0))
    assert d.timeliness == Timeliness.LATE  # met the new appointment, still late by the rule


def test_online_dossier_waits_for_acceptance_and_counts_from_it(world):
    data = intake(world, channel="online")
    d = create_dossier(data, world.citizen, at=local(2025, 1, 18, 20, 0))  # Saturday evening
    assert d.status == Status.NEW and d.received_at is None and d.applicant == world.citizen
    assert d.code.startswith("000.00.03.H97-250118-")
    assert d.timeliness == Timeliness.NOT_APPLICABLE
    d = act(d, Action.ACCEPT, world.justice_desk, RECEIVED)
    assert d.status == Status.RECEIVED and d.due_at == local(2025, 2, 3, 9, 0)


def test_refused_at_intake_is_not_received(world):
    d = create_dossier(intake(world, channel="online"), world.citizen, at=local(2025, 1, 18, 20, 0))
    with pytest.raises(BadInput):
        act(d, Action.REFUSE, world.justice_desk, RECEIVED)  # a refusal needs its reason
    d = act(d, Action.REFUSE, world.justice_desk, RECEIVED, reason="Không thuộc thẩm quyền")
    assert d.status == Status.REFUSED and d.received_at is None
    assert d.timeliness == Timeliness.NOT_APPLICABLE
    with pytest.raises(InvalidTransition):
        act(d, Action.ACCEPT, world.justice_desk, RECEIVED)


def test_withdrawal_while_waiting_ends_at_the_request(world):
    d = create(world)
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    d = act(d, Action.REQUEST_SUPPLEMENT, world.spec, local(2025, 1, 21, 9, 0), reason="Thiếu", items=["A"])
    d = act(d, Action.WITHDRAW, world.citizen if d.applicant_id else world.desk, local(2025, 3, 1, 9, 0),
            reason="Không bổ sung được")
    assert d.status == Status.WITHDRAWN and d.finished_at == local(2025, 3, 1, 9, 0)
    assert d.timeliness == Timeliness.EARLY  # judged at the request time, 21 Jan, well before 3 Feb


def test_transfer_to_another_agency_and_back(world):
    d = create(world)
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    d = act(d, Action.TRANSFER, world.spec, local(2025, 1, 20, 11, 0), reason="Lấy ý kiến Sở Tài chính",
            to_agency=world.finance.code, share_hours=8)
    assert d.current_agency == world.finance and d.step_due_at == local(2025, 1, 21, 11, 0)
    assert Dossier.objects.for_user(world.fin_spec).filter(pk=d.pk).exists()
    with pytest.raises(Forbidden):  # the justice specialist no longer holds it
        act(d, Action.FORWARD, world.spec, local(2025, 1, 20, 14, 0))
    d = act(d, Action.RETURN_TRANSFER, world.fin_spec, local(2025, 1, 21, 10, 0), reason="Đã có ý kiến")
    assert d.current_agency == world.justice and d.holder == world.spec
    assert d.current_step.plan_index == 1
    sheet = [(h.from_agency.code, h.to_agency.code, h.verdict) for h in d.handovers.order_by("at", "id")]
    assert sheet[-2:] == [("000.00.03.H97", "000.00.04.H97", Timeliness.EARLY),
                          ("000.00.04.H97", "000.00.03.H97", Timeliness.ON_TIME)]


def test_financial_obligation_stops_the_clock_until_paid(world):
    d = create(world)
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    d = act(d, Action.REQUEST_PAYMENT, world.spec, local(2025, 1, 21, 9, 0), amount=200_000)
    assert d.status == Status.FINANCIAL_OBLIGATION and d.fee_due == 250_000
    with pytest.raises(BadInput):
        act(d, Action.RECORD_PAYMENT, world.desk, local(2025, 1, 22, 9, 0), amount=300_000)
    d = act(d, Action.RECORD_PAYMENT, world.desk, local(2025, 1, 22, 9, 0), amount=250_000, reference="BL-1")
    assert d.status == Status.IN_PROGRESS and d.fee_paid == 250_000 and d.waiting_seconds == 24 * 3600
    assert d.current_due_at == local(2025, 2, 4, 9, 0)
    with pytest.raises(BadInput):  # the same receipt twice
        act(d, Action.RECORD_PAYMENT, world.desk, local(2025, 1, 22, 9, 5), amount=1, reference="BL-1")


def test_stop_handling_is_terminal(world):
    d = create(world)
    d = act(d, Action.STOP, world.lead, local(2025, 1, 22, 9, 0), reason="Người nộp qua đời")
    assert d.status == Status.STOPPED and d.finished_at == local(2025, 1, 22, 9, 0) and d.holder is None
    for action in (Action.FORWARD, Action.COMPLETE, Action.WITHDRAW):
        with pytest.raises(InvalidTransition):
            act(d, action, world.lead, local(2025, 1, 22, 10, 0), reason="x")


def test_actions_need_the_right_status_role_and_agency(world):
    d = create(world)
    with pytest.raises(InvalidTransition):
        act(d, Action.COMPLETE, world.lead, local(2025, 1, 20, 10, 0), results=[{"name": "x"}])
    with pytest.raises(Forbidden):  # a specialist of another agency
        act(d, Action.FORWARD, world.fin_spec, local(2025, 1, 20, 10, 0))
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    with pytest.raises(Forbidden):  # assigned to spec, not spec2
        act(d, Action.FORWARD, world.spec2, local(2025, 1, 20, 11, 0))
    with pytest.raises(Forbidden):  # only heads and leaders apologise
        act(d, Action.APOLOGIZE, world.spec, local(2025, 1, 20, 11, 0), reason="x", new_due_at=local(2025, 2, 9, 9))
    with pytest.raises(BadInput):  # the assignee must work at the step's agency
        act(d, Action.FORWARD, world.spec, local(2025, 1, 20, 11, 0), assignee=world.fin_spec)
    assert Dossier.objects.get(pk=d.pk).version == 2  # nothing changed by the refused attempts


def test_stale_version_is_a_conflict_and_changes_nothing(world):
    d = create(world)
    perform(d.code, Action.FORWARD, world.desk, expected_version=d.version, at=local(2025, 1, 20, 10), assignee=world.spec)
    with pytest.raises(Conflict):
        perform(d.code, Action.STOP, world.lead, expected_version=d.version, at=local(2025, 1, 20, 11), reason="x")
    assert Dossier.objects.get(pk=d.pk).status == Status.IN_PROGRESS


def test_bulk_reassignment_of_an_absent_officer(world):
    dossiers = [create(world, at=RECEIVED + dt.timedelta(minutes=i)) for i in range(3)]
    for d in dossiers:
        act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    moved = reassign_all(world.spec, world.spec2, world.justice, world.head, reason="Nghỉ phép")
    assert sorted(moved) == sorted(d.code for d in dossiers)
    assert set(Dossier.objects.filter(code__in=moved).values_list("holder__username", flat=True)) == {"spec2"}


def test_bad_input_at_creation_writes_nothing(world, settings):
    from congso.dossiers.models import DossierCodeCounter

    cases = [
        dict(procedure_code="9.999999"),
        dict(handling_agency_code=world.finance.code),  # does not carry out the procedure
        dict(applicant_id_number="003090012345"),  # bad province code
        dict(applicant_kind="organisation", applicant_id_number="0100109107"),  # bad check digit
        dict(applicant_name="   "),
        dict(applicant_phone="12"),
        dict(channel="fax"),
    ]
    for case in cases:
        with pytest.raises(BadInput):
            create_dossier(intake(world, **case), world.desk, at=RECEIVED)
    with pytest.raises(BadInput):  # in the future
        create_dossier(intake(world), world.desk, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    from django.core.exceptions import ValidationError

    for bad in [("virus.exe", b"MZ\x90\x00"), ("scan.pdf", b"<html><script>x</script>"),
                ("anh.jpg", PDF), ("empty.pdf", b"")]:
        data = intake(world)
        data.components[0].file = bad
        with pytest.raises(ValidationError):
            create_dossier(data, world.desk, at=RECEIVED)
    settings.CONGSO_MAX_UPLOAD_BYTES = 100
    data = intake(world)
    data.components[0].file = ("big.pdf", PDF + b" " * 200 + b"%%EOF")
    with pytest.raises(ValidationError):
        create_dossier(data, world.desk, at=RECEIVED)
    assert Dossier.objects.count() == 0
    assert not DossierCodeCounter.objects.filter(last_serial__gt=0).exists()
    with pytest.raises(Forbidden):  # a specialist is not a desk officer
        create_dossier(intake(world), world.spec, at=RECEIVED)


def test_cut_off_and_same_day_procedures(world):
    from decimal import Decimal

    from congso.dossiers.tests.conftest import make_procedure

    make_procedure("2.000815", world.justice, amount=Decimal(0), shares=(0, Decimal("0.6"), 0, Decimal("0.4"), 0),
                   cutoff=dt.time(15, 0))
    d = create_dossier(intake(world, procedure="2.000815"), world.desk, at=local(2026, 4, 23, 15, 10))
    assert d.due_at == local(2026, 4, 24, 17, 0)  # calendar.md: Thu 15:10 after the 15:00 cut-off → Fri 17:00
    d = act(d, Action.FORWARD, world.desk, local(2026, 4, 24, 8, 0), assignee=world.spec)
    # 60% of the whole (8 working hours) = 4.8 h from Fri 08:00: 4 h to noon, 0.8 h after lunch → 13:48.
    assert d.step_due_at == local(2026, 4, 24, 13, 48)


def test_a_refused_action_leaves_no_file_behind(world, settings):
    from pathlib import Path

    d = create(world, files=False)
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    before = {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    with pytest.raises(BadInput):  # the second result is invalid: the first result's file must not stay
        act(d, Action.COMPLETE, world.spec, local(2025, 1, 20, 11, 0),
            results=[{"name": "Giấy chứng nhận", "file": ("kq.pdf", PDF)}, {"name": ""}])
    assert {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} == before
    assert Dossier.objects.get(pk=d.pk).results.count() == 0


def test_send_back_returns_to_the_previous_step_and_its_holder(world):
    d = create(world)
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    d = act(d, Action.FORWARD, world.spec, local(2025, 1, 21, 10, 0), assignee=world.head)
    d = act(d, Action.SEND_BACK, world.head, local(2025, 1, 21, 14, 0), reason="Dự thảo chưa đạt")
    assert d.current_step.plan_index == 1 and d.holder == world.spec
    assert d.handovers.order_by("-at", "-id").first().note == "Dự thảo chưa đạt"
    first = create(world, at=local(2025, 1, 20, 9, 30))
    first = act(first, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    first = act(first, Action.SEND_BACK, world.spec, local(2025, 1, 20, 11, 0), reason="Thiếu chữ ký")
    assert first.current_agency == world.centre and first.holder == world.desk
    with pytest.raises(Forbidden):  # a desk officer does not send back
        act(first, Action.SEND_BACK, world.desk, local(2025, 1, 20, 11, 30), reason="y")
    admin = type(world.desk).objects.create(username="root", is_superuser=True, account_type="staff")
    with pytest.raises(InvalidTransition):  # and there is nothing before the desk's receipt
        act(first, Action.SEND_BACK, admin, local(2025, 1, 20, 11, 30), reason="y")


def test_assign_moves_the_step_to_another_officer(world):
    d = create(world)
    d = act(d, Action.FORWARD, world.desk, local(2025, 1, 20, 10, 0), assignee=world.spec)
    with pytest.raises(BadInput):
        act(d, Action.ASSIGN, world.head, local(2025, 1, 20, 11, 0))
    d = act(d, Action.ASSIGN, world.head, local(2025, 1, 20, 11, 0), assignee=world.spec2, reason="Cân đối việc")
    assert d.holder == world.spec2 and d.current_step.assignee == world.spec2
    assert d.events.order_by("-seq").first().data == {"from": "spec", "to": "spec2"}


def test_open_dossiers_are_rejudged_at_the_end_of_a_period(world):
    from congso.dossiers.services.sweeps import refresh_timeliness

    d = create(world)
    assert d.timeliness == Timeliness.OPEN_WITHIN
    assert refresh_timeliness(local(2025, 2, 3, 9, 0)) == 0  # exactly at the appointment: still within
    assert refresh_timeliness(local(2025, 2, 28, 23, 59)) == 1  # the period's last instant
    assert Dossier.objects.get(pk=d.pk).timeliness == Timeliness.OPEN_OVERDUE


def test_token_authentication_for_systems(world):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=world.spec)
    d = create(world)
    client = APIClient()
    assert client.get(f"/api/v1/dossiers/{d.code}").status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(f"/api/v1/dossiers/{d.code}").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(f"/api/v1/dossiers/{d.code}").status_code in (401, 403)


def test_roles_are_read_once_per_action_and_for_late_comers(world, django_assert_max_num_queries):
    from congso.dossiers.services.common import membership_cache, role_in
    from congso.org.choices import Role

    with membership_cache():
        assert role_in(world.spec, world.justice, [Role.SPECIALIST]).role == Role.SPECIALIST
        with django_assert_max_num_queries(0):  # cached for the action
            assert role_in(world.spec, world.finance, [Role.SPECIALIST]) is None
        assert role_in(world.head, world.justice, [Role.SPECIALIST, Role.DEPARTMENT_HEAD]).role == Role.DEPARTMENT_HEAD
    assert role_in(world.lead, world.justice.pk, [Role.AGENCY_LEADER]) is not None  # outside an action: no cache
