"""Ticket numbers: per agency, per day, per prefix letter; gap-free; reset the next day."""

import datetime as dt

import pytest
from django.db import transaction

from congso.queueing.models import Ticket, TicketSequence, format_ticket_number
from congso.queueing.services import BadInput, take_ticket
from congso.queueing.tests.conftest import local


def test_format_pads_to_three_digits_and_grows_past_999():
    assert format_ticket_number("A", 1) == "A001"
    assert format_ticket_number("B", 12) == "B012"
    assert format_ticket_number("C", 1234) == "C1234"


def test_each_prefix_counts_on_its_own(qw):
    at = local(2025, 1, 20, 8)
    numbers = [take_ticket(qw.centre, g, at=at).display_number
               for g in (qw.group_a, qw.group_a, qw.group_b, qw.group_a, qw.group_b)]
    assert numbers == ["A001", "A002", "B001", "A003", "B002"]


def test_numbers_restart_the_next_local_day(qw):
    # 23:59 and 00:01 Vietnam time are different service days even though both are 16:xx/17:xx UTC the day before.
    late = local(2025, 1, 20, 23, 59)
    early = local(2025, 1, 21, 0, 1)
    first = take_ticket(qw.centre, qw.group_a, at=late)
    take_ticket(qw.centre, qw.group_a, at=late)
    next_day = take_ticket(qw.centre, qw.group_a, at=early)
    assert (first.day, first.display_number) == (dt.date(2025, 1, 20), "A001")
    assert (next_day.day, next_day.display_number) == (dt.date(2025, 1, 21), "A001")
    assert TicketSequence.objects.get(agency=qw.centre, day=dt.date(2025, 1, 20), prefix="A").last_number == 2


def test_numbers_are_per_agency(qw):
    from congso.queueing.models import ServiceGroup

    other = ServiceGroup.objects.create(agency=qw.justice, prefix="A", name="Tư pháp")
    at = local(2025, 1, 20, 8)
    take_ticket(qw.centre, qw.group_a, at=at)
    assert take_ticket(qw.justice, other, at=at).display_number == "A001"


def test_a_rolled_back_ticket_gives_its_number_back(qw):
    at = local(2025, 1, 20, 8)
    take_ticket(qw.centre, qw.group_a, at=at)
    with pytest.raises(RuntimeError), transaction.atomic():
        take_ticket(qw.centre, qw.group_a, at=at)
        raise RuntimeError("the printer caught fire")
    assert take_ticket(qw.centre, qw.group_a, at=at).display_number == "A002"
    assert sorted(Ticket.objects.values_list("number", flat=True)) == [1, 2]


def test_a_field_picks_its_group_and_is_kept_on_the_ticket(qw):
    ticket = take_ticket(qw.centre, qw.land, at=local(2025, 1, 20, 8))
    assert (ticket.group, ticket.field, ticket.display_number) == (qw.group_b, qw.land, "B001")


@pytest.mark.parametrize("choice", ["Z", "", "AB", "<script>", None, 7])
def test_unknown_choices_are_refused_and_change_nothing(qw, choice):
    with pytest.raises(BadInput) as caught:
        take_ticket(qw.centre, choice)
    assert caught.value.problem_code == "validation_error" and "group" in caught.value.errors
    assert not Ticket.objects.exists() and not TicketSequence.objects.exists()


def test_a_group_of_another_agency_or_inactive_is_refused(qw):
    from congso.queueing.models import ServiceGroup

    foreign = ServiceGroup.objects.create(agency=qw.justice, prefix="C", name="Khác")
    with pytest.raises(BadInput):
        take_ticket(qw.centre, foreign)
    qw.group_b.is_active = False
    qw.group_b.save()
    with pytest.raises(BadInput):
        take_ticket(qw.centre, "B")
    assert not Ticket.objects.exists()


def test_phone_is_normalised_or_refused(qw):
    ticket = take_ticket(qw.centre, "a", phone="+84 912 345 678")
    assert ticket.phone == "0912345678"
    with pytest.raises(BadInput) as caught:
        take_ticket(qw.centre, "A", phone="<script>alert(1)</script>")
    assert "phone" in caught.value.errors
    assert Ticket.objects.count() == 1
