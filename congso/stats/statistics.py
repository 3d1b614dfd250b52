"""The statistics tables (bảng thống kê): per agency, level, field, procedure or channel, for a period — from the
aggregates, and (for the benchmark and the tests) the same table recounted from the dossier tables.

Dating: received, refused, supplemented, online, digitised, paid online → the day the dossier was received
(refusals: the day it was submitted); resolved, early / on time / late, with apology, withdrawn, stopped, ratings →
the day handling ended; in progress within / past the deadline → now (a state, see docs/statistics.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from congso.catalog.models import ProcedureVersion
from congso.dossiers.choices import Channel, PaymentMethod, Status, Timeliness
from congso.dossiers.models import Dossier, DossierComponent, ResultDocument
from congso.org.models import Agency
from congso.stats.contributions import deadline_day
from congso.stats.models import (
    OPEN_END,
    DeadlineFact,
    EndedFact,
    EndedMonthFact,
    ReceivedFact,
    ReceivedMonthFact,
)
from congso.stats.queries import _deadline_facts, day_start, fact_parts

GROUPS = ("agency", "level", "field", "procedure", "channel")
CHANNELS = [c for c, _label in Channel.choices]
MEASURES = [
    "received", "received_direct", "received_online", "received_postal", "refused", "supplemented", "digitized",
    "fee_due", "paid_online", "resolved", "resolved_early", "resolved_on_time", "resolved_late",
    "resolved_late_apology", "withdrawn", "stopped", "rated", "rated_satisfied", "in_progress_within",
    "in_progress_overdue",
]


@dataclass
class Row:
    key: object
    label: str
    values: dict = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))

    def rate(self, n: str, d: str):
        return round(100 * self.values[n] / self.values[d], 2) if self.values[d] else None

    @property
    def rates(self) -> dict:
        v = self.values
        on_time = v["resolved_early"] + v["resolved_on_time"]
        return {
            "on_time_pct": round(100 * on_time / v["resolved"], 2) if v["resolved"] else None,
            "late_pct": self.rate("resolved_late", "resolved"),
            "online_pct": self.rate("received_online", "received"),
            "digitized_pct": self.rate("digitized", "received"),
            "paid_online_pct": self.rate("paid_online", "fee_due"),
            "satisfied_pct": self.rate("rated_satisfied", "rated"),
        }

    def add(self, other: dict) -> None:
        for name, value in other.items():
            self.values[name] += value or 0


@dataclass
class Filters:
    agency_ids: list[int]
    procedure_id: int | None = None
    channel: str | None = None
    level: str | None = None
    field_id: int | None = None


def _dimension(group: str) -> str:
    return {"agency": "agency_id", "level": "agency_id", "field": "procedure_id", "procedure": "procedure_id",
            "channel": "channel"}[group]


def _restrict(queryset, f: Filters, agency_field: str = "agency_id", procedure_field: str = "procedure_id"):
    queryset = queryset.filter(**{f"{agency_field}__in": f.agency_ids})
    if f.procedure_id:
        queryset = queryset.filter(**{procedure_field: f.procedure_id})
    if f.channel:
        queryset = queryset.filter(channel=f.channel)
    return queryset


def scoped_agencies(f: Filters) -> list[int]:
    """The agencies of the filter, narrowed by level."""
    if not f.level:
        return f.agency_ids
    return list(Agency.objects.filter(pk__in=f.agency_ids, level=f.level).values_list("pk", flat=True))


def procedures_in_field(field_id: int) -> list[int]:
    return list(ProcedureVersion.objects.filter(field_id=field_id).values_list("procedure_id", flat=True).distinct())


def statistics_rows(f: Filters, start: dt.date, end: dt.date, group: str) -> tuple[list[Row], Row]:
    """Rows of the statistics table and their total, from the aggregates."""
    f = Filters(scoped_agencies(f), f.procedure_id, f.channel, None, f.field_id)
    dim = _dimension(group)
    received = [_restrict(q, f) for q in fact_parts(ReceivedFact, ReceivedMonthFact, start, end)]
    ended = [_restrict(q, f) for q in fact_parts(EndedFact, EndedMonthFact, start, end)]
    open_now = _restrict(DeadlineFact.objects.filter(end_day=OPEN_END), f)
    if f.field_id:
        procedures = procedures_in_field(f.field_id)
        received = [q.filter(procedure_id__in=procedures) for q in received]
        ended = [q.filter(procedure_id__in=procedures) for q in ended]
        open_now = open_now.filter(procedure_id__in=procedures)
    raw: dict = {}

    def bucket(key) -> dict:
        return raw.setdefault(key, dict.fromkeys(MEASURES, 0))

    for row in (row for q in received for row in q.order_by().values(dim, "channel").annotate(
            received=Sum("received"), refused=Sum("refused"), supplemented=Sum("supplemented"),
            digitized=Sum("digitized"), fee_due=Sum("fee_due"), paid_online=Sum("paid_online"))):
        b = bucket(row[dim])
        for name in ("received", "refused", "supplemented", "digitized", "fee_due", "paid_online"):
            b[name] += row[name] or 0
        b[f"received_{row['channel']}"] += row["received"] or 0
    for row in (row for q in ended for row in q.order_by().values(dim, "ending").annotate(
            n=Sum("n"), early=Sum("early"), on_time=Sum("on_time"), late=Sum("late"), apology=Sum("late_apology"),
            rated=Sum("rated"), unsatisfied=Sum("rated_unsatisfied"))):
        b = bucket(row[dim])
        if row["ending"] == "resolved":
            b["resolved"] += row["n"] or 0
            b["resolved_early"] += row["early"] or 0
            b["resolved_on_time"] += row["on_time"] or 0
            b["resolved_late"] += row["late"] or 0
            b["resolved_late_apology"] += row["apology"] or 0
        elif row["ending"] in ("withdrawn", "stopped"):
            b[row["ending"]] += row["n"] or 0
        b["rated"] += row["rated"] or 0
        b["rated_satisfied"] += (row["rated"] or 0) - (row["unsatisfied"] or 0)
    today = timezone.localdate()
    for row in open_now.order_by().values(dim).annotate(
            within=Sum("n", filter=Q(deadline_day__gte=today)), overdue=Sum("n", filter=Q(deadline_day__lt=today))):
        b = bucket(row[dim])
        b["in_progress_within"] += row["within"] or 0
        b["in_progress_overdue"] += row["overdue"] or 0
    return _group(raw, group)


def recount_statistics_rows(f: Filters, start: dt.date, end: dt.date, group: str) -> tuple[list[Row], Row]:
    """The same table recounted from the dossier tables (independent of the aggregates)."""
    f = Filters(scoped_agencies(f), f.procedure_id, f.channel, None, f.field_id)
    dim = {"agency_id": "handling_agency_id", "procedure_id": "procedure_id", "channel": "channel"}[_dimension(group)]
    lo, hi = day_start(start), day_start(end + dt.timedelta(days=1))
    base = _restrict(Dossier.objects.order_by(), f, "handling_agency_id")
    if f.field_id:
        base = base.filter(procedure_id__in=procedures_in_field(f.field_id))
    raw: dict = {}

    def bucket(key) -> dict:
        return raw.setdefault(key, dict.fromkeys(MEASURES, 0))

    components = DossierComponent.objects.filter(dossier=OuterRef("pk"))
    e_result = Exists(ResultDocument.objects.filter(dossier=OuterRef("pk"), is_electronic=True))
    online_paid = Q(fee_due__gt=0, payment_method__in=[PaymentMethod.NATIONAL_PLATFORM, PaymentMethod.LOCAL_GATEWAY])
    received = base.filter(received_at__gte=lo, received_at__lt=hi).annotate(
        has_component=Exists(components), has_undigitized=Exists(components.filter(digitized=False)),
        has_e=e_result)
    for row in received.values(dim, "channel").annotate(
            n=Count("pk"), sup=Count("pk", filter=Q(supplement_count__gte=1)),
            dig=Count("pk", filter=Q(has_component=True, has_undigitized=False)
                      & (Q(procedure_version__result_is_document=False) | Q(has_e=True))),
            fee=Count("pk", filter=Q(fee_due__gt=0)), paid=Count("pk", filter=online_paid)):
        b = bucket(row[dim])
        b["received"] += row["n"]
        b[f"received_{row['channel']}"] += row["n"]
        b["supplemented"] += row["sup"]
        b["digitized"] += row["dig"]
        b["fee_due"] += row["fee"]
        b["paid_online"] += row["paid"]
    for row in base.filter(received_at__isnull=True, status=Status.REFUSED, submitted_at__gte=lo,
                           submitted_at__lt=hi).values(dim).annotate(n=Count("pk")):
        bucket(row[dim])["refused"] += row["n"]
    from congso.portal.models import ServiceRating

    ended = base.filter(finished_at__gte=lo, finished_at__lt=hi).annotate(
        rated=Exists(ServiceRating.objects.filter(dossier=OuterRef("pk"))),
        satisfied=Exists(ServiceRating.objects.filter(dossier=OuterRef("pk"), satisfied=True)))
    resolved = Q(resolved_at__isnull=False)
    for row in ended.values(dim).annotate(
            res=Count("pk", filter=resolved), early=Count("pk", filter=resolved & Q(timeliness=Timeliness.EARLY)),
            on_time=Count("pk", filter=resolved & Q(timeliness=Timeliness.ON_TIME)),
            late=Count("pk", filter=resolved & Q(timeliness=Timeliness.LATE, received_at__isnull=False)),
            apology=Count("pk", filter=resolved & Q(timeliness=Timeliness.LATE, extension_count__gte=1)),
            withdrawn=Count("pk", filter=~resolved & Q(status=Status.WITHDRAWN)),
            stopped=Count("pk", filter=~resolved & Q(status=Status.STOPPED)),
            n_rated=Count("pk", filter=Q(rated=True)), n_satisfied=Count("pk", filter=Q(satisfied=True))):
        b = bucket(row[dim])
        b["resolved"] += row["res"]
        b["resolved_early"] += row["early"]
        b["resolved_on_time"] += row["on_time"]
        b["resolved_late"] += row["late"]
        b["resolved_late_apology"] += row["apology"]
        b["withdrawn"] += row["withdrawn"]
        b["stopped"] += row["stopped"]
        b["rated"] += row["n_rated"]
        b["rated_satisfied"] += row["n_satisfied"]
    today = timezone.localdate()
    for key, *clock in base.filter(finished_at__isnull=True, received_at__isnull=False).values_list(
            dim, "due_at", "current_due_at", "waiting_seconds", "waiting_since", "supplement_count"):
        within = deadline_day(_deadline_facts(*clock)) >= today
        bucket(key)["in_progress_within" if within else "in_progress_overdue"] += 1
    return _group(raw, group)


def _group(raw: dict, group: str) -> tuple[list[Row], Row]:
    labels, grouping = _labels(group, list(raw))
    rows: dict = {}
    for key, values in raw.items():
        target = grouping(key)
        row = rows.get(target)
        if row is None:
            row = rows[target] = Row(target, labels.get(target, str(target)))
        row.add(values)
    total = Row("total", "")
    for row in rows.values():
        total.add(row.values)
    ordered = sorted(rows.values(), key=lambda r: (_order(group, r.key), r.label))
    return [r for r in ordered if any(r.values.values())], total


LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}


def _order(group: str, key) -> int:
    return LEVEL_ORDER.get(key, 9) if group == "level" else 0


def _labels(group: str, keys: list):
    from congso.org.choices import UnitLevel

    if group == "agency":
        names = dict(Agency.objects.filter(pk__in=keys).values_list("pk", "name"))
        return names, lambda k: k
    if group == "level":
        levels = dict(Agency.objects.filter(pk__in=keys).values_list("pk", "level"))
        return {v: str(label) for v, label in UnitLevel.choices}, lambda k: levels.get(k, "")
    if group == "channel":
        return {v: str(label) for v, label in Channel.choices}, lambda k: k
    versions = list(ProcedureVersion.objects.filter(procedure_id__in=keys).order_by("procedure_id", "number")
                    .values_list("procedure_id", "procedure__code", "name", "field_id", "field__name"))
    latest = {pid: (code, name, fid, fname) for pid, code, name, fid, fname in versions}
    if group == "procedure":
        return ({pid: f"{code} — {name}"[:300] for pid, (code, name, _f, _n) in latest.items()}, lambda k: k)
    fields = {pid: fid for pid, (_c, _n, fid, _fn) in latest.items()}
    return ({fid: fname for _c, _n, fid, fname in latest.values()}, lambda k: fields.get(k))
