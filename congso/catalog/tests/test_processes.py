from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from congso.catalog.processes import check_shares, default_plan, rescale, share_problems, share_total
from congso.org.choices import Role
from congso.workcalendar.units import DurationUnit

D = Decimal
WD, WH, CD = DurationUnit.WORKING_DAY, DurationUnit.WORKING_HOUR, DurationUnit.CALENDAR_DAY


@pytest.mark.parametrize("unit, amount, hours_per_day, total", [
    (WD, 3, 8, D(24)),
    (WD, 3, 7, D(21)),
    (WD, D("0.5"), 8, D(4)),
    (WH, 4, 8, D(4)),
    (WD, 0, 8, D(1)),  # "within the day": fractions of the whole
    (WH, 0, 8, D(1)),
    (CD, 15, 8, D(1)),  # calendar days: fractions of the whole
    (None, None, 8, D(1)),  # no time limit
])
def test_share_total(unit, amount, hours_per_day, total):
    assert share_total(unit, amount, hours_per_day) == total


def test_working_day_shares_must_sum_exactly_to_the_hours():
    check_shares(WD, 3, [D(2), D(18), D(4)])
    with pytest.raises(ValidationError, match="24 working hours"):
        check_shares(WD, 3, [D(2), D(18), D("3.9999")])
    check_shares(WD, 3, [D(2), D(15), D(4)], hours_per_day=7)


def test_working_hour_shares_sum_to_the_hours():
    check_shares(WH, 4, [D("0.5"), D("3.5")])
    with pytest.raises(ValidationError):
        check_shares(WH, 4, [D(1), D(1)])


@pytest.mark.parametrize("unit, amount", [(WD, 0), (CD, 30), (None, None)])
def test_same_day_and_calendar_day_shares_are_fractions(unit, amount):
    check_shares(unit, amount, [D("0.25"), D("0.5"), D("0.25")])
    with pytest.raises(ValidationError, match="add up to 1"):
        check_shares(unit, amount, [D(2), D(6)])


def test_share_problems_are_listed():
    assert share_problems(WD, 1, []) == ["no_steps"]
    assert share_problems(WD, 1, [D(-1), D(9)]) == ["negative"]
    assert share_problems(WD, 1, [D("0.00001"), D("7.99999")]) == ["precision"]
    assert share_problems(WD, 1, [D(1)]) == ["sum"]


def test_default_plan_has_five_steps_or_four_at_a_commune():
    plan = default_plan(WD, 3)
    assert [step.role for step in plan] == [Role.DESK_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD,
                                            Role.AGENCY_LEADER, Role.DESK_OFFICER]
    assert [step.share for step in plan] == [D("1.2"), D("14.4"), D("3.6"), D("2.4"), D("2.4")]
    assert [step.at_desk for step in plan] == [True, False, False, False, True]
    short = default_plan(WD, 1, with_review=False)
    assert len(short) == 4 and Role.DEPARTMENT_HEAD not in [step.role for step in short]


units = st.sampled_from([WD, WH, CD, None])
amounts = st.one_of(st.none(), st.integers(0, 400), st.decimals(0, 400, places=2, allow_nan=False))


@given(unit=units, amount=amounts, hours=st.integers(1, 24), review=st.booleans())
def test_default_plan_always_adds_up_exactly(unit, amount, hours, review):
    if unit is None:
        amount = None
    plan = default_plan(unit, amount, hours, with_review=review)
    shares = [step.share for step in plan]
    assert sum(shares) == share_total(unit, amount, hours)
    assert all(share >= 0 for share in shares)
    check_shares(unit, amount, shares, hours)


@given(shares=st.lists(st.decimals(0, 100, places=4), min_size=1, max_size=8),
       total=st.decimals(D("0.01"), 1000, places=2))
def test_rescale_keeps_proportions_and_sums_exactly(shares, total):
    scaled = rescale(shares, total)
    assert sum(scaled) == total
    assert len(scaled) == len(shares)
