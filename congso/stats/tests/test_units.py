"""Pure parts: periods, the month split of a period, the deadline day and the contribution of one dossier."""

import datetime as dt

import pytest

from congso.stats.contributions import CachedFlags, DossierFacts, contribution, deadline_day, difference
from congso.stats.models import ALWAYS_OVERDUE, ALWAYS_WITHIN, OPEN_END, EndedFact, EndedMonthFact
from congso.stats.periods import BadPeriod, parse_period
from congso.stats.queries import fact_parts
from congso.stats.tests.conftest import local


def test_a_period_is_read_as_whole_months_plus_the_days_around_them():
    parts = fact_parts(EndedFact, EndedMonthFact, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert [p.model for p in parts] == [EndedMonthFact]
    parts = fact_parts(EndedFact, EndedMonthFact, dt.date(2025, 1, 15), dt.date(2025, 4, 10))
    assert sorted(p.model.__name__ for p in parts) == ["EndedFact", "EndedFact", "EndedMonthFact"]
    parts = fact_parts(EndedFact, EndedMonthFact, dt.date(2025, 2, 3), dt.date(2025, 2, 27))
    assert [p.model for p in parts] == [EndedFact]
    parts = fact_parts(EndedFact, EndedMonthFact, dt.date(2024, 2, 1), dt.date(2024, 2, 29))  # leap year
    assert [p.model for p in parts] == [EndedMonthFact]


def test_periods():
    assert parse_period({"period": "quarter", "year": "2025", "quarter": "4"}).end == dt.date(2025, 12, 31)
    assert parse_period({"period": "month", "year": "2024", "month": "2"}).end == dt.date(2024, 2, 29)
    p = parse_period({"period": "custom", "from": "31/03/2025", "to": "2025-04-01"})
    assert (p.start, p.end) == (dt.date(2025, 3, 31), dt.date(2025, 4, 1))
    with pytest.raises(BadPeriod):
        parse_period({"period": "custom", "from": "2025-04-01T00:00", "to": "2025-04-02"})


def facts(**kw) -> DossierFacts:
    base = dict(agency_id=1, procedure_id=2, channel="direct", status=4, submitted_at=local(2025, 3, 3, 9),
                received_at=local(2025, 3, 3, 9), finished_at=None, resolved_at=None, timeliness="open_within",
                due_at=local(2025, 3, 10, 9), current_due_at=local(2025, 3, 10, 9), waiting_seconds=0,
                waiting_since=None, supplement_count=0, extension_count=0, applicant_kind="person",
                eid_verified=True, population_linked=False, fee_due=0, payment_method=None, flags=CachedFlags())
    base.update(kw)
    return DossierFacts(**base)


def test_deadline_day_rules():
    assert deadline_day(facts()) == dt.date(2025, 3, 10)
    assert deadline_day(facts(supplement_count=2)) == ALWAYS_OVERDUE
    assert deadline_day(facts(due_at=None, current_due_at=None)) == ALWAYS_WITHIN
    assert deadline_day(facts(waiting_since=local(2025, 3, 5, 9))) == ALWAYS_WITHIN
    assert deadline_day(facts(waiting_since=local(2025, 3, 12, 9))) == dt.date(2025, 3, 10)
    # 23:30 on 10/03 in Hanoi is still 10/03 locally (16:30 UTC)
    assert deadline_day(facts(current_due_at=local(2025, 3, 10, 23, 30))) == dt.date(2025, 3, 10)


def test_contribution_of_an_open_then_resolved_dossier():
    open_ = contribution(facts())
    assert open_[("received", dt.date(2025, 3, 3), 1, 2, "direct")]["open"] == 1
    assert ("deadline", dt.date(2025, 3, 3), 1, 2, "direct", OPEN_END, dt.date(2025, 3, 10)) in open_
    done = contribution(facts(status=9, finished_at=local(2025, 3, 7, 16), resolved_at=local(2025, 3, 7, 16),
                              timeliness="early"))
    delta = difference(open_, done)
    assert delta[("received", dt.date(2025, 3, 3), 1, 2, "direct")] == {"open": -1, "ended": 1, "on_time_final": 1}
    assert delta[("ended", dt.date(2025, 3, 7), 1, 2, "direct", "resolved")]["early"] == 1
    assert delta[("deadline", dt.date(2025, 3, 3), 1, 2, "direct", OPEN_END, dt.date(2025, 3, 10))] == {"n": -1}
    assert difference(done, done) == {}
