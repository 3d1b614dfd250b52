"""Escalations: an open dossier past its appointment goes to department heads and agency leaders, once per
appointment."""

import datetime as dt

from congso.dossiers.choices import Action
from congso.dossiers.models import Dossier
from congso.notifications.models import Notification
from congso.operations.models import ReminderKind, ReminderLog
from congso.operations.services.reminders import send_escalations
from congso.operations.tests.conftest import act, create, local, logged, make_user, sent
from congso.org.choices import Role
from congso.org.models import Department, Membership

TEMPLATE = "dossier_overdue_escalation"
RECEIVED = local(2025, 1, 20, 9, 0)  # Monday; 5 working days → Mon 3 Feb 09:00 (Tết 27–31 Jan skipped)
APPOINTMENT = local(2025, 2, 3, 9, 0)


def in_hand(w, assignee=None):
    d = create(w, RECEIVED)
    d = act(d, Action.FORWARD, w.desk, local(2025, 1, 20, 10, 0), assignee=assignee or w.spec)
    assert d.current_due_at == APPOINTMENT
    return d


def escalated_to():
    return sorted(user for _template, user in sent(TEMPLATE))


def test_escalates_once_after_the_appointment_to_heads_and_leaders(ops_world):
    w = ops_world
    d = in_hand(w)
    assert send_escalations(local(2025, 1, 29, 10, 0))["count"] == 0  # Tết
    assert send_escalations(APPOINTMENT)["count"] == 0  # exactly at the appointment: still within
    result = send_escalations(APPOINTMENT + dt.timedelta(minutes=1))
    assert result["dossier_overdue"] == {"selected": 1, "logged": 1, "notifications": 2, "without_recipient": 0}
    assert escalated_to() == ["head", "lead"]
    message = Notification.objects.filter(user=w.lead).get()
    assert message.context["deadline"] == "2025-02-03T09:00:00+07:00" and message.context["holder"] == "Spec"
    assert message.dedupe_key == f"reminder:dossier_overdue:{d.pk}:{int(APPOINTMENT.timestamp())}:{w.lead.pk}"
    assert send_escalations(APPOINTMENT + dt.timedelta(minutes=16))["count"] == 0
    assert send_escalations(local(2025, 2, 10, 9, 0))["count"] == 0
    assert Notification.objects.count() == 2
    log = ReminderLog.objects.get()
    assert (log.kind, log.step_id, log.deadline, log.recipients) == (ReminderKind.DOSSIER_OVERDUE, None, APPOINTMENT, 2)


def test_an_apology_moves_the_escalation_to_its_new_appointment_once(ops_world):
    w = ops_world
    d = in_hand(w)
    new = local(2025, 2, 10, 9, 0)
    act(d, Action.APOLOGIZE, w.head, local(2025, 1, 31, 9, 0), reason="Cần xác minh", new_due_at=new)
    assert send_escalations(APPOINTMENT + dt.timedelta(minutes=1))["count"] == 0  # the apology promised 10 Feb
    assert send_escalations(new)["count"] == 0
    assert send_escalations(new + dt.timedelta(minutes=1))["count"] == 1
    assert send_escalations(new + dt.timedelta(hours=1))["count"] == 0
    assert escalated_to() == ["head", "lead"]
    assert ReminderLog.objects.get().deadline == new


def test_a_moved_appointment_escalates_again_once(ops_world):
    """Escalated at the appointment; a supplement request then stops the clock, the supply moves the current
    appointment by the working time of the stop, and its passing is escalated once more."""
    w = ops_world
    d = in_hand(w)
    send_escalations(APPOINTMENT + dt.timedelta(minutes=1))
    d = act(d, Action.REQUEST_SUPPLEMENT, w.spec, local(2025, 2, 3, 10, 0), reason="Thiếu", items=["A"])
    assert send_escalations(local(2025, 2, 4, 10, 0))["count"] == 0  # waiting for the applicant, escalated already
    d = act(d, Action.SUPPLY, w.desk, local(2025, 2, 4, 10, 0))
    moved = Dossier.objects.get(pk=d.pk).current_due_at
    assert moved == local(2025, 2, 4, 9, 0)  # moved by the 8 working hours of the stop
    assert send_escalations(local(2025, 2, 4, 10, 1))["count"] == 1
    assert send_escalations(local(2025, 2, 4, 11, 0))["count"] == 0
    assert escalated_to() == ["head", "head", "lead", "lead"]
    assert sorted(ReminderLog.objects.values_list("deadline", flat=True)) == [APPOINTMENT, moved]


def test_recipients_follow_the_holders_department_and_the_agencies(ops_world):
    w = ops_world
    civil = Department.objects.create(agency=w.justice, code="HT", name="Phòng Hộ tịch")
    other = Department.objects.create(agency=w.justice, code="BTTP", name="Phòng Bổ trợ tư pháp")
    clerk = make_user("civilspec", email="civilspec@example.gov.vn")
    Membership.objects.create(user=clerk, agency=w.justice, department=civil, role=Role.SPECIALIST)
    civil_head = make_user("civilhead", email="civilhead@example.gov.vn")
    Membership.objects.create(user=civil_head, agency=w.justice, department=civil, role=Role.DEPARTMENT_HEAD)
    other_head = make_user("otherhead", email="otherhead@example.gov.vn")
    Membership.objects.create(user=other_head, agency=w.justice, department=other, role=Role.DEPARTMENT_HEAD)
    fin_lead = make_user("finlead", w.finance, Role.AGENCY_LEADER, email="finlead@example.gov.vn")

    in_hand(w, assignee=clerk)
    # The holder's department head and the agency-wide head (no department), not the other department's head.
    send_escalations(APPOINTMENT + dt.timedelta(minutes=1))
    assert escalated_to() == ["civilhead", "head", "lead"]

    # Transferred to the finance department for an opinion: its leaders and the handling agency's leaders.
    Notification.objects.all().delete()
    d = in_hand(w)
    act(d, Action.TRANSFER, w.spec, local(2025, 1, 21, 9, 0), reason="Lấy ý kiến", to_agency=w.finance.code,
        share_hours=8)
    send_escalations(APPOINTMENT + dt.timedelta(minutes=2))
    assert escalated_to() == ["finlead", "lead"]
    assert fin_lead.pk in set(Notification.objects.values_list("user_id", flat=True))


def test_finished_dossiers_and_dossiers_waiting_since_before_the_appointment_are_not_escalated(ops_world):
    w = ops_world
    done = in_hand(w)
    act(done, Action.STOP, w.lead, local(2025, 1, 22, 9, 0), reason="Dừng")
    waiting = in_hand(w)
    act(waiting, Action.REQUEST_SUPPLEMENT, w.spec, local(2025, 1, 23, 9, 0), reason="Thiếu", items=["A"])
    assert send_escalations(local(2025, 2, 20, 9, 0))["count"] == 0
    assert logged() == 0 and Notification.objects.count() == 0
