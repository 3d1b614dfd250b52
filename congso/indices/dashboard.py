"""The figures of the operations dashboard (IOC): on-time by level, late dossiers by agency and by procedure,
dossiers due soon, satisfaction. Aggregate queries over the scope's dossiers; open dossiers are judged once."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from congso.dossiers.choices import Timeliness
from congso.feedback.models import Feedback
from congso.indices import counting
from congso.indices.counting import Context
from congso.portal.models import ServiceRating
from congso.workcalendar.services import get_calendar


def timeliness_by(ctx: Context, field: str, labels: str | None = None) -> list[dict]:
    """Received dossiers grouped by `field`: received, on time (ended on time + open within), late (ended late +
    open past the deadline) — one aggregate query, one query for the open ones' groups."""
    fields = [field] + ([labels] if labels else [])
    rows = ctx.received().values(*fields).annotate(
        received=Count("pk"), ended_on_time=Count("pk", filter=counting.ended_on_time(ctx.as_of)),
        ended_late=Count("pk", filter=Q(finished_at__lte=ctx.as_of) & ~Q(timeliness__in=counting.ON_TIME_VERDICTS)),
    )
    verdicts = counting.open_verdicts(ctx)
    groups = dict(ctx.received().filter(pk__in=list(verdicts)).values_list("pk", field)) if verdicts else {}
    open_within: dict = {}
    open_overdue: dict = {}
    for pk, verdict in verdicts.items():
        target = open_within if verdict == Timeliness.OPEN_WITHIN else open_overdue
        target[groups.get(pk)] = target.get(groups.get(pk), 0) + 1
    result = []
    for row in rows:
        key = row[field]
        on_time = row["ended_on_time"] + open_within.get(key, 0)
        late = row["ended_late"] + open_overdue.get(key, 0)
        result.append({"key": key, "label": row[labels] if labels else key, "received": row["received"],
                       "on_time": on_time, "late": late, "open_overdue": open_overdue.get(key, 0),
                       "rate": round(on_time / row["received"] * 100, 2) if row["received"] else None})
    return result


def due_soon(ctx: Context, working_days: int = 2) -> dict:
    """Open dossiers (now) whose current appointment falls within the next N working days, not yet passed."""
    now = ctx.now
    limit_day = counting.working_days_after(timezone.localtime(now).date(), working_days)
    limit = get_calendar().closing(limit_day)
    queryset = ctx.dossiers().filter(finished_at__isnull=True, received_at__isnull=False, waiting_since__isnull=True,
                                     current_due_at__gt=now, current_due_at__lte=limit)
    by_agency = list(queryset.values("handling_agency__name").annotate(n=Count("pk")).order_by("-n")[:10])
    return {"count": queryset.count(), "until": limit.isoformat(),
            "by_agency": [{"label": r["handling_agency__name"], "count": r["n"]} for r in by_agency]}


def satisfaction(ctx: Context) -> dict:
    ratings = ServiceRating.objects.filter(dossier__handling_agency_id__in=ctx.scope.agency_ids,
                                           rated_at__gte=ctx.period.start_at, rated_at__lte=ctx.as_of).aggregate(
        total=Count("pk"), satisfied=Count("pk", filter=Q(satisfied=True)))
    feedback = Feedback.objects.filter(agency_id__in=ctx.scope.agency_ids, received_at__gte=ctx.period.start_at,
                                       received_at__lte=ctx.as_of).aggregate(
        total=Count("pk"), complaints=Count("pk", filter=Q(is_complaint=True)))
    return {"ratings": ratings["total"], "satisfied": ratings["satisfied"],
            "unsatisfied": ratings["total"] - ratings["satisfied"],
            "feedback": feedback["total"], "complaints": feedback["complaints"]}


def top_late(rows: list[dict], limit: int = 10) -> list[dict]:
    return sorted((r for r in rows if r["late"]), key=lambda r: (-r["late"], str(r["label"])))[:limit]


def dashboard_data(ctx: Context) -> dict:
    by_level = timeliness_by(ctx, "handling_agency__level")
    by_agency = timeliness_by(ctx, "handling_agency_id", "handling_agency__name")
    by_procedure = timeliness_by(ctx, "procedure__code", "procedure_version__name")
    return {
        "by_level": by_level,
        "late_by_agency": top_late(by_agency),
        "late_by_procedure": top_late(by_procedure),
        "due_soon": due_soon(ctx),
        "satisfaction": satisfaction(ctx),
        "generated_at": timezone.localtime(ctx.now).isoformat(),
    }


def as_of_text(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")
