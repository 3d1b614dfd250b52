"""What a score is about: a unit (administrative unit or agency), its pooled agencies, and the period.

- An agency (by its QCVN 102 identifier) is scored on its own dossiers and those of every agency below it.
- An administrative unit (by its code) is scored on the agencies seated in it and in every unit below it, pooled;
  a commune has no units below it, so it counts only its own. After a merger the successor also pools its
  predecessors (and what was below them), following the succession crosswalk; a predecessor keeps its own scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from congso.org.choices import UnitLevel
from congso.org.models import AdminUnit, AdminUnitVersion, Agency, SuccessionLink

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class UnknownUnit(LookupError):
    """No agency identifier or administrative-unit code matches (or the caller may not see it)."""


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """Whole local days [start, end], both inclusive, judged as of the period's last instant (or now)."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.start > self.end:
            raise InvalidPeriod("from must not be after to")

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=VN)

    @property
    def end_at(self) -> dt.datetime:
        """The period's last instant."""
        return dt.datetime.combine(self.end, dt.time.max, tzinfo=VN)

    def as_of(self, now: dt.datetime | None = None) -> dt.datetime:
        """The instant the figures are computed at: the last instant of the period, or now for the current one."""
        return min(self.end_at, now or timezone.now())

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return cls(first, nxt - dt.timedelta(days=1))


def parse_date(value: str) -> dt.date:
    """dd/mm/yyyy (the UI's form) or ISO yyyy-mm-dd."""
    value = (value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InvalidPeriod(f"not a date (dd/mm/yyyy or yyyy-mm-dd): {value[:40]!r}")


@dataclass(frozen=True)
class Scope:
    code: str
    name: str
    kind: str  # "agency" or "unit"
    level: str  # UnitLevel of the unit or agency
    agency_ids: frozenset[int]
    pk: int

    @property
    def is_commune(self) -> bool:
        return self.level == UnitLevel.COMMUNE

    @property
    def score_level(self) -> str:
        """The level handed to the scoring function (commune rules apply to a commune and its agencies)."""
        return self.level


@dataclass(frozen=True)
class UnitGraph:
    """Children (over every dated version) and predecessors of every unit: read once, reused for many scopes."""

    children: dict[int, set[int]]
    predecessors: dict[int, set[int]]

    @classmethod
    def load(cls) -> UnitGraph:
        children: dict[int, set[int]] = {}
        versions = AdminUnitVersion.objects.filter(parent__isnull=False).values_list("unit_id", "parent_id")
        current = AdminUnit.objects.filter(parent__isnull=False).values_list("pk", "parent_id")
        for unit_id, parent_id in [*versions, *current]:
            children.setdefault(parent_id, set()).add(unit_id)
        predecessors: dict[int, set[int]] = {}
        for predecessor_id, successor_id in SuccessionLink.objects.values_list("predecessor_id", "successor_id"):
            predecessors.setdefault(successor_id, set()).add(predecessor_id)
        return cls(children, predecessors)


def pooled_unit_ids(unit: AdminUnit, graph: UnitGraph | None = None) -> set[int]:
    """The unit, its predecessors (following every merger back) and every unit ever below any of them."""
    graph = graph or UnitGraph.load()
    found, frontier = set(), [unit.pk]
    while frontier:
        current = frontier.pop()
        if current in found:
            continue
        found.add(current)
        frontier.extend(graph.children.get(current, ()))
        frontier.extend(graph.predecessors.get(current, ()))
    return found


def agencies_of_units(unit_ids: set[int]) -> frozenset[int]:
    seated = list(Agency.objects.filter(admin_unit_id__in=unit_ids).values_list("tree_path", flat=True))
    condition = Q(admin_unit_id__in=unit_ids)
    for path in seated:
        if path:
            condition |= Q(tree_path__startswith=path)
    return frozenset(Agency.objects.filter(condition).values_list("pk", flat=True))


def resolve(code: str, graph: UnitGraph | None = None) -> Scope:
    """The scope of an agency identifier or an administrative-unit code."""
    code = (code or "").strip()
    if not code or len(code) > 32:
        raise UnknownUnit(code)
    agency = Agency.objects.filter(code=code).first()
    if agency is not None:
        ids = frozenset(Agency.objects.filter(tree_path__startswith=agency.tree_path).values_list("pk", flat=True))
        return Scope(agency.code, agency.name, "agency", agency.level, ids | {agency.pk}, agency.pk)
    unit = AdminUnit.objects.filter(code=code).first()
    if unit is None:
        raise UnknownUnit(code)
    return Scope(unit.code, unit.name, "unit", unit.level, agencies_of_units(pooled_unit_ids(unit, graph)), unit.pk)


def visible_to(scope: Scope, user) -> bool:
    """Whether `user` may see this scope's figures and lists: every agency in it is one the user may see."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    visible = set(Agency.objects.for_user(user, "view").filter(pk__in=scope.agency_ids).values_list("pk", flat=True))
    return visible >= set(scope.agency_ids)
