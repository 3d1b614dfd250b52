"""Time shares of an internal process (quy trình nội bộ). Pure functions, no database access.

A process splits a procedure's time limit between its steps. What the shares add up to depends on the unit:

- `working_day` N > 0: N × hours_per_day working hours (8 by default);
- `working_hour` N > 0: N working hours;
- N = 0 ("within the day"), `calendar_day`, or no time limit at all: the shares are fractions of the whole and
  add up to exactly 1.

Shares are Decimals with at most 4 decimal places; sums are compared exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congso.org.choices import Role
from congso.workcalendar.units import DurationUnit

HOURS_PER_DAY = 8
ONE = Decimal(1)
SHARE_QUANTUM = Decimal("0.0001")
PLAN_QUANTUM = Decimal("0.01")


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def shares_are_fractions(unit: str | None, amount) -> bool:
    """True when the shares are fractions of the whole (sum 1) rather than working hours."""
    return amount is None or unit is None or _decimal(amount) == 0 or unit == DurationUnit.CALENDAR_DAY


def share_total(unit: str | None, amount, hours_per_day: int = HOURS_PER_DAY) -> Decimal:
    """What the shares of a process for a time limit of `amount` `unit` must add up to."""
    if shares_are_fractions(unit, amount):
        return ONE
    amount = _decimal(amount)
    if unit == DurationUnit.WORKING_DAY:
        if hours_per_day <= 0:
            raise ValueError("hours_per_day must be positive")
        return amount * hours_per_day
    if unit == DurationUnit.WORKING_HOUR:
        return amount
    raise ValueError(f"unknown duration unit {unit!r}")


def share_problems(unit: str | None, amount, shares: Iterable, hours_per_day: int = HOURS_PER_DAY) -> list[str]:
    """Codes of what is wrong with `shares`: 'no_steps', 'negative', 'precision', 'sum'. Empty when valid."""
    shares = [_decimal(s) for s in shares]
    if not shares:
        return ["no_steps"]
    problems = []
    if any(s < 0 for s in shares):
        problems.append("negative")
    if any(s != s.quantize(SHARE_QUANTUM) for s in shares):
        problems.append("precision")
    if sum(shares, Decimal(0)) != share_total(unit, amount, hours_per_day):
        problems.append("sum")
    return problems


def check_shares(unit: str | None, amount, shares: Iterable, hours_per_day: int = HOURS_PER_DAY) -> None:
    """Raise a ValidationError with a readable message when `shares` do not fit the time limit."""
    shares = [_decimal(s) for s in shares]
    problems = share_problems(unit, amount, shares, hours_per_day)
    if not problems:
        return
    messages = []
    if "no_steps" in problems:
        messages.append(gettext("A process needs at least one step."))
    if "negative" in problems:
        messages.append(gettext("A step's share of the time cannot be negative."))
    if "precision" in problems:
        messages.append(gettext("A step's share has at most 4 decimal places."))
    if "sum" in problems:
        total = share_total(unit, amount, hours_per_day)
        actual = sum(shares, Decimal(0))
        if shares_are_fractions(unit, amount):
            messages.append(
                gettext("The steps' shares are fractions of the whole and must add up to 1; they add up to %(actual)s.")
                % {"actual": _plain(actual)}
            )
        else:
            messages.append(
                gettext("The steps' shares must add up to %(total)s working hours; they add up to %(actual)s.")
                % {"total": _plain(total), "actual": _plain(actual)}
            )
    raise ValidationError(messages, code="process_shares")


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True)
class PlannedStep:
    key: str
    name: str
    role: str
    share: Decimal
    at_desk: bool


# (key, name, role, weight in %, done at the one-stop desk)
_FULL_PLAN = [
    ("receive", _("Receive the dossier at the one-stop desk"), Role.DESK_OFFICER, 5, True),
    ("handle", _("Examine the dossier and draft the result"), Role.SPECIALIST, 60, False),
    ("review", _("Review by the head of department"), Role.DEPARTMENT_HEAD, 15, False),
    ("sign", _("Approve and sign by the agency leader"), Role.AGENCY_LEADER, 10, False),
    ("return", _("Return the result at the one-stop desk"), Role.DESK_OFFICER, 10, True),
]
# A commune People's Committee has no heads of department between the officer and the chairman.
_SHORT_PLAN = [
    ("receive", _("Receive the dossier at the one-stop desk"), Role.DESK_OFFICER, 5, True),
    ("handle", _("Examine the dossier and draft the result"), Role.SPECIALIST, 70, False),
    ("sign", _("Approve and sign by the agency leader"), Role.AGENCY_LEADER, 15, False),
    ("return", _("Return the result at the one-stop desk"), Role.DESK_OFFICER, 10, True),
]


def default_plan(
    unit: str | None, amount, hours_per_day: int = HOURS_PER_DAY, *, with_review: bool = True
) -> list[PlannedStep]:
    """A sensible 5-step (4 without a department review) split of the time limit whose shares add up exactly."""
    plan = _FULL_PLAN if with_review else _SHORT_PLAN
    total = share_total(unit, amount, hours_per_day)
    shares = {key: (total * weight / 100).quantize(PLAN_QUANTUM, ROUND_HALF_UP) for key, _n, _r, weight, _d in plan}
    shares["handle"] = total - sum((s for k, s in shares.items() if k != "handle"), Decimal(0))
    if shares["handle"] < 0:  # only possible for absurdly small totals: give everything to the specialist
        shares = {key: Decimal(0) for key in shares}
        shares["handle"] = total
    return [PlannedStep(key, str(name), role, shares[key], desk) for key, name, role, _w, desk in plan]


def rescale(shares: Sequence, new_total) -> list[Decimal]:
    """Shares scaled proportionally to a new total, rounded to 4 places, adding up exactly to `new_total`."""
    shares = [_decimal(s) for s in shares]
    new_total = _decimal(new_total)
    if not shares:
        return []
    old_total = sum(shares, Decimal(0))
    if old_total == 0:
        scaled = [(new_total / len(shares)).quantize(SHARE_QUANTUM, ROUND_HALF_UP) for _ in shares]
    else:
        scaled = [(s * new_total / old_total).quantize(SHARE_QUANTUM, ROUND_HALF_UP) for s in shares]
    largest = max(range(len(scaled)), key=lambda i: scaled[i])
    scaled[largest] += new_total - sum(scaled, Decimal(0))
    return scaled
