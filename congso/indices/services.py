"""The thin layer between the database and the pure scoring: which profile applies, counts → scores, and the
figures the pages show (ranking, monthly trend), with closed periods cached (their figures never change)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from congso.indices import counting
from congso.indices.models import IndexProfile
from congso.indices.profiles import DEFAULT_PARAMETERS, DEFAULT_PROFILE_KEY
from congso.indices.scope import Period, Scope
from congso.indices.scoring import Evaluation, evaluate, rating, to_jsonable

CLOSED_PERIOD_CACHE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Profile:
    key: str
    parameters: dict


def profile_for(day: dt.date) -> Profile:
    """The profile in force for a period ending on `day` (the built-in default when the table is empty)."""
    found = IndexProfile.objects.in_force_on(day)
    if found is None:
        return Profile(DEFAULT_PROFILE_KEY, DEFAULT_PARAMETERS)
    return Profile(found.key, found.parameters)


@dataclass
class IndexResult:
    scope: Scope
    period: Period
    as_of: dt.datetime
    profile: Profile
    counts: dict
    no_data: dict[str, str]
    evaluation: Evaluation

    @property
    def rating(self) -> dict | None:
        return rating(self.evaluation.total, self.evaluation.max_total, self.profile.parameters)

    @property
    def on_time_rate(self) -> float | None:
        progress = self.counts.get("progress", {})
        return progress["on_time"] / progress["received"] * 100 if progress.get("received") else None

    def as_json(self) -> dict:
        return {
            "unit": {"code": self.scope.code, "name": self.scope.name, "kind": self.scope.kind,
                     "level": self.scope.level},
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
                       "as_of": timezone.localtime(self.as_of).isoformat()},
            "counts": self.counts,
            "scores": to_jsonable(self.evaluation.as_output()),
            "no_data": sorted(self.no_data),
            "rating": to_jsonable(self.rating),
        }


def compute(scope: Scope, period: Period, now: dt.datetime | None = None) -> IndexResult:
    profile = profile_for(period.end)
    found = counting.collect(scope, period, profile_key=profile.key, parameters=profile.parameters, now=now)
    evaluation = evaluate(found.counts, profile.parameters, profile.key, found.counts.get("level"))
    return IndexResult(scope, period, found.ctx.as_of, profile, found.counts, found.no_data, evaluation)


def compute_cached(scope: Scope, period: Period) -> IndexResult:
    """`compute`, cached for a period that is over (figures as of its last instant never change)."""
    now = timezone.now()
    if period.end_at >= now:
        return compute(scope, period, now)
    key = f"indices:766:{scope.kind}:{scope.code}:{period.start}:{period.end}:{len(scope.agency_ids)}"
    found = cache.get(key)
    if found is None:
        found = compute(scope, period, now)
        cache.set(key, found, CLOSED_PERIOD_CACHE_SECONDS)
    return found


def last_months(count: int = 12, today: dt.date | None = None) -> list[Period]:
    today = today or timezone.localdate()
    year, month = today.year, today.month
    periods = []
    for _ in range(count):
        periods.append(Period.month(year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    periods.reverse()
    periods[-1] = Period(periods[-1].start, min(periods[-1].end, today))
    return periods


def monthly_trend(scope: Scope, months: int = 12, today: dt.date | None = None) -> list[dict]:
    """The index and the on-time rate month by month, oldest first (the current month up to today)."""
    rows = []
    for period in last_months(months, today):
        result = compute_cached(scope, period)
        rows.append({
            "month": period.start.strftime("%m/%Y"), "from": period.start.isoformat(), "to": period.end.isoformat(),
            "total": result.evaluation.total, "max_total": result.evaluation.max_total,
            "on_time_rate": result.on_time_rate, "received": result.counts["progress"]["received"],
        })
    return rows


def compute_many(scopes: list[Scope], period: Period, now: dt.datetime | None = None) -> list[IndexResult]:
    """`compute` for many scopes in the queries of one (counting.collect_many: the recount, grouped by agency)."""
    profile = profile_for(period.end)
    found = counting.collect_many(scopes, period, profile_key=profile.key, parameters=profile.parameters, now=now)
    results = []
    for scope in scopes:
        item = found[scope.code]
        evaluation = evaluate(item.counts, profile.parameters, profile.key, item.counts.get("level"))
        results.append(IndexResult(scope, period, item.ctx.as_of, profile, item.counts, item.no_data, evaluation))
    return results


def ranking(scopes: list[Scope], period: Period) -> list[IndexResult]:
    """Scopes ordered by their total as a share of their maximum (N/A last), then by on-time rate."""
    results = compute_many(scopes, period)

    def key(result: IndexResult):
        ev = result.evaluation
        share = float(ev.total / ev.max_total) if ev.total is not None and ev.max_total else -1.0
        return (-share, -(result.on_time_rate or -1), result.scope.code)

    return sorted(results, key=key)
