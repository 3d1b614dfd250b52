"""The rules at the counter: who may open it, what call_next picks, and what each action allows."""

import pytest

from congso.queueing import services
from congso.queueing.choices import TicketAction, TicketStatus
from congso.queueing.models import Counter, Ticket, TicketEvent
from congso.queueing.services import QueueProblem
from congso.queueing.tests.conftest import local

T8 = local(2025, 1, 20, 8)
T9 = local(2025, 1, 20, 9)


def take(qw, group, minute):
    return services.take_ticket(qw.centre, group, at=local(2025, 1, 20, 8, minute))


def problem_code(call):
    with pytest.raises(QueueProblem) as caught:
        call()
    return caught.value.problem_code


def test_open_and_close_a_counter(qw):
    counter = services.open_counter(qw.desk, qw.counter1, at=T8)
    assert (counter.is_open, counter.officer, counter.opened_at) == (True, qw.desk, T8)
    assert services.open_counter(qw.desk, qw.counter1).officer == qw.desk  # again: nothing changes
    closed = services.close_counter(qw.desk, qw.counter1)
    assert (closed.is_open, closed.officer) == (False, None)


def test_one_officer_per_counter_and_one_counter_per_officer(qw):
    services.open_counter(qw.desk, qw.counter1)
    assert problem_code(lambda: services.open_counter(qw.desk2, qw.counter1)) == "counter_taken"
    assert problem_code(lambda: services.open_counter(qw.desk, qw.counter2)) == "officer_elsewhere"
    assert problem_code(lambda: services.close_counter(qw.desk2, qw.counter1)) == "counter_taken"
    assert Counter.objects.get(pk=qw.counter1.pk).officer == qw.desk


def test_officers_of_other_agencies_cannot_open_or_call(qw):
    for outsider in (qw.justice_desk, qw.monitor, qw.citizen):
        assert problem_code(lambda u=outsider: services.open_counter(u, qw.counter1)) == "forbidden"
    services.open_counter(qw.desk, qw.counter1)
    assert problem_code(lambda: services.call_next(qw.counter1, qw.justice_desk)) == "forbidden"


def test_an_unused_counter_cannot_be_opened(qw):
    Counter.objects.filter(pk=qw.counter3.pk).update(is_active=False)
    assert problem_code(lambda: services.open_counter(qw.desk, qw.counter3)) == "counter_inactive"


def test_a_closed_counter_cannot_call(qw):
    take(qw, qw.group_a, 1)
    assert problem_code(lambda: services.call_next(qw.counter1, qw.desk, at=T9)) == "counter_closed"
    assert Ticket.objects.get().status == TicketStatus.WAITING


def test_only_the_seated_officer_calls(qw):
    take(qw, qw.group_a, 1)
    services.open_counter(qw.desk, qw.counter1)
    assert problem_code(lambda: services.call_next(qw.counter1, qw.desk2, at=T9)) == "counter_taken"


def test_call_next_takes_the_oldest_waiting_ticket_of_the_served_groups(qw):
    b1 = take(qw, qw.group_b, 1)
    a1 = take(qw, qw.group_a, 2)
    a2 = take(qw, qw.group_a, 3)
    services.open_counter(qw.desk, qw.counter1)  # serves A only
    services.open_counter(qw.desk2, qw.counter2)  # serves A and B
    first = services.call_next(qw.counter1, qw.desk, at=T9)
    assert first == a1
    assert (first.status, first.counter, first.served_by, first.called_at, first.call_count) == (
        TicketStatus.CALLED, qw.counter1, qw.desk, T9, 1)
    assert services.call_next(qw.counter2, qw.desk2, at=T9) == b1  # B001 was taken before A002
    services.mark_served(qw.counter1, qw.desk, at=T9)
    assert services.call_next(qw.counter1, qw.desk, at=T9) == a2
    assert problem_code(lambda: services.mark_served(qw.counter1, qw.desk2)) == "counter_taken"


def test_an_empty_queue_is_said_plainly(qw):
    take(qw, qw.group_b, 1)
    services.open_counter(qw.desk, qw.counter1)
    assert problem_code(lambda: services.call_next(qw.counter1, qw.desk, at=T9)) == "queue_empty"


def test_yesterdays_waiting_tickets_are_not_called_today(qw):
    services.take_ticket(qw.centre, qw.group_a, at=local(2025, 1, 19, 16))
    services.open_counter(qw.desk, qw.counter1)
    assert problem_code(lambda: services.call_next(qw.counter1, qw.desk, at=T9)) == "queue_empty"


def test_the_current_ticket_must_be_finished_before_the_next_call_or_closing(qw):
    take(qw, qw.group_a, 1)
    take(qw, qw.group_a, 2)
    services.open_counter(qw.desk, qw.counter1)
    services.call_next(qw.counter1, qw.desk, at=T9)
    assert problem_code(lambda: services.call_next(qw.counter1, qw.desk, at=T9)) == "counter_busy"
    assert problem_code(lambda: services.close_counter(qw.desk, qw.counter1)) == "counter_busy"
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == 1


def test_recall_start_served_and_the_log(qw):
    ticket = take(qw, qw.group_a, 1)
    services.open_counter(qw.desk, qw.counter1)
    services.call_next(qw.counter1, qw.desk, at=T9)
    recalled = services.recall(qw.counter1, qw.desk, at=local(2025, 1, 20, 9, 1))
    assert (recalled.call_count, recalled.called_at, recalled.first_called_at) == (2, local(2025, 1, 20, 9, 1), T9)
    started = services.start_serving(qw.counter1, qw.desk, at=local(2025, 1, 20, 9, 2))
    assert started.status == TicketStatus.SERVING
    assert problem_code(lambda: services.recall(qw.counter1, qw.desk)) == "invalid_transition"
    assert problem_code(lambda: services.mark_no_show(qw.counter1, qw.desk)) == "invalid_transition"
    done = services.mark_served(qw.counter1, qw.desk, at=local(2025, 1, 20, 9, 10))
    assert (done.status, done.finished_at) == (TicketStatus.DONE, local(2025, 1, 20, 9, 10))
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True)) == [
        TicketAction.TAKE, TicketAction.CALL, TicketAction.RECALL, TicketAction.START, TicketAction.DONE]
    assert problem_code(lambda: services.recall(qw.counter1, qw.desk)) == "invalid_transition"
    services.close_counter(qw.desk, qw.counter1)


def test_no_show(qw):
    take(qw, qw.group_a, 1)
    services.open_counter(qw.desk, qw.counter1)
    services.call_next(qw.counter1, qw.desk, at=T9)
    ticket = services.mark_no_show(qw.counter1, qw.desk, at=T9)
    assert ticket.status == TicketStatus.NO_SHOW
    assert Counter.objects.get(pk=qw.counter1.pk).is_open  # the counter stays open for the next one


def test_transfer_keeps_the_number_and_the_place_in_the_new_queue(qw):
    a1 = take(qw, qw.group_a, 1)
    take(qw, qw.group_b, 2)
    services.open_counter(qw.desk, qw.counter1)
    services.open_counter(qw.desk3, qw.counter3)
    services.call_next(qw.counter1, qw.desk, at=T9)
    moved = services.transfer_ticket(a1, qw.desk, qw.group_b, at=T9)
    assert (moved.display_number, moved.group, moved.status, moved.counter) == ("A001", qw.group_b,
                                                                                TicketStatus.WAITING, None)
    # A001 was taken before B001, so counter 3 (B) calls it first.
    assert services.call_next(qw.counter3, qw.desk3, at=T9) == a1
    assert TicketEvent.objects.filter(ticket=a1, action=TicketAction.TRANSFER, note="A → B").exists()


def test_transfer_rules(qw):
    a1 = take(qw, qw.group_a, 1)
    with pytest.raises(services.BadInput):
        services.transfer_ticket(a1, qw.desk, qw.group_a)
    services.open_counter(qw.desk, qw.counter1)
    services.call_next(qw.counter1, qw.desk, at=T9)
    # Only the officer at the counter moves the ticket they called.
    services.open_counter(qw.desk2, qw.counter2)
    assert problem_code(lambda: services.transfer_ticket(a1, qw.desk2, qw.group_b)) == "counter_taken"
    assert problem_code(lambda: services.transfer_ticket(a1, qw.justice_desk, qw.group_b)) == "forbidden"
    services.mark_served(qw.counter1, qw.desk)
    assert problem_code(lambda: services.transfer_ticket(a1, qw.desk, qw.group_b)) == "invalid_transition"


def test_cancel_a_waiting_ticket(qw):
    a1 = take(qw, qw.group_a, 1)
    assert problem_code(lambda: services.cancel_ticket(a1, qw.justice_desk)) == "forbidden"
    assert services.cancel_ticket(a1, qw.desk2).status == TicketStatus.CANCELLED
    assert problem_code(lambda: services.cancel_ticket(a1, qw.desk2)) == "invalid_transition"


def test_link_a_dossier_to_the_ticket_being_served(qw):
    from congso.dossiers.services.creation import create_dossier
    from congso.dossiers.tests.conftest import intake

    dossier = create_dossier(intake(qw, files=False), qw.desk, at=T9)
    ticket = take(qw, qw.group_a, 1)
    with pytest.raises(QueueProblem):
        services.link_dossier(ticket, qw.desk, dossier.code)  # not called yet
    services.open_counter(qw.desk, qw.counter1)
    services.call_next(qw.counter1, qw.desk, at=T9)
    with pytest.raises(services.BadInput):
        services.link_dossier(ticket, qw.desk, "<script>")
    assert services.link_dossier(ticket, qw.desk, dossier.code).dossier == dossier


def test_a_phone_given_at_the_kiosk_gets_a_text_per_call_where_sms_is_configured(qw, settings):
    from congso.notifications.models import Notification

    services.take_ticket(qw.centre, qw.group_a, phone="0912345678", at=T8)
    take(qw, qw.group_a, 5)  # no phone: no text
    services.open_counter(qw.desk, qw.counter1)
    services.open_counter(qw.desk2, qw.counter2)
    # Without an SMS channel nothing is queued.
    services.call_next(qw.counter1, qw.desk, at=T9)
    assert not Notification.objects.exists()
    services.mark_served(qw.counter1, qw.desk, at=T9)
    settings.CONGSO_NOTIFICATION_CHANNELS = {**settings.CONGSO_NOTIFICATION_CHANNELS,
                                             "sms": "congso.notifications.channels.EmailChannel"}
    services.call_next(qw.counter2, qw.desk2, at=T9)  # the ticket without a phone
    assert not Notification.objects.exists()
    services.mark_served(qw.counter2, qw.desk2, at=T9)
    texted = services.take_ticket(qw.centre, qw.group_a, phone="0987654321", at=local(2025, 1, 20, 8, 30))
    services.call_next(qw.counter1, qw.desk, at=T9)
    services.recall(qw.counter1, qw.desk, at=T9)
    rows = list(Notification.objects.order_by("pk").values_list("channel", "template", "address", "dedupe_key"))
    assert rows == [("sms", "queue_called", "0987654321", f"queue_called:{texted.pk}:1"),
                    ("sms", "queue_called", "0987654321", f"queue_called:{texted.pk}:2")]
    assert Notification.objects.first().context == {"number": "A003", "counter": 1, "agency": qw.centre.name}


def test_a_supervisor_closes_a_counter_left_open_and_the_ticket_keeps_its_place(qw):
    from congso.dossiers.tests.conftest import make_user
    from congso.org.choices import Role

    chief = make_user("chief", qw.centre, Role.DEPARTMENT_HEAD)
    elsewhere_chief = make_user("chief2", qw.justice, Role.DEPARTMENT_HEAD)
    a1 = take(qw, qw.group_a, 1)
    take(qw, qw.group_a, 2)
    services.open_counter(qw.desk, qw.counter1)
    services.call_next(qw.counter1, qw.desk, at=T9)
    assert problem_code(lambda: services.close_counter(elsewhere_chief, qw.counter1)) == "forbidden"
    closed = services.close_counter(chief, qw.counter1, at=T9)
    assert (closed.is_open, closed.officer) == (False, None)
    back = Ticket.objects.get(pk=a1.pk)
    assert (back.status, back.counter, back.call_count) == (TicketStatus.WAITING, None, 1)
    assert TicketEvent.objects.filter(ticket=a1, action=TicketAction.RETURN, user=chief).exists()
    # The returned ticket is still first in line.
    services.open_counter(qw.desk2, qw.counter2)
    assert services.call_next(qw.counter2, qw.desk2, at=T9) == a1
