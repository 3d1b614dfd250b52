"""Dashboard-style queries (operations dashboard, public page): each from the aggregates, and its naive recount from
the dossier tables (the benchmark times both; the tests compare them)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from congso.dossiers.choices import Timeliness
from congso.dossiers.models import Dossier
from congso.stats.contributions import deadline_day, zone
from congso.stats.models import (
    OPEN_END,
    DeadlineFact,
    EndedFact,
    EndedMonthFact,
    ReceivedFact,
    ReceivedMonthFact,
)
from congso.stats.queries import _deadline_facts, day_start, fact_parts


def monthly_trend(agency_ids, start: dt.date, end: dt.date) -> dict[str, dict]:
    """Per month (YYYY-MM): received, resolved, resolved early or on time, resolved late."""
    result: dict[str, dict] = {}
    for part in fact_parts(ReceivedFact, ReceivedMonthFact, start, end):
        for row in _by_month(part.filter(agency_id__in=agency_ids)).annotate(n=Sum("received")):
            result.setdefault(f"{row['m']:%Y-%m}", _empty())["received"] += row["n"] or 0
    for part in fact_parts(EndedFact, EndedMonthFact, start, end):
        for row in _by_month(part.filter(agency_id__in=agency_ids, ending="resolved")).annotate(
                n=Sum("n"), early=Sum("early"), on_time=Sum("on_time"), late=Sum("late")):
            b = result.setdefault(f"{row['m']:%Y-%m}", _empty())
            b["resolved"] += row["n"] or 0
            b["on_time"] += (row["early"] or 0) + (row["on_time"] or 0)
            b["late"] += row["late"] or 0
    return {k: result[k] for k in sorted(result)}


def _by_month(queryset):
    if queryset.model in (ReceivedMonthFact, EndedMonthFact):
        return queryset.order_by().annotate(m=F("month")).values("m")
    return queryset.order_by().annotate(m=TruncMonth("day")).values("m")


def recount_monthly_trend(agency_ids, start: dt.date, end: dt.date) -> dict[str, dict]:
    lo, hi = day_start(start), day_start(end + dt.timedelta(days=1))
    base = Dossier.objects.filter(handling_agency_id__in=agency_ids).order_by()
    result: dict[str, dict] = {}
    for row in base.filter(received_at__gte=lo, received_at__lt=hi).annotate(
            month=TruncMonth("received_at", tzinfo=zone())).values("month").annotate(n=Count("pk")):
        result.setdefault(f"{row['month']:%Y-%m}", _empty())["received"] += row["n"]
    for row in base.filter(resolved_at__isnull=False, finished_at__gte=lo, finished_at__lt=hi).annotate(
            month=TruncMonth("finished_at", tzinfo=zone())).values("month").annotate(
            n=Count("pk"), ok=Count("pk", filter=Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME])),
            late=Count("pk", filter=Q(timeliness=Timeliness.LATE))):
        b = result.setdefault(f"{row['month']:%Y-%m}", _empty())
        b["resolved"] += row["n"]
        b["on_time"] += row["ok"]
        b["late"] += row["late"]
    return {k: result[k] for k in sorted(result)}


def _empty() -> dict:
    return {"received": 0, "resolved": 0, "on_time": 0, "late": 0}


def late_by_agency_procedure(agency_ids, start: dt.date, end: dt.date, limit: int = 20) -> list[tuple]:
    """(agency id, procedure id, late resolutions) with the most late resolutions in the period."""
    totals: dict[tuple, int] = {}
    for part in fact_parts(EndedFact, EndedMonthFact, start, end):
        for r in part.filter(agency_id__in=agency_ids, ending="resolved", late__gt=0).order_by().values(
                "agency_id", "procedure_id").annotate(n=Sum("late")):
            key = (r["agency_id"], r["procedure_id"])
            totals[key] = totals.get(key, 0) + r["n"]
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [(agency, procedure, n) for (agency, procedure), n in ranked]


def recount_late_by_agency_procedure(agency_ids, start: dt.date, end: dt.date, limit: int = 20) -> list[tuple]:
    lo, hi = day_start(start), day_start(end + dt.timedelta(days=1))
    rows = (Dossier.objects.filter(handling_agency_id__in=agency_ids, resolved_at__isnull=False, finished_at__gte=lo,
                                   finished_at__lt=hi, timeliness=Timeliness.LATE).order_by()
            .values("handling_agency_id", "procedure_id").annotate(n=Count("pk"))
            .order_by("-n", "handling_agency_id", "procedure_id")[:limit])
    return [(r["handling_agency_id"], r["procedure_id"], r["n"]) for r in rows]


def in_progress_now(agency_ids, today: dt.date | None = None) -> dict[int, tuple[int, int]]:
    """{agency id: (open within the deadline, open past it)} now — due-soon and overdue panels."""
    today = today or timezone.localdate()
    rows = DeadlineFact.objects.filter(end_day=OPEN_END, agency_id__in=agency_ids).order_by().values(
        "agency_id").annotate(within=Sum("n", filter=Q(deadline_day__gte=today)),
                              overdue=Sum("n", filter=Q(deadline_day__lt=today)))
    return {r["agency_id"]: (r["within"] or 0, r["overdue"] or 0) for r in rows if (r["within"] or r["overdue"])}


def recount_in_progress_now(agency_ids, today: dt.date | None = None) -> dict[int, tuple[int, int]]:
    today = today or timezone.localdate()
    result: dict[int, list[int]] = {}
    for agency_id, *clock in Dossier.objects.filter(
            handling_agency_id__in=agency_ids, finished_at__isnull=True, received_at__isnull=False).values_list(
            "handling_agency_id", "due_at", "current_due_at", "waiting_seconds", "waiting_since", "supplement_count"):
        b = result.setdefault(agency_id, [0, 0])
        b[0 if deadline_day(_deadline_facts(*clock)) >= today else 1] += 1
    return {k: tuple(v) for k, v in result.items()}


def satisfaction(agency_ids, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(rated "satisfied", rated) among dossiers whose handling ended in the period."""
    from congso.stats.queries import _sum_parts

    row = _sum_parts([q.filter(agency_id__in=agency_ids) for q in fact_parts(EndedFact, EndedMonthFact, start, end)],
                     rated=Sum("rated"), unsatisfied=Sum("rated_unsatisfied"))
    return row["rated"] - row["unsatisfied"], row["rated"]


def recount_satisfaction(agency_ids, start: dt.date, end: dt.date) -> tuple[int, int]:
    from congso.portal.models import ServiceRating

    lo, hi = day_start(start), day_start(end + dt.timedelta(days=1))
    row = ServiceRating.objects.filter(dossier__handling_agency_id__in=agency_ids, dossier__finished_at__gte=lo,
                                       dossier__finished_at__lt=hi).aggregate(
        rated=Count("pk"), satisfied=Count("pk", filter=Q(satisfied=True)))
    return row["satisfied"], row["rated"]
