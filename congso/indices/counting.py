"""The counting layer of the Decision 766 index (đếm số liệu): dossiers, procedures, feedback, payments and ratings
→ the counts document that `congso.indices.scoring` scores.

Every count is for one `Scope` (the pooled agencies of a unit) and one `Period`, computed as of the period's last
instant (or now): events after it are ignored. Dossier counts are aggregate SQL (conditional COUNT over one
queryset, never a query per row); the only per-row work is judging the dossiers still open at the "as of" instant,
read in one query (plus one for their clock stops and one for their supplement requests when the period is over).
Each function's docstring is the count's definition; docs/index766.md repeats them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from congso.catalog.choices import INDIVIDUAL_APPLICANT_TYPES, OnlineMode, ProcedureStatus
from congso.catalog.models import CONTENT_ITEMS, Implementation, ProcedureVersion
from congso.catalog.querysets import in_force_q
from congso.dossiers.choices import ApplicantKind, Channel, PaymentMethod, Timeliness
from congso.dossiers.models import ClockStop, Dossier, DossierComponent, Payment, ResultDocument, SupplementRequest
from congso.dossiers.timeliness import ClockState, judge
from congso.feedback.models import Feedback
from congso.indices.profiles import DEFAULT_PARAMETERS, DEFAULT_PROFILE_KEY
from congso.indices.scope import Period, Scope
from congso.portal.models import ServiceRating
from congso.workcalendar.services import get_calendar

log = logging.getLogger(__name__)

# Indicators congso produces no data for yet: N/A and shown "no data yet", never 0.
NO_DATA_SYNC = "national_portal_sync"  # transparency.dossiers_synced: the national-portal connector does not exist yet
NO_DATA_CERTIFIED_COPY = "e_certified_copy"  # digitization.e_certified_copy: congso has no e-certified-copy service
ON_TIME_VERDICTS = (Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.NOT_APPLICABLE)
ONLINE_PAYMENT = (PaymentMethod.NATIONAL_PLATFORM, PaymentMethod.LOCAL_GATEWAY)


@dataclass
class Context:
    """One scope, one period and the "as of" instant, with the querysets every count starts from."""

    scope: Scope
    period: Period
    as_of: dt.datetime
    now: dt.datetime

    @classmethod
    def build(cls, scope: Scope, period: Period, now: dt.datetime | None = None) -> Context:
        now = now or timezone.now()
        return cls(scope, period, period.as_of(now), now)

    @property
    def day(self) -> dt.date:
        return timezone.localtime(self.as_of).date()

    def dossiers(self) -> QuerySet:
        """Dossiers handled (result owed) by an agency of the scope."""
        return Dossier.objects.filter(handling_agency_id__in=self.scope.agency_ids)

    def received(self) -> QuerySet:
        """Dossiers accepted (received) in the period up to "as of"; refused-at-intake dossiers were never received."""
        return self.dossiers().filter(received_at__gte=self.period.start_at, received_at__lte=self.as_of)

    def resolved(self) -> QuerySet:
        """Dossiers resolved (status 9 reached) in the period up to "as of"."""
        return self.dossiers().filter(resolved_at__gte=self.period.start_at, resolved_at__lte=self.as_of)

    def in_period(self, prefix: str) -> Q:
        return Q(**{f"{prefix}__gte": self.period.start_at, f"{prefix}__lte": self.as_of})


# --- conditions on a dossier row, as of an instant -----------------------------------------------------------------

def has_e_result(as_of) -> Exists:
    return Exists(ResultDocument.objects.filter(dossier=OuterRef("pk"), is_electronic=True, issued_at__lte=as_of))


def any_component(**flags) -> Exists:
    return Exists(DossierComponent.objects.filter(dossier=OuterRef("pk"), **flags))


def pushed_result(as_of) -> Exists:
    return Exists(ResultDocument.objects.filter(dossier=OuterRef("pk"), pushed_to_data_store=True,
                                                issued_at__lte=as_of))


def population_linked() -> Q:
    return Q(eid_verified=True) | ~Q(population_data_refs=[])


def paid_online(as_of) -> Exists:
    return Exists(Payment.objects.filter(dossier=OuterRef("pk"), method__in=ONLINE_PAYMENT, paid_at__lte=as_of))


def complained(as_of) -> Exists:
    return Exists(Feedback.objects.filter(dossier=OuterRef("pk"), is_complaint=True, received_at__lte=as_of))


def rated_unsatisfied(as_of) -> Exists:
    return Exists(ServiceRating.objects.filter(dossier=OuterRef("pk"), satisfied=False, rated_at__lte=as_of))


def ended_on_time(as_of) -> Q:
    """Ended by "as of" with an early / on-time verdict (a dossier without a time limit cannot be late)."""
    return Q(finished_at__lte=as_of, timeliness__in=ON_TIME_VERDICTS)


def open_at(as_of) -> Q:
    return Q(finished_at__isnull=True) | Q(finished_at__gt=as_of)


# --- the dossier counts ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DossierMeasure:
    """A dossier-based indicator: its denominator (a base set and a filter) and the numerator's condition.

    Drill-down lists the denominator's dossiers that fail the numerator (`congso.indices.drilldown`)."""

    key: str  # "group.indicator"
    base: str  # "received" or "resolved"
    denominator: Q
    numerator: Q


def dossier_flags(ctx: Context, base: str) -> dict[str, Exists]:
    """Per-dossier facts as of `ctx.as_of`, annotated once per row (each EXISTS evaluated once, not per filter)."""
    a = ctx.as_of
    flags = {"f_e_result": has_e_result(a)}
    if base == "received":
        flags.update(f_component=any_component(), f_undigitized=any_component(digitized=False),
                     f_reused=any_component(reused=True), f_store=any_component(from_national_store=True),
                     f_pushed=pushed_result(a), f_paid=paid_online(a))
    else:
        flags.update(f_complained=complained(a), f_unsatisfied=rated_unsatisfied(a))
    return flags


def dossier_measures(ctx: Context) -> list[DossierMeasure]:
    """The definitions of the dossier-based indicators (except progress, judged below), as of `ctx.as_of`, over the
    rows annotated with `dossier_flags`."""
    everything = Q()
    result_ok = Q(procedure_version__result_is_document=False) | Q(f_e_result=True)
    return [
        # C: dossiers submitted online (channel 2), and, when the result is a document, with an e-result / received.
        DossierMeasure("online.online_dossiers", "received", everything, Q(channel=Channel.ONLINE) & result_ok),
        # Received dossiers with at least one component, all digitised, with an e-result when the result is a
        # document / received.
        DossierMeasure("digitization.digitized", "received", everything,
                       Q(f_component=True, f_undigitized=False) & result_ok),
        # Received dossiers with at least one component reused from digitised data / received.
        DossierMeasure("digitization.reused", "received", everything, Q(f_reused=True)),
        # Received dossiers with a component taken from, or a result pushed to, the applicant's data store / received.
        DossierMeasure("digitization.data_store", "received", everything, Q(f_store=True) | Q(f_pushed=True)),
        # Received dossiers of individuals linked to population data (e-ID-verified account or a population-database
        # reference) / received dossiers of individuals.
        DossierMeasure("digitization.population_data_dossiers", "received", Q(applicant_kind=ApplicantKind.PERSON),
                       population_linked()),
        # Received dossiers with a non-zero fee due whose fees were paid online (national platform or provincial
        # gateway) by "as of" / received dossiers with a non-zero fee due.
        DossierMeasure("payment.paid_online", "received", Q(fee_due__gt=0), Q(f_paid=True)),
        # Dossiers resolved in the period whose result is a document that have an electronic result / those dossiers.
        DossierMeasure("digitization.e_result", "resolved", Q(procedure_version__result_is_document=True),
                       Q(f_e_result=True)),
        # Dossiers resolved in the period that were neither late, nor complained about (a complaint feedback item), nor
        # rated "not satisfied", by "as of" / dossiers resolved in the period.
        DossierMeasure("satisfaction.dossier_satisfied", "resolved", everything,
                       ~Q(timeliness=Timeliness.LATE) & Q(f_complained=False, f_unsatisfied=False)),
    ]


def measure_base(ctx: Context, base: str) -> QuerySet:
    """The received or resolved dossiers, annotated with the flags the measures read."""
    queryset = ctx.received() if base == "received" else ctx.resolved()
    return queryset.order_by().annotate(**dossier_flags(ctx, base))


def measure_aggregates(ctx: Context, base: str) -> tuple[list[DossierMeasure], dict]:
    chosen = [m for m in dossier_measures(ctx) if m.base == base]
    aggregates = {}
    for index, measure in enumerate(chosen):
        aggregates[f"d{index}"] = Count("pk", filter=measure.denominator) if measure.denominator else Count("pk")
        aggregates[f"n{index}"] = Count("pk", filter=measure.denominator & measure.numerator)
    return chosen, aggregates


def dossier_pairs(ctx: Context) -> dict[str, list[int]]:
    """[n, d] of every dossier-based indicator, in two aggregate queries (received-based and resolved-based)."""
    result: dict[str, list[int]] = {}
    for base in ("received", "resolved"):
        chosen, aggregates = measure_aggregates(ctx, base)
        row = measure_base(ctx, base).aggregate(**aggregates)
        for index, measure in enumerate(chosen):
            result[measure.key] = [row[f"n{index}"], row[f"d{index}"]]
    return result


def _state_as_of(rows: list[dict], as_of: dt.datetime, reconstruct: bool) -> dict[int, ClockState]:
    """The clock of open dossiers as it stood at `as_of`. For a period that is over, the stops and supplement
    requests made after `as_of` are taken back (one query each), so a closed period's figures never change."""
    if not reconstruct:
        return {r["pk"]: ClockState(
            received_at=r["received_at"], due_at=r["due_at"], current_due_at=r["current_due_at"], finished_at=None,
            waiting=dt.timedelta(seconds=r["waiting_seconds"]), waiting_since=r["waiting_since"],
            supplement_count=r["supplement_count"]) for r in rows}
    ids = [r["pk"] for r in rows]
    stops: dict[int, list] = {}
    supplements: dict[int, int] = {}
    for chunk in _chunks(ids):
        for dossier_id, started, ended in ClockStop.objects.filter(
                dossier_id__in=chunk, started_at__lte=as_of).values_list("dossier_id", "started_at", "ended_at"):
            stops.setdefault(dossier_id, []).append((started, ended))
        for row in SupplementRequest.objects.filter(
                dossier_id__in=chunk, requested_at__lte=as_of, counts_for_timeliness=True
        ).values("dossier_id").annotate(n=Count("pk")):
            supplements[row["dossier_id"]] = row["n"]
    calendar = get_calendar()
    states = {}
    for r in rows:
        own = stops.get(r["pk"], [])
        closed = [(s, e) for s, e in own if e is not None and e <= as_of]
        waiting_since = next((s for s, e in own if e is None or e > as_of), None)
        waiting = sum((dt.timedelta(seconds=int((e - s).total_seconds())) for s, e in closed), dt.timedelta())
        current_due = r["due_at"]
        if closed and r["due_at"] and r["duration_unit"]:
            current_due = calendar.shift_by_stops(r["due_at"], closed, r["duration_unit"])
        states[r["pk"]] = ClockState(
            received_at=r["received_at"], due_at=r["due_at"], current_due_at=current_due, finished_at=None,
            waiting=waiting, waiting_since=waiting_since, supplement_count=supplements.get(r["pk"], 0))
    return states


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


OPEN_FIELDS = ["pk", "handling_agency_id", "received_at", "due_at", "current_due_at", "waiting_seconds", "waiting_since",
               "supplement_count", "duration_unit"]


def open_verdicts(ctx: Context, queryset: QuerySet | None = None) -> dict[int, Timeliness]:
    """Verdict at "as of" of each received dossier still open then (open within / past the deadline)."""
    return {pk: verdict for pk, _agency, verdict in open_judged(ctx, queryset)}


def open_judged(ctx: Context, queryset: QuerySet | None = None) -> list[tuple[int, int, Timeliness]]:
    """(dossier id, handling agency id, verdict at "as of") of each received dossier still open then."""
    queryset = ctx.received() if queryset is None else queryset
    rows = list(queryset.filter(open_at(ctx.as_of)).values(*OPEN_FIELDS))
    states = _state_as_of(rows, ctx.as_of, reconstruct=ctx.as_of < ctx.now)
    return [(r["pk"], r["handling_agency_id"], judge(states[r["pk"]], ctx.as_of)) for r in rows]


def progress_counts(ctx: Context) -> dict[str, int]:
    """received: dossiers received in the period (refused at intake excluded, they are never received).
    on_time: those that ended by "as of" early or on time by the national rule (calendar.md §5; no time limit =
    cannot be late), plus those still open at "as of" whose current appointment had not passed then (a dossier
    waiting for the applicant is judged by when the wait began; two supplement requests make it late)."""
    row = ctx.received().aggregate(received=Count("pk"), ended=Count("pk", filter=ended_on_time(ctx.as_of)))
    within = sum(1 for verdict in open_verdicts(ctx).values() if verdict == Timeliness.OPEN_WITHIN)
    return {"on_time": row["ended"] + within, "received": row["received"]}


# --- procedure counts, per (administrative unit, procedure) -----------------------------------------------------------

@dataclass
class ProcedureFacts:
    """The procedures under the scope at "as of": versions in force, not abolished, with an active implementation
    by an agency of the scope. A procedure counts once per administrative unit (the implementing agency's seat), so
    pooled units add up."""

    pairs: dict[tuple[int, int], int] = field(default_factory=dict)  # (unit id, procedure id) → version id
    online_pairs: set[tuple[int, int]] = field(default_factory=set)  # pairs implemented partly or fully online
    services: set[tuple[int, int]] = field(default_factory=set)  # online services: (procedure id, agency id)
    versions: dict[int, ProcedureVersion] = field(default_factory=dict)


def implementation_rows(ctx: Context) -> list[tuple]:
    """(version id, procedure id, agency id, unit id, online mode) of the active implementations in force."""
    return list(Implementation.objects.filter(active=True, agency_id__in=ctx.scope.agency_ids)
                .filter(in_force_q(ctx.day, "version__"))
                .exclude(version__procedure__status=ProcedureStatus.ABOLISHED)
                .values_list("version_id", "version__procedure_id", "agency_id", "agency__admin_unit_id", "online_mode"))


def load_versions(version_ids) -> dict[int, ProcedureVersion]:
    return {v.pk: v for v in ProcedureVersion.objects.filter(pk__in=set(version_ids))
            .select_related("procedure").prefetch_related("legal_basis", "components", "durations", "fees")}


def facts_from_rows(rows, versions: dict[int, ProcedureVersion] | None = None) -> ProcedureFacts:
    facts = ProcedureFacts()
    for version_id, procedure_id, agency_id, unit_id, mode in rows:
        facts.pairs[(unit_id, procedure_id)] = version_id
        if mode in (OnlineMode.PARTIAL, OnlineMode.FULL):
            facts.online_pairs.add((unit_id, procedure_id))
            facts.services.add((procedure_id, agency_id))
    facts.versions = versions if versions is not None else load_versions(facts.pairs.values())
    return facts


def procedure_facts(ctx: Context) -> ProcedureFacts:
    return facts_from_rows(implementation_rows(ctx))


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The date n working days before `day` (the working calendar's days off and make-up days)."""
    calendar = get_calendar()
    current, left = day, n
    while left > 0:
        current -= dt.timedelta(days=1)
        if calendar.is_working_day(current):
            left -= 1
    return current


def working_days_after(day: dt.date, n: int) -> dt.date:
    calendar = get_calendar()
    current = day
    for _ in range(n):
        current = calendar.next_working_day(current)
    return current


def published_on_time(version: ProcedureVersion, parameters: dict = DEFAULT_PARAMETERS) -> bool:
    """The publishing decision is dated at least N (5) working days before the newest legal basis took effect.
    No decision date: not on time. No dated legal basis: nothing to be late against, on time."""
    if version.decision_date is None:
        return False
    newest = version.newest_legal_effective_date()
    if newest is None:
        return True
    return version.decision_date <= working_days_before(newest, parameters["publish_before_legal_basis_working_days"])


def updated_on_time(version: ProcedureVersion, parameters: dict = DEFAULT_PARAMETERS) -> bool:
    """Published on the national database at most N (5) working days after the publishing decision; a version
    missing either date is not on time."""
    if version.decision_date is None or version.national_publication_date is None:
        return False
    limit = working_days_after(version.decision_date, parameters["national_publication_within_working_days"])
    return version.national_publication_date <= limit


def missing_content(version: ProcedureVersion) -> list[str]:
    """The items of Decree 63/2010 Art. 8(2) a version lacks (ProcedureVersion.missing_content), read without its
    implementations: every version counted here has an active implementation, so the agency item is present."""
    present = {
        "name": bool(version.name.strip()), "steps": bool(version.steps.strip()), "method": bool(version.method.strip()),
        "components": bool(list(version.components.all())), "duration": version.reference_duration() is not None,
        "applicant_types": bool(version.applicant_types), "agency": True,
    }
    return [item for item in CONTENT_ITEMS if not present[item]]


def is_for_individuals(version: ProcedureVersion) -> bool:
    return bool(set(version.applicant_types) & set(INDIVIDUAL_APPLICANT_TYPES))


def procedure_counts(ctx: Context, facts: ProcedureFacts, parameters: dict = DEFAULT_PARAMETERS) -> dict[str, list[int]]:
    """The procedure-based indicators, each [n, d] over (unit, procedure) pairs unless said otherwise:

    - transparency.published_on_time: pairs whose version's publishing decision came ≥ 5 working days before its
      newest legal basis took effect / pairs;
    - transparency.updated_on_time: pairs whose version was published on the national database ≤ 5 working days
      after its decision / pairs;
    - transparency.content_full: pairs whose version carries all items of Decree 63/2010 Art. 8(2) / pairs;
    - online.procedures_online (A): pairs implemented partly or fully online / pairs (every procedure counts as
      one that may be provided online: the portal's eligibility filter is unconfirmed);
    - online.online_services_with_dossiers (B): online services — (procedure, implementing agency) pairs offered
      online — with ≥ 1 online dossier submitted in the period / online services;
    - digitization.population_data_procedures: pairs for individuals with ≥ 1 dossier received in the period that
      is linked to population data / pairs whose applicants include individuals;
    - payment.procedures_with_online_payment (B): fee-charging pairs with ≥ 1 online payment in the period /
      fee-charging pairs;
    - payment.procedures_integrated (C): fee-charging pairs integrated with an online payment gateway, evidenced
      by ≥ 1 online payment up to "as of" (congso keeps no separate integration register) / fee-charging pairs.
    """
    return procedure_counts_from(facts, dossier_sets(ctx), parameters)


@dataclass
class DossierSets:
    """What the procedure indicators read from dossiers and payments, as (agency id, unit id, procedure id)."""

    online: set[tuple[int, int, int]]  # with ≥ 1 online dossier submitted in the period
    linked: set[tuple[int, int, int]]  # with ≥ 1 received dossier of a person linked to population data
    paid_in_period: set[tuple[int, int, int]]  # with ≥ 1 online payment in the period
    paid_ever: set[tuple[int, int, int]]  # with ≥ 1 online payment up to "as of"

    def within(self, agency_ids) -> DossierSets:
        return DossierSets(*({row for row in rows if row[0] in agency_ids}
                             for rows in (self.online, self.linked, self.paid_in_period, self.paid_ever)))


def dossier_sets(ctx: Context) -> DossierSets:
    keys = ("handling_agency_id", "handling_agency__admin_unit_id", "procedure_id")
    online = ctx.dossiers().filter(channel=Channel.ONLINE).filter(ctx.in_period("submitted_at"))
    linked = ctx.received().filter(applicant_kind=ApplicantKind.PERSON).filter(population_linked())
    payments = Payment.objects.filter(dossier__handling_agency_id__in=ctx.scope.agency_ids, method__in=ONLINE_PAYMENT,
                                      paid_at__lte=ctx.as_of)
    paid_keys = tuple(f"dossier__{k}" for k in keys)
    return DossierSets(
        set(online.values_list(*keys).distinct()), set(linked.values_list(*keys).distinct()),
        set(payments.filter(paid_at__gte=ctx.period.start_at).values_list(*paid_keys).distinct()),
        set(payments.values_list(*paid_keys).distinct()))


def procedure_counts_from(facts: ProcedureFacts, sets: DossierSets,
                          parameters: dict = DEFAULT_PARAMETERS) -> dict[str, list[int]]:
    pairs = facts.pairs
    version = facts.versions
    # Judged once per version (many pairs share one), then counted per pair.
    used = set(pairs.values())
    published_ok = {v: published_on_time(version[v], parameters) for v in used}
    updated_ok = {v: updated_on_time(version[v], parameters) for v in used}
    full_ok = {v: not missing_content(version[v]) for v in used}
    individual_ok = {v: is_for_individuals(version[v]) for v in used}
    fee_ok = {v: version[v].has_fee for v in used}
    individuals = {p for p, v in pairs.items() if individual_ok[v]}
    fee_pairs = {p for p, v in pairs.items() if fee_ok[v]}
    used_services = {(procedure, agency) for agency, _unit, procedure in sets.online}
    linked = {(unit, procedure) for _agency, unit, procedure in sets.linked}
    paid_in_period = {(unit, procedure) for _agency, unit, procedure in sets.paid_in_period}
    paid_ever = {(unit, procedure) for _agency, unit, procedure in sets.paid_ever}
    return {
        "transparency.published_on_time": [sum(published_ok[v] for v in pairs.values()), len(pairs)],
        "transparency.updated_on_time": [sum(updated_ok[v] for v in pairs.values()), len(pairs)],
        "transparency.content_full": [sum(full_ok[v] for v in pairs.values()), len(pairs)],
        "online.procedures_online": [len(facts.online_pairs), len(pairs)],
        "online.online_services_with_dossiers": [len(facts.services & used_services), len(facts.services)],
        "digitization.population_data_procedures": [len(individuals & linked), len(individuals)],
        "payment.procedures_with_online_payment": [len(fee_pairs & paid_in_period), len(fee_pairs)],
        "payment.procedures_integrated": [len(fee_pairs & paid_ever), len(fee_pairs)],
    }


# --- feedback (PAKN) ------------------------------------------------------------------------------------------------

def feedback_counts(ctx: Context) -> dict[str, list[int]]:
    """- satisfaction.feedback_on_time: feedback items addressed to an agency of the scope whose answer deadline
      falls in the period (up to "as of") and that were rejected by their rejection deadline or answered by their
      answer deadline / those items (d = 0 gives full points by the profile);
    - satisfaction.feedback_satisfied: feedback items received in the period that were not disliked, not overdue
      (answered or rejected late, or still unanswered past the answer deadline at "as of") and not raised again /
      items received in the period."""
    result = {}
    for key, queryset, aggregates in feedback_parts(ctx):
        row = queryset.aggregate(**aggregates)
        result[key] = [row["n"], row["d"]]
    return result


def feedback_parts(ctx: Context) -> list[tuple[str, QuerySet, dict]]:
    """(indicator, feedback items of its denominator, {"d": …, "n": …} aggregates) for the two feedback counts."""
    a = ctx.as_of
    base = Feedback.objects.filter(agency_id__in=ctx.scope.agency_ids)
    in_time = (Q(rejected_at__lte=a) & Q(rejected_at__lte=F("reject_due_at"))) | (
        Q(answered_at__lte=a) & Q(answered_at__lte=F("answer_due_at")))
    overdue = (Q(answered_at__lte=a, answered_at__gt=F("answer_due_at"))
               | Q(rejected_at__lte=a, rejected_at__gt=F("reject_due_at"))
               | (Q(answer_due_at__lt=a) & (Q(answered_at__isnull=True) | Q(answered_at__gt=a))
                  & (Q(rejected_at__isnull=True) | Q(rejected_at__gt=a))))
    satisfied = ~Q(liked=False) & ~overdue & ~Q(reraised=True)
    return [
        ("satisfaction.feedback_on_time", base.filter(answer_due_at__gte=ctx.period.start_at, answer_due_at__lte=a),
         {"d": Count("pk"), "n": Count("pk", filter=in_time)}),
        ("satisfaction.feedback_satisfied", base.filter(received_at__gte=ctx.period.start_at, received_at__lte=a),
         {"d": Count("pk"), "n": Count("pk", filter=satisfied)}),
    ]


# --- no data yet -----------------------------------------------------------------------------------------------------

def no_data(ctx: Context) -> dict[str, str]:
    """Indicators left N/A because congso produces no data for them yet (shown "no data yet", never 0)."""
    missing = {"digitization.e_certified_copy": NO_DATA_CERTIFIED_COPY}
    if not getattr(settings, "CONGSO_INDEX766_NATIONAL_SYNC", False):
        missing["transparency.dossiers_synced"] = NO_DATA_SYNC
    return missing


def synced_count(ctx: Context) -> list[int]:
    """transparency.dossiers_synced, once the national-portal sync exists: received dossiers synced by "as of" /
    received dossiers."""
    row = ctx.received().aggregate(d=Count("pk"), n=Count("pk", filter=Q(sync_state="synced", synced_at__lte=ctx.as_of)))
    return [row["n"], row["d"]]


# --- the counts document ---------------------------------------------------------------------------------------------

@dataclass
class CountResult:
    counts: dict  # the counts document (docs/index766.md format)
    no_data: dict[str, str]
    ctx: Context
    source: str  # "aggregates" (congso.stats) or "recount" (this module, from the dossier tables)


def recount_dossier_counts(ctx: Context) -> tuple[dict[str, int], dict[str, list[int]]]:
    """(progress, the other dossier-based [n, d]) recounted here from the dossier tables: the definition."""
    return progress_counts(ctx), dossier_pairs(ctx)


def aggregate_dossier_counts(ctx: Context) -> tuple[dict[str, int], dict[str, list[int]]] | None:
    """The same counts from the statistics aggregates (congso.stats.queries.dossier_counts, fed by the processing
    log), or None when that module is not installed."""
    try:
        from congso.stats.queries import dossier_counts
    except ImportError:  # the statistics app is optional for the index
        return None
    try:
        with transaction.atomic():  # a savepoint: a failing query leaves the outer transaction usable
            c = dossier_counts(sorted(ctx.scope.agency_ids), ctx.period.start, ctx.period.end, as_of=ctx.as_of)
    except (DatabaseError, AttributeError, TypeError, ValueError):
        # The aggregates are an optimisation: when they cannot answer (e.g. not migrated yet), recount.
        log.exception("statistics aggregates unavailable; recounting from the dossier tables")
        return None
    # The aggregates count an ended dossier without a time limit as not on time; here it cannot be late (see
    # progress_counts), so those are added back with one count.
    no_limit = ctx.received().filter(finished_at__lte=ctx.as_of, timeliness=Timeliness.NOT_APPLICABLE).count()
    return {"on_time": c.on_time + no_limit, "received": c.received}, {
        "online.online_dossiers": [c.online_dossiers, c.received],
        "digitization.digitized": [c.digitized, c.received],
        "digitization.reused": [c.reused, c.received],
        "digitization.data_store": [c.data_store, c.received],
        "digitization.population_data_dossiers": list(c.population_dossiers),
        "payment.paid_online": list(c.paid_online),
        "digitization.e_result": list(c.e_result),
        "satisfaction.dossier_satisfied": list(c.dossier_satisfied),
    }


def use_aggregates(ctx: Context) -> bool:
    """The aggregates reflect the dossiers as they are now, judged by day: exact for the current period (nothing
    has happened after "as of"). A closed period is recounted from the tables as of its last instant, so its
    figures never change, and cached by the caller."""
    return ctx.as_of >= ctx.now and getattr(settings, "CONGSO_INDEX766_USE_AGGREGATES", True)


def collect(scope: Scope, period: Period, *, profile_key: str = DEFAULT_PROFILE_KEY,
            parameters: dict = DEFAULT_PARAMETERS, now: dt.datetime | None = None,
            source: str = "auto") -> CountResult:
    """All counts of a scope and period, as the counts document the scoring function reads.

    source: "auto" (aggregates for the current period when congso.stats is there, else the recount), "recount"
    or "aggregates"."""
    ctx = Context.build(scope, period, now)
    flat: dict[str, list[int]] = {}
    found = None
    if source == "aggregates" or (source == "auto" and use_aggregates(ctx)):
        found = aggregate_dossier_counts(ctx)
    used = "aggregates" if found is not None else "recount"
    progress, dossier = found if found is not None else recount_dossier_counts(ctx)
    flat.update(dossier)
    flat.update(procedure_counts(ctx, procedure_facts(ctx), parameters))
    flat.update(feedback_counts(ctx))
    missing = no_data(ctx)
    if "transparency.dossiers_synced" not in missing:
        flat["transparency.dossiers_synced"] = synced_count(ctx)
    return CountResult(counts_document(scope, profile_key, progress, flat, missing), missing, ctx, used)


def counts_document(scope: Scope, profile_key: str, progress: dict, flat: dict[str, list[int]],
                    missing: dict[str, str]) -> dict:
    counts: dict = {"profile": profile_key, "level": scope.level if scope.kind == "unit" else "agency"}
    counts["progress"] = progress
    for path, pair in flat.items():
        if path in missing:
            continue
        group, indicator = path.split(".")
        counts.setdefault(group, {})[indicator] = pair
    for group in ("transparency", "online", "digitization", "satisfaction", "payment"):
        counts.setdefault(group, {})
    return counts


# --- many scopes at once (rankings, the public page) -------------------------------------------------------------------

def _add(total: dict[str, list[int]], part: dict[str, list[int]]) -> None:
    for key, (n, d) in part.items():
        current = total.setdefault(key, [0, 0])
        current[0] += n
        current[1] += d


def collect_many(scopes: list[Scope], period: Period, *, profile_key: str = DEFAULT_PROFILE_KEY,
                 parameters: dict = DEFAULT_PARAMETERS, now: dt.datetime | None = None) -> dict[str, CountResult]:
    """The recount of many scopes in the queries of one: every count is grouped by handling agency once, and a
    scope's counts are the sums over its agencies (pooling adds records up; a dossier has one handling agency),
    its procedure pairs the union of its agencies'. The same definitions as `collect(source="recount")`."""
    union = frozenset().union(*(scope.agency_ids for scope in scopes)) if scopes else frozenset()
    whole = Context.build(Scope("*", "", "agency", "", union, 0), period, now)
    per_agency: dict[int, dict[str, list[int]]] = {}
    for base in ("received", "resolved"):
        chosen, aggregates = measure_aggregates(whole, base)
        for row in measure_base(whole, base).values("handling_agency_id").annotate(**aggregates).order_by():
            target = per_agency.setdefault(row["handling_agency_id"], {})
            for index, measure in enumerate(chosen):
                target[measure.key] = [row[f"n{index}"], row[f"d{index}"]]
    progress_rows = whole.received().values("handling_agency_id").annotate(
        received=Count("pk"), ended=Count("pk", filter=ended_on_time(whole.as_of))).order_by()
    for row in progress_rows:
        per_agency.setdefault(row["handling_agency_id"], {})["progress"] = [row["ended"], row["received"]]
    for _pk, agency_id, verdict in open_judged(whole):
        if verdict == Timeliness.OPEN_WITHIN:
            per_agency[agency_id]["progress"][0] += 1
    for key, queryset, aggregates in feedback_parts(whole):
        for row in queryset.values("agency_id").annotate(**aggregates).order_by():
            per_agency.setdefault(row["agency_id"], {})[key] = [row["n"], row["d"]]
    missing = no_data(whole)
    if "transparency.dossiers_synced" not in missing:
        synced = whole.received().values("handling_agency_id").annotate(
            d=Count("pk"), n=Count("pk", filter=Q(sync_state="synced", synced_at__lte=whole.as_of))).order_by()
        for row in synced:
            per_agency.setdefault(row["handling_agency_id"], {})["transparency.dossiers_synced"] = [row["n"], row["d"]]
    rows = implementation_rows(whole)
    versions = load_versions(row[0] for row in rows)
    sets = dossier_sets(whole)
    empty = {m.key: [0, 0] for m in dossier_measures(whole)} | {
        "satisfaction.feedback_on_time": [0, 0], "satisfaction.feedback_satisfied": [0, 0]}
    results = {}
    for scope in scopes:
        flat: dict[str, list[int]] = {k: list(v) for k, v in empty.items()}
        if "transparency.dossiers_synced" not in missing:
            flat["transparency.dossiers_synced"] = [0, 0]
        progress = [0, 0]
        for agency_id in scope.agency_ids:
            part = dict(per_agency.get(agency_id, {}))
            on_time, received = part.pop("progress", [0, 0])
            progress[0] += on_time
            progress[1] += received
            _add(flat, part)
        facts = facts_from_rows([r for r in rows if r[2] in scope.agency_ids], versions)
        flat.update(procedure_counts_from(facts, sets.within(scope.agency_ids), parameters))
        document = counts_document(scope, profile_key, {"on_time": progress[0], "received": progress[1]}, flat,
                                   missing)
        ctx = Context(scope, period, whole.as_of, whole.now)
        results[scope.code] = CountResult(document, missing, ctx, "recount")
    return results
