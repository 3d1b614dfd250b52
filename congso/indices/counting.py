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
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from congso.catalog.choices import INDIVIDUAL_APPLICANT_TYPES, OnlineMode, ProcedureStatus
from congso.catalog.models import Implementation, ProcedureVersion
from congso.catalog.querysets import in_force_q
from congso.dossiers.choices import ApplicantKind, Channel, PaymentMethod, Timeliness
from congso.dossiers.models import ClockStop, Dossier, DossierComponent, Payment, ResultDocument, SupplementRequest
from congso.dossiers.timeliness import ClockState, judge
from congso.feedback.models import Feedback
from congso.indices.profiles import DEFAULT_PARAMETERS, DEFAULT_PROFILE_KEY
from congso.indices.scope import Period, Scope
from congso.portal.models import ServiceRating
from congso.workcalendar.services import get_calendar

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


def result_ok(as_of) -> Q:
    """The result is not a document, or an electronic result was issued by "as of"."""
    return Q(procedure_version__result_is_document=False) | Q(has_e_result(as_of))


def all_components_digitized() -> Q:
    return Q(Exists(DossierComponent.objects.filter(dossier=OuterRef("pk")))) & ~Q(
        Exists(DossierComponent.objects.filter(dossier=OuterRef("pk"), digitized=False)))


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


def dossier_measures(ctx: Context) -> list[DossierMeasure]:
    """The definitions of the dossier-based indicators (except progress, judged below), as of `ctx.as_of`."""
    a = ctx.as_of
    everything = Q()
    return [
        # C: dossiers submitted online (channel 2), and, when the result is a document, with an e-result / received.
        DossierMeasure("online.online_dossiers", "received", everything, Q(channel=Channel.ONLINE) & result_ok(a)),
        # Received dossiers all of whose submitted components are digitised, with an e-result when the result is a
        # document / received.
        DossierMeasure("digitization.digitized", "received", everything, all_components_digitized() & result_ok(a)),
        # Received dossiers with at least one component reused from digitised data / received.
        DossierMeasure("digitization.reused", "received", everything, Q(any_component(reused=True))),
        # Received dossiers with a component taken from, or a result pushed to, the applicant's data store / received.
        DossierMeasure("digitization.data_store", "received", everything,
                       Q(any_component(from_national_store=True)) | Q(pushed_result(a))),
        # Received dossiers of individuals linked to population data (e-ID-verified account or a population-database
        # reference) / received dossiers of individuals.
        DossierMeasure("digitization.population_data_dossiers", "received", Q(applicant_kind=ApplicantKind.PERSON),
                       population_linked()),
        # Received dossiers with a non-zero fee due whose fees were paid online (national platform or provincial
        # gateway) by "as of" / received dossiers with a non-zero fee due.
        DossierMeasure("payment.paid_online", "received", Q(fee_due__gt=0), Q(paid_online(a))),
        # Dossiers resolved in the period whose result is a document that have an electronic result / those dossiers.
        DossierMeasure("digitization.e_result", "resolved", Q(procedure_version__result_is_document=True),
                       Q(has_e_result(a))),
        # Dossiers resolved in the period that were neither late, nor complained about (a complaint feedback item), nor
        # rated "not satisfied", by "as of" / dossiers resolved in the period.
        DossierMeasure("satisfaction.dossier_satisfied", "resolved", everything,
                       ~Q(timeliness=Timeliness.LATE) & ~Q(complained(a)) & ~Q(rated_unsatisfied(a))),
    ]


def dossier_pairs(ctx: Context) -> dict[str, list[int]]:
    """[n, d] of every dossier-based indicator, in two aggregate queries (received-based and resolved-based)."""
    result: dict[str, list[int]] = {}
    measures = dossier_measures(ctx)
    for base, queryset in (("received", ctx.received()), ("resolved", ctx.resolved())):
        chosen = [m for m in measures if m.base == base]
        aggregates = {}
        for index, measure in enumerate(chosen):
            aggregates[f"d{index}"] = Count("pk", filter=measure.denominator) if measure.denominator else Count("pk")
            aggregates[f"n{index}"] = Count("pk", filter=measure.denominator & measure.numerator)
        row = queryset.aggregate(**aggregates)
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


OPEN_FIELDS = ["pk", "code", "received_at", "due_at", "current_due_at", "waiting_seconds", "waiting_since",
               "supplement_count", "duration_unit"]


def open_verdicts(ctx: Context, queryset: QuerySet | None = None) -> dict[int, Timeliness]:
    """Verdict at "as of" of each received dossier still open then (open within / past the deadline)."""
    queryset = ctx.received() if queryset is None else queryset
    rows = list(queryset.filter(open_at(ctx.as_of)).values(*OPEN_FIELDS))
    states = _state_as_of(rows, ctx.as_of, reconstruct=ctx.as_of < ctx.now)
    return {pk: judge(state, ctx.as_of) for pk, state in states.items()}


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


def procedure_facts(ctx: Context) -> ProcedureFacts:
    facts = ProcedureFacts()
    rows = (Implementation.objects.filter(active=True, agency_id__in=ctx.scope.agency_ids)
            .filter(in_force_q(ctx.day, "version__"))
            .exclude(version__procedure__status=ProcedureStatus.ABOLISHED)
            .values_list("version_id", "version__procedure_id", "agency_id", "agency__admin_unit_id", "online_mode"))
    for version_id, procedure_id, agency_id, unit_id, mode in rows:
        facts.pairs[(unit_id, procedure_id)] = version_id
        if mode in (OnlineMode.PARTIAL, OnlineMode.FULL):
            facts.online_pairs.add((unit_id, procedure_id))
            facts.services.add((procedure_id, agency_id))
    facts.versions = {v.pk: v for v in ProcedureVersion.objects.filter(pk__in=set(facts.pairs.values()))
                      .select_related("procedure").prefetch_related("legal_basis", "components", "durations", "implementations", "fees")}
    return facts


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
    pairs = facts.pairs
    version = facts.versions
    published = sum(published_on_time(version[v], parameters) for v in pairs.values())
    updated = sum(updated_on_time(version[v], parameters) for v in pairs.values())
    full = sum(version[v].content_full for v in pairs.values())

    online_rows = ctx.dossiers().filter(channel=Channel.ONLINE).filter(ctx.in_period("submitted_at"))
    used_services = set(online_rows.values_list("procedure_id", "handling_agency_id").distinct())

    individuals = {p for p, v in pairs.items() if is_for_individuals(version[v])}
    linked = set(ctx.received().filter(applicant_kind=ApplicantKind.PERSON).filter(population_linked())
                 .values_list("handling_agency__admin_unit_id", "procedure_id").distinct())

    fee_pairs = {p for p, v in pairs.items() if version[v].has_fee}
    payments = Payment.objects.filter(dossier__handling_agency_id__in=ctx.scope.agency_ids, method__in=ONLINE_PAYMENT,
                                      paid_at__lte=ctx.as_of)
    paid_in_period = set(payments.filter(paid_at__gte=ctx.period.start_at)
                         .values_list("dossier__handling_agency__admin_unit_id", "dossier__procedure_id").distinct())
    paid_ever = set(payments.values_list("dossier__handling_agency__admin_unit_id", "dossier__procedure_id").distinct())
    return {
        "transparency.published_on_time": [published, len(pairs)],
        "transparency.updated_on_time": [updated, len(pairs)],
        "transparency.content_full": [full, len(pairs)],
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
    a = ctx.as_of
    base = Feedback.objects.filter(agency_id__in=ctx.scope.agency_ids)
    in_time = (Q(rejected_at__lte=a) & Q(rejected_at__lte=F("reject_due_at"))) | (
        Q(answered_at__lte=a) & Q(answered_at__lte=F("answer_due_at")))
    due = base.filter(answer_due_at__gte=ctx.period.start_at, answer_due_at__lte=a).aggregate(
        d=Count("pk"), n=Count("pk", filter=in_time))
    overdue = (Q(answered_at__lte=a, answered_at__gt=F("answer_due_at"))
               | Q(rejected_at__lte=a, rejected_at__gt=F("reject_due_at"))
               | (Q(answer_due_at__lt=a) & (Q(answered_at__isnull=True) | Q(answered_at__gt=a))
                  & (Q(rejected_at__isnull=True) | Q(rejected_at__gt=a))))
    satisfied = ~Q(liked=False) & ~overdue & ~Q(reraised=True)
    received = base.filter(received_at__gte=ctx.period.start_at, received_at__lte=a).aggregate(
        d=Count("pk"), n=Count("pk", filter=satisfied))
    return {"satisfaction.feedback_on_time": [due["n"], due["d"]],
            "satisfaction.feedback_satisfied": [received["n"], received["d"]]}


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


def collect(scope: Scope, period: Period, *, profile_key: str = DEFAULT_PROFILE_KEY,
            parameters: dict = DEFAULT_PARAMETERS, now: dt.datetime | None = None) -> CountResult:
    """All counts of a scope and period, as the counts document the scoring function reads."""
    ctx = Context.build(scope, period, now)
    flat: dict[str, list[int]] = {}
    flat.update(dossier_pairs(ctx))
    flat.update(procedure_counts(ctx, procedure_facts(ctx), parameters))
    flat.update(feedback_counts(ctx))
    missing = no_data(ctx)
    if "transparency.dossiers_synced" not in missing:
        flat["transparency.dossiers_synced"] = synced_count(ctx)
    counts: dict = {"profile": profile_key, "level": scope.level if scope.kind == "unit" else "agency"}
    counts["progress"] = progress_counts(ctx)
    for path, pair in flat.items():
        if path in missing:
            continue
        group, indicator = path.split(".")
        counts.setdefault(group, {})[indicator] = pair
    for group in ("transparency", "online", "digitization", "satisfaction", "payment"):
        counts.setdefault(group, {})
    return CountResult(counts, missing, ctx)
