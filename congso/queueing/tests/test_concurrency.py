"""Many kiosks and many counters at once, on PostgreSQL and on a file-backed SQLite database (CI runs both)."""


import pytest

from congso.core.testing import run_threads
from congso.queueing import services
from congso.queueing.choices import TicketStatus
from congso.queueing.models import Counter, Ticket
from congso.queueing.services import QueueProblem
from congso.queueing.tests.conftest import local

T8 = local(2025, 1, 20, 8)
T9 = local(2025, 1, 20, 9)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_kiosks_taking_numbers_at_once_get_unique_gap_free_numbers(qw_tx):
    w = qw_tx
    per_thread, threads = 6, 4

    def take_many(group):
        return [services.take_ticket(w.centre, group, at=T8).number for _ in range(per_thread)]

    results = run_threads(take_many, [(w.group_a,), (w.group_a,), (w.group_a,), (w.group_b,)])
    assert all(kind == "ok" for kind, _ in results), results
    a_numbers = sorted(n for _, batch in results[:3] for n in batch)
    assert a_numbers == list(range(1, per_thread * 3 + 1))
    assert sorted(results[3][1]) == list(range(1, per_thread + 1))
    assert Ticket.objects.count() == per_thread * threads


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_counters_calling_at_once_never_get_the_same_ticket(qw_tx):
    w = qw_tx
    for minute in range(6):
        services.take_ticket(w.centre, w.group_a, at=local(2025, 1, 20, 8, minute))
    officers = [w.desk, w.desk2, w.desk3]
    counters = [w.counter1, w.counter2, Counter.objects.create(agency=w.centre, number=4)]
    counters[2].groups.add(w.group_a)
    for officer, counter in zip(officers, counters, strict=True):
        services.open_counter(officer, counter)

    def call_and_finish(counter, officer):
        called = []
        for _ in range(3):
            try:
                ticket = services.call_next(counter, officer, at=T9)
            except QueueProblem as problem:
                assert problem.problem_code == "queue_empty"
                break
            called.append(ticket.pk)
            services.mark_served(counter, officer, at=T9)
        return called

    results = run_threads(call_and_finish, list(zip(counters, officers, strict=True)))
    assert all(kind == "ok" for kind, _ in results), results
    called = [pk for _, batch in results for pk in batch]
    assert len(called) == len(set(called)) == 6  # every ticket called exactly once
    assert Ticket.objects.filter(status=TicketStatus.DONE).count() == 6


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_click_on_call_next_calls_one_ticket(qw_tx):
    w = qw_tx
    services.take_ticket(w.centre, w.group_a, at=T8)
    services.take_ticket(w.centre, w.group_a, at=T8)
    services.open_counter(w.desk, w.counter1)

    results = run_threads(lambda: services.call_next(w.counter1, w.desk, at=T9), [(), ()])
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    assert next(v for k, v in results if k == "error").problem_code == "counter_busy"
    assert list(Ticket.objects.order_by("number").values_list("status", flat=True)) == [
        TicketStatus.CALLED, TicketStatus.WAITING]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_opening_one_counter_at_once_one_gets_it(qw_tx):
    w = qw_tx
    results = run_threads(services.open_counter, [(w.desk, w.counter1), (w.desk2, w.counter1)])
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    assert next(v for k, v in results if k == "error").problem_code == "counter_taken"
    assert Counter.objects.get(pk=w.counter1.pk).officer in (w.desk, w.desk2)
