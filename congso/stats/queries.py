"""Counts for the Decision 766 index and the statistics pages: from the aggregates (fast) and, independently, from
the dossier tables (the naive recount that proves them).

Conventions shared by both paths (docs/statistics.md):
- A period is two local dates, inclusive (Asia/Ho_Chi_Minh). `as_of` is an instant; its local day D is the day the
  figures are judged on. Default: the end of the period, or now if the period has not ended. Records dated after D
  are left out, so a closed period's figures never change.
- Attribution: a dossier counts for its handling agency (responsible for the result). Pass every agency to pool
  (a unit and all its sub-units) — the caller chooses the set; nothing is averaged.
- Signatures are a stable interface for congso.indices: add keyword arguments, never change these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from congso.dossiers.choices import Channel, PaymentMethod, Status, Timeliness
from congso.dossiers.models import Dossier, DossierComponent, ResultDocument
from congso.stats.contributions import ON_TIME, CachedFlags, DossierFacts, deadline_day, local_day, zone
from congso.stats.models import (
    OPEN_END,
    DeadlineFact,
    EndedFact,
    EndedMonthFact,
    ReceivedFact,
    ReceivedMonthFact,
)


@dataclass
class DossierCounts:
    """The dossier-based counts of the Decision 766 index (index766.md), for a set of agencies and a period.

    Cohort counts are over the dossiers RECEIVED in the period (received_at's local day in [start, min(end, D)];
    refused-at-intake and not-yet-accepted dossiers excluded):
    - received: progress d; online_dossiers, digitized, reused, data_store d.
    - on_time: progress n — received dossiers that ended on time (verdict early or on time by the national rule,
      calendar.md §5: the original appointment, waiting time subtracted, a second supplement request = late; an
      apology never makes a dossier on time), plus those open at D whose appointment had not passed on day D:
      a dossier that ended after D counts as open at D; if it ended on time it was within then; otherwise it is
      within iff the last day of its appointment (the current appointment, moved by the clock stops; a dossier
      waiting for the applicant counts from when the wait began; a second supplement request = never within) is
      on or after D. "Had not passed" is judged by day.
    - online_dossiers: received with channel online (KenhThucHien 2); when the procedure's result is a document,
      only with ≥ 1 electronic result.
    - digitized: ≥ 1 submitted component and all of them digitised (supplements included); with an electronic
      result when the result is a document.
    - reused: ≥ 1 component reused from digitised data.
    - data_store: ≥ 1 component taken from the national data store, or ≥ 1 result pushed to the applicant's store.
    - population_dossiers (n, d): d = received dossiers of individuals (applicant kind person); n = those
      submitted by an e-ID-verified account or carrying a population-database reference.
    - paid_online (n, d): d = received dossiers with a non-zero fee due; n = those with an online payment
      (national platform or provincial gateway).
    Resolution counts are over the dossiers RESOLVED in the period (local day of the end of handling in
    [start, min(end, D)]; "returned" dossiers are resolved ones):
    - resolved; e_result (n, d): d = resolved whose procedure's result is a document, n = with ≥ 1 electronic
      result; dossier_satisfied (n, d): d = resolved, n = not late, no complaint (feedback is_complaint), not
      rated "not satisfied".
    Sets for the procedure indicators (the caller supplies the catalogue denominators):
    - procedures_population_linked: procedure ids with ≥ 1 population-linked dossier of an individual.
    - online_services_with_dossiers: (procedure id, agency id) pairs with ≥ 1 dossier received online.
    - procedures_paid_online: procedure ids with ≥ 1 dossier paid online.
    """

    received: int = 0
    on_time: int = 0
    online_dossiers: int = 0
    digitized: int = 0
    reused: int = 0
    data_store: int = 0
    population_dossiers: tuple[int, int] = (0, 0)
    paid_online: tuple[int, int] = (0, 0)
    resolved: int = 0
    e_result: tuple[int, int] = (0, 0)
    dossier_satisfied: tuple[int, int] = (0, 0)
    procedures_population_linked: frozenset = field(default_factory=frozenset)
    online_services_with_dossiers: frozenset = field(default_factory=frozenset)
    procedures_paid_online: frozenset = field(default_factory=frozenset)

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        for key in ("procedures_population_linked", "procedures_paid_online"):
            data[key] = sorted(data[key])
        data["online_services_with_dossiers"] = sorted(list(p) for p in data["online_services_with_dossiers"])
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        return data


def judging_day(start: dt.date, end: dt.date, as_of: dt.datetime | None) -> tuple[dt.date, dt.date]:
    """(D, last day counted): D is as_of's local day (default: the end of the period, or today)."""
    if as_of is None:
        day = min(end, timezone.localdate())
    else:
        if timezone.is_naive(as_of):
            raise ValueError("as_of must carry a time zone")
        day = local_day(as_of)
    return day, min(end, day)


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone())


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def fact_parts(daily, monthly, start: dt.date, last: dt.date) -> list:
    """Querysets covering the local days [start, last]: whole calendar months from the monthly roll-up, the days
    before and after them from the daily table."""
    first_month = start if start.day == 1 else month_end(start) + dt.timedelta(days=1)
    last_full = last if last == month_end(last) else last.replace(day=1) - dt.timedelta(days=1)
    if first_month > last_full:
        return [daily.objects.filter(day__gte=start, day__lte=last)]
    parts = [monthly.objects.filter(month__gte=first_month, month__lte=last_full.replace(day=1))]
    if start < first_month:
        parts.append(daily.objects.filter(day__gte=start, day__lt=first_month))
    if last_full < last:
        parts.append(daily.objects.filter(day__gt=last_full, day__lte=last))
    return parts


def _sum_parts(parts, **aggregates) -> dict:
    total = dict.fromkeys(aggregates, 0)
    for part in parts:
        for name, value in part.aggregate(**aggregates).items():
            total[name] += value or 0
    return total


def dossier_counts(agency_ids, start: dt.date, end: dt.date, as_of: dt.datetime | None = None) -> DossierCounts:
    """The Decision 766 dossier counts from the aggregates (see DossierCounts for every definition)."""
    agency_ids = list(agency_ids)
    day, last = judging_day(start, end, as_of)
    counts = DossierCounts()
    if last < start or not agency_ids:
        return counts
    cohorts = [q.filter(agency_id__in=agency_ids) for q in fact_parts(ReceivedFact, ReceivedMonthFact, start, last)]
    s = _sum_parts(
        cohorts, received=Sum("received"), on_time=Sum("on_time_final"), online=Sum("online_counted"),
        digitized=Sum("digitized"), reused=Sum("reused"), data_store=Sum("data_store"), person=Sum("person"),
        linked=Sum("person_linked"), fee_due=Sum("fee_due"), paid_online=Sum("paid_online"),
    )
    within = DeadlineFact.objects.filter(agency_id__in=agency_ids, day__gte=start, day__lte=last, end_day__gt=day,
                                         deadline_day__gte=day).aggregate(n=Sum("n"))["n"] or 0
    e = _sum_parts([q.filter(agency_id__in=agency_ids, ending="resolved")
                    for q in fact_parts(EndedFact, EndedMonthFact, start, last)],
                   n=Sum("n"), doc=Sum("result_doc"), e=Sum("e_result"), satisfied=Sum("satisfied"))
    counts.received, counts.on_time = s["received"], s["on_time"] + within
    counts.online_dossiers, counts.digitized = s["online"], s["digitized"]
    counts.reused, counts.data_store = s["reused"], s["data_store"]
    counts.population_dossiers = (s["linked"], s["person"])
    counts.paid_online = (s["paid_online"], s["fee_due"])
    counts.resolved = e["n"]
    counts.e_result = (e["e"], e["doc"])
    counts.dossier_satisfied = (e["satisfied"], e["n"])
    linked, paid, services = set(), set(), set()
    for cohort in cohorts:
        # One grouped read per part: only the groups that put a procedure or a service in one of the sets.
        for row in cohort.order_by().values("procedure_id", "agency_id", "channel").annotate(
                l=Sum("person_linked"), p=Sum("paid_online"), r=Sum("received")).filter(
                Q(l__gt=0) | Q(p__gt=0) | Q(channel=Channel.ONLINE, r__gt=0)):
            if row["l"]:
                linked.add(row["procedure_id"])
            if row["p"]:
                paid.add(row["procedure_id"])
            if row["channel"] == Channel.ONLINE and row["r"]:
                services.add((row["procedure_id"], row["agency_id"]))
    counts.procedures_population_linked = frozenset(linked)
    counts.procedures_paid_online = frozenset(paid)
    counts.online_services_with_dossiers = frozenset(services)
    return counts


def recount_dossier_counts(agency_ids, start: dt.date, end: dt.date,
                           as_of: dt.datetime | None = None) -> DossierCounts:
    """The same counts as `dossier_counts`, recounted from the dossier tables (the naive recount)."""
    agency_ids = list(agency_ids)
    day, last = judging_day(start, end, as_of)
    counts = DossierCounts()
    if last < start or not agency_ids:
        return counts
    e_result = Exists(ResultDocument.objects.filter(dossier=OuterRef("pk"), is_electronic=True))
    e_ok = Q(procedure_version__result_is_document=False) | Q(has_e_result=True)
    components = DossierComponent.objects.filter(dossier=OuterRef("pk"))
    person = Q(applicant_kind="person")
    linked = person & (Q(eid_verified=True) | ~Q(population_data_refs=[]))
    online_paid = Q(fee_due__gt=0, payment_method__in=[PaymentMethod.NATIONAL_PLATFORM, PaymentMethod.LOCAL_GATEWAY])
    ended_on_time = Q(finished_at__isnull=False, timeliness__in=list(ON_TIME))
    cohort = Dossier.objects.filter(handling_agency_id__in=agency_ids, received_at__gte=day_start(start),
                                    received_at__lt=day_start(last + dt.timedelta(days=1))).order_by() \
        .annotate(has_e_result=e_result)
    sums = cohort.annotate(
        has_component=Exists(components), has_undigitized=Exists(components.filter(digitized=False)),
        has_reused=Exists(components.filter(reused=True)),
        has_store=Exists(components.filter(from_national_store=True)),
        has_pushed=Exists(ResultDocument.objects.filter(dossier=OuterRef("pk"), pushed_to_data_store=True)),
    ).aggregate(
        n_received=Count("pk"), n_on_time=Count("pk", filter=ended_on_time),
        online=Count("pk", filter=Q(channel=Channel.ONLINE) & e_ok),
        n_digitized=Count("pk", filter=Q(has_component=True, has_undigitized=False) & e_ok),
        n_reused=Count("pk", filter=Q(has_reused=True)),
        n_data_store=Count("pk", filter=Q(has_store=True) | Q(has_pushed=True)),
        person=Count("pk", filter=person), linked=Count("pk", filter=linked),
        with_fee=Count("pk", filter=Q(fee_due__gt=0)), paid=Count("pk", filter=online_paid),
    )
    # Open at D (not ended by the end of day D) and not ended on time: judged by the deadline rule, row by row.
    candidates = cohort.filter(Q(finished_at__isnull=True) | Q(finished_at__gte=day_start(day + dt.timedelta(days=1))))
    candidates = candidates.exclude(ended_on_time)
    within = sum(1 for row in candidates.values_list("due_at", "current_due_at", "waiting_seconds", "waiting_since",
                                                     "supplement_count").iterator(chunk_size=5000)
                 if deadline_day(_deadline_facts(*row)) >= day)
    resolved = Dossier.objects.filter(
        handling_agency_id__in=agency_ids, resolved_at__isnull=False, finished_at__gte=day_start(start),
        finished_at__lt=day_start(last + dt.timedelta(days=1))).order_by().annotate(
        has_e_result=e_result,
        unsatisfied=Exists(_ratings().filter(dossier=OuterRef("pk"), satisfied=False)),
        complained=Exists(_feedback().filter(dossier=OuterRef("pk"), is_complaint=True)),
    ).aggregate(
        n=Count("pk"), doc=Count("pk", filter=Q(procedure_version__result_is_document=True)),
        e=Count("pk", filter=Q(procedure_version__result_is_document=True, has_e_result=True)),
        satisfied=Count("pk", filter=~Q(timeliness=Timeliness.LATE) & Q(unsatisfied=False, complained=False)),
    )
    counts.received, counts.on_time = sums["n_received"], sums["n_on_time"] + within
    counts.online_dossiers, counts.digitized = sums["online"], sums["n_digitized"]
    counts.reused, counts.data_store = sums["n_reused"], sums["n_data_store"]
    counts.population_dossiers = (sums["linked"], sums["person"])
    counts.paid_online = (sums["paid"], sums["with_fee"])
    counts.resolved = resolved["n"]
    counts.e_result = (resolved["e"], resolved["doc"])
    counts.dossier_satisfied = (resolved["satisfied"], resolved["n"])
    counts.procedures_population_linked = frozenset(
        cohort.filter(linked).values_list("procedure_id", flat=True).distinct())
    counts.procedures_paid_online = frozenset(
        cohort.filter(online_paid).values_list("procedure_id", flat=True).distinct())
    counts.online_services_with_dossiers = frozenset(
        cohort.filter(channel=Channel.ONLINE).values_list("procedure_id", "handling_agency_id").distinct())
    return counts


def _deadline_facts(due_at, current_due_at, waiting_seconds, waiting_since, supplement_count) -> DossierFacts:
    return DossierFacts(agency_id=0, procedure_id=0, channel="", status=Status.IN_PROGRESS, submitted_at=due_at,
                        received_at=None, finished_at=None, resolved_at=None, timeliness="", due_at=due_at,
                        current_due_at=current_due_at, waiting_seconds=waiting_seconds or 0,
                        waiting_since=waiting_since, supplement_count=supplement_count or 0, extension_count=0,
                        applicant_kind="", eid_verified=False, population_linked=False, fee_due=0,
                        payment_method=None, flags=CachedFlags())


def _ratings():
    from congso.portal.models import ServiceRating

    return ServiceRating.objects.all()


def _feedback():
    from congso.feedback.models import Feedback

    return Feedback.objects.all()


__all__ = ["OPEN_END", "DossierCounts", "dossier_counts", "recount_dossier_counts", "judging_day"]
