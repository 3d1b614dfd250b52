"""Step reminders: due within 8 working hours, overdue; once per step, again for a new step."""

import datetime as dt

from congso.dossiers.choices import Action
from congso.notifications.models import Notification
from congso.operations.models import ReminderKind, ReminderLog
from congso.operations.services.reminders import send_step_reminders
from congso.operations.tests.conftest import act, create, local, logged, sent


def step_due_monday_9(w, assignee):
    """Received Tue 4 Mar 2025, forwarded Wed 5 Mar 09:00 to a 24-working-hour step → due Mon 10 Mar 09:00."""
    d = create(w, local(2025, 3, 4, 9, 0))
    d = act(d, Action.FORWARD, w.desk, local(2025, 3, 5, 9, 0), assignee=assignee)
    assert d.step_due_at == local(2025, 3, 10, 9, 0)
    return d


def run(at):
    return send_step_reminders(at)


def test_due_soon_fires_on_friday_before_the_weekend_and_overdue_only_after_the_deadline(ops_world):
    w = ops_world
    d = step_due_monday_9(w, w.spec)
    assert run(local(2025, 3, 6, 10, 0))["count"] == 0  # Thursday: Monday 09:00 is 16 working hours away
    assert run(local(2025, 3, 7, 8, 59))["count"] == 0
    result = run(local(2025, 3, 7, 10, 0))  # Friday 10:00: 6 h on Friday + 1 h on Monday
    assert result["step_due_soon"] == {"selected": 1, "logged": 1, "notifications": 1, "without_recipient": 0}
    assert sent() == [("step_due_soon", "spec")]
    message = Notification.objects.get()
    assert message.dossier_id == d.pk and message.address == "spec@example.gov.vn"
    assert message.dedupe_key == f"reminder:step_due_soon:{d.current_step_id}:{w.spec.pk}"
    context = message.context
    assert context["code"] == d.code and context["deadline"] == "2025-03-10T09:00:00+07:00"
    assert context["step"] == d.current_step.name and context["holder"] == w.spec.display_name
    assert context["procedure"] == d.procedure_version.name and context["link"].endswith(d.code)
    # Saturday: still due soon (already reminded), not overdue; Monday 09:00 exactly: not overdue yet.
    for at in (local(2025, 3, 8, 10, 0), local(2025, 3, 10, 9, 0)):
        assert run(at)["count"] == 0
    assert run(local(2025, 3, 10, 9, 1))["step_overdue"]["notifications"] == 1
    assert sent() == [("step_due_soon", "spec"), ("step_overdue", "spec")]
    # A second sweep (and a third, later) does nothing.
    assert run(local(2025, 3, 10, 9, 6))["count"] == 0
    assert run(local(2025, 3, 12, 9, 0))["count"] == 0
    assert Notification.objects.count() == 2 and logged() == 2


def test_tet_days_off_are_not_working_time(ops_world):
    w = ops_world
    d = create(w, local(2025, 1, 21, 9, 0))
    d = act(d, Action.FORWARD, w.desk, local(2025, 1, 22, 9, 0), assignee=w.spec)
    assert d.step_due_at == local(2025, 2, 3, 9, 0)  # 24 working hours over Tết 27–31 Jan
    assert run(local(2025, 1, 23, 10, 0))["count"] == 0
    assert run(local(2025, 1, 24, 10, 0))["step_due_soon"]["selected"] == 1  # last working day before Tết
    assert run(local(2025, 1, 29, 10, 0))["count"] == 0  # during Tết: not overdue
    assert run(local(2025, 2, 3, 9, 30))["step_overdue"]["selected"] == 1
    assert sent() == [("step_due_soon", "spec"), ("step_overdue", "spec")]


def test_a_new_step_is_reminded_again(ops_world):
    w = ops_world
    d = step_due_monday_9(w, w.spec)
    run(local(2025, 3, 7, 10, 0))
    # Forwarded to the department head Friday 11:00: a new 8-working-hour step, due Monday 11:00.
    d = act(d, Action.FORWARD, w.spec, local(2025, 3, 7, 11, 0), assignee=w.head)
    assert d.step_due_at == local(2025, 3, 10, 11, 0)
    assert run(local(2025, 3, 7, 11, 5))["step_due_soon"]["selected"] == 1
    # Sent back to the specialist: another new step, reminded again when it is due soon.
    d = act(d, Action.SEND_BACK, w.head, local(2025, 3, 10, 10, 0), reason="Chưa đạt")
    assert d.holder == w.spec
    result = run(local(2025, 3, 10, 10, 5))
    assert result["step_due_soon"]["selected"] == 0
    run(d.step_due_at - dt.timedelta(hours=1))
    assert sent() == [("step_due_soon", "spec"), ("step_due_soon", "head"), ("step_due_soon", "spec")]
    assert ReminderLog.objects.filter(kind=ReminderKind.STEP_DUE_SOON).count() == 3


def test_without_a_holder_the_members_of_the_step_role_are_reminded(ops_world):
    w = ops_world
    d = create(w, local(2025, 3, 4, 9, 0))
    d = act(d, Action.FORWARD, w.desk, local(2025, 3, 5, 9, 0))  # no assignee: any specialist of the agency
    assert d.holder is None and d.holder_role == "specialist"
    run(local(2025, 3, 7, 10, 0))
    assert sorted(sent()) == [("step_due_soon", "spec"), ("step_due_soon", "spec2")]
    assert ReminderLog.objects.get().recipients == 2


def test_finished_and_waiting_dossiers_are_not_reminded(ops_world):
    w = ops_world
    stopped = step_due_monday_9(w, w.spec)
    act(stopped, Action.STOP, w.lead, local(2025, 3, 6, 9, 0), reason="Dừng xử lý")
    waiting = step_due_monday_9(w, w.spec)
    act(waiting, Action.REQUEST_SUPPLEMENT, w.spec, local(2025, 3, 6, 9, 0), reason="Thiếu", items=["A"])
    assert run(local(2025, 3, 7, 10, 0))["count"] == 0
    assert run(local(2025, 3, 11, 10, 0))["count"] == 0
    assert Notification.objects.count() == 0 and logged() == 0


def test_deadlines_older_than_the_lookback_are_left_alone(ops_world, settings):
    w = ops_world
    step_due_monday_9(w, w.spec)
    assert run(local(2025, 4, 20, 10, 0))["count"] == 0  # 41 days later: beyond the 30-day lookback
    settings.CONGSO_REMINDER_LOOKBACK_DAYS = 60
    assert run(local(2025, 4, 20, 10, 0))["step_overdue"]["selected"] == 1


def test_thresholds_are_configurable_in_working_hours(ops_world, settings):
    w = ops_world
    step_due_monday_9(w, w.spec)
    settings.CONGSO_REMINDER_DUE_SOON_HOURS = 16  # two working days
    assert run(local(2025, 3, 6, 10, 0))["step_due_soon"]["selected"] == 1  # Thursday 10:00 now counts
    settings.CONGSO_REMINDER_OVERDUE_AFTER_HOURS = 2
    assert run(local(2025, 3, 10, 10, 30))["count"] == 0  # 1.5 working hours late
    assert run(local(2025, 3, 10, 11, 1))["step_overdue"]["selected"] == 1


def test_a_recipient_without_an_address_is_logged_once_and_not_retried(ops_world):
    w = ops_world
    w.spec.email = ""
    w.spec.save(update_fields=["email"])
    step_due_monday_9(w, w.spec)
    assert run(local(2025, 3, 7, 10, 0))["step_due_soon"] == {
        "selected": 1, "logged": 1, "notifications": 0, "without_recipient": 0}
    assert run(local(2025, 3, 7, 10, 5))["count"] == 0
    assert Notification.objects.count() == 0 and logged(ReminderKind.STEP_DUE_SOON) == 1


def test_an_overlapping_sweep_never_sends_twice(ops_world):
    """Two sweeps that both selected the dossier (the log row of the first not yet visible to the second): the
    outbox's dedupe key stops the second message."""
    w = ops_world
    step_due_monday_9(w, w.spec)
    run(local(2025, 3, 7, 10, 0))
    ReminderLog.objects.all().delete()  # as if the second sweep had selected before the first committed
    assert run(local(2025, 3, 7, 10, 1))["step_due_soon"]["notifications"] == 0
    assert Notification.objects.count() == 1


def test_selection_is_one_query_and_recipients_one_per_batch_of_agencies(ops_world, django_assert_max_num_queries):
    w = ops_world
    for _ in range(5):
        step_due_monday_9(w, w.spec)
    for _ in range(3):
        d = create(w, local(2025, 3, 4, 9, 0))
        act(d, Action.FORWARD, w.desk, local(2025, 3, 5, 9, 0))
    # 8 dossiers, 11 messages (3 dossiers go to both specialists). Queries: the due-soon selection, its batch, the
    # memberships (once), the log rows (one insert), the overdue selection; then the outbox's own savepoint, insert
    # and release per message — nothing per dossier beyond its messages.
    with django_assert_max_num_queries(7 + 3 * 11) as captured:
        result = run(local(2025, 3, 7, 10, 0))
    assert result["step_due_soon"]["selected"] == 8 and result["step_due_soon"]["notifications"] == 11
    assert result["membership_queries"] == 1
    assert len([q for q in captured.captured_queries if 'FROM "dossiers_dossier"' in q["sql"]]) == 3
