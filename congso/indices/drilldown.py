"""What cost points (chi tiết điểm trừ): for each indicator, the dossiers, procedures or feedback items in its
denominator that are not in its numerator, scoped to what the user may see (house rule 3)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from congso.dossiers.choices import Timeliness
from congso.dossiers.models import Dossier
from congso.feedback.models import Feedback
from congso.indices import counting
from congso.indices.counting import Context
from congso.org.models import Agency

# Indicator key → (what the list holds, its heading).
DRILLS: dict[str, tuple[str, object]] = {
    "progress": ("dossiers", _("Dossiers late or past the deadline")),
    "online.online_dossiers": ("dossiers", _("Dossiers not submitted online, or online without an e-result")),
    "digitization.digitized": ("dossiers", _("Dossiers not fully digitised")),
    "digitization.reused": ("dossiers", _("Dossiers reusing no digitised data")),
    "digitization.data_store": ("dossiers", _("Dossiers not linked to the applicant's data store")),
    "digitization.population_data_dossiers": ("dossiers", _("Dossiers of individuals not linked to population data")),
    "digitization.e_result": ("dossiers", _("Resolved dossiers without an electronic result")),
    "satisfaction.dossier_satisfied": ("dossiers", _("Resolved dossiers late, complained about or rated unsatisfied")),
    "payment.paid_online": ("dossiers", _("Dossiers with fees not paid online")),
    "transparency.published_on_time": ("procedures", _("Procedures published late")),
    "transparency.updated_on_time": ("procedures", _("Procedures put on the national database late")),
    "transparency.content_full": ("procedures", _("Procedures with incomplete published content")),
    "online.procedures_online": ("procedures", _("Procedures not provided online")),
    "online.online_services_with_dossiers": ("procedures", _("Online services without an online dossier")),
    "digitization.population_data_procedures": ("procedures", _("Procedures for individuals without population data")),
    "payment.procedures_with_online_payment": ("procedures", _("Fee-charging procedures without an online payment")),
    "payment.procedures_integrated": ("procedures", _("Fee-charging procedures not integrated with a gateway")),
    "satisfaction.feedback_on_time": ("feedback", _("Feedback not handled within its deadline")),
    "satisfaction.feedback_satisfied": ("feedback", _("Feedback disliked, overdue or raised again")),
}


def late_dossiers(ctx: Context) -> QuerySet:
    """Received dossiers not on time at "as of": ended late, or open past the (then current) appointment."""
    overdue = [pk for pk, verdict in counting.open_verdicts(ctx).items() if verdict == Timeliness.OPEN_OVERDUE]
    ended_late = Q(finished_at__lte=ctx.as_of) & ~Q(timeliness__in=counting.ON_TIME_VERDICTS)
    return ctx.received().filter(ended_late | Q(pk__in=overdue))


def costing_dossiers(ctx: Context, key: str, user) -> QuerySet:
    if key == "progress":
        queryset = late_dossiers(ctx)
    else:
        measure = next((m for m in counting.dossier_measures(ctx) if m.key == key), None)
        if measure is None:
            raise KeyError(key)
        queryset = counting.measure_base(ctx, measure.base).filter(measure.denominator).exclude(measure.numerator)
    visible = Dossier.objects.for_user(user).values("pk")
    return (queryset.filter(pk__in=visible).select_related("handling_agency", "procedure_version")
            .order_by("-received_at", "-pk"))


@dataclass(frozen=True)
class ProcedureRow:
    code: str
    name: str
    unit: str
    agency: str
    detail: str


def costing_procedures(ctx: Context, key: str) -> list[ProcedureRow]:
    """Procedure pairs (or online services) that fail the indicator; catalogue data is public."""
    facts = counting.procedure_facts(ctx)
    versions = facts.versions
    pairs = facts.pairs
    failing: list[tuple[tuple[int, int], str]] = []
    if key == "transparency.published_on_time":
        failing = [(p, "") for p, v in pairs.items() if not counting.published_on_time(versions[v])]
    elif key == "transparency.updated_on_time":
        failing = [(p, "") for p, v in pairs.items() if not counting.updated_on_time(versions[v])]
    elif key == "transparency.content_full":
        failing = [(p, ", ".join(counting.missing_content(versions[v]))) for p, v in pairs.items()
                   if counting.missing_content(versions[v])]
    elif key == "online.procedures_online":
        failing = [(p, "") for p in pairs if p not in facts.online_pairs]
    elif key == "digitization.population_data_procedures":
        linked = set(ctx.received().filter(counting.population_linked())
                     .values_list("handling_agency__admin_unit_id", "procedure_id").distinct())
        failing = [(p, "") for p, v in pairs.items() if counting.is_for_individuals(versions[v]) and p not in linked]
    elif key in ("payment.procedures_with_online_payment", "payment.procedures_integrated"):
        from congso.dossiers.models import Payment

        payments = Payment.objects.filter(dossier__handling_agency_id__in=ctx.scope.agency_ids,
                                          method__in=counting.ONLINE_PAYMENT, paid_at__lte=ctx.as_of)
        if key == "payment.procedures_with_online_payment":
            payments = payments.filter(paid_at__gte=ctx.period.start_at)
        paid = set(payments.values_list("dossier__handling_agency__admin_unit_id", "dossier__procedure_id").distinct())
        failing = [(p, "") for p, v in pairs.items() if versions[v].has_fee and p not in paid]
    elif key == "online.online_services_with_dossiers":
        used = set(ctx.dossiers().filter(channel="online").filter(ctx.in_period("submitted_at"))
                   .values_list("procedure_id", "handling_agency_id").distinct())
        agencies = dict(Agency.objects.filter(pk__in={a for _, a in facts.services}).values_list("pk", "name"))
        by_procedure = {}
        for (_unit, procedure_id), version_id in pairs.items():
            by_procedure[procedure_id] = versions[version_id]
        rows = [ProcedureRow(by_procedure[p].procedure.code, by_procedure[p].name, "", agencies.get(a, ""), "")
                for p, a in sorted(facts.services - used) if p in by_procedure]
        return sorted(rows, key=lambda r: (r.code, r.agency))
    else:
        raise KeyError(key)
    return _rows(failing, versions, pairs)


def _rows(failing, versions, pairs) -> list[ProcedureRow]:
    from congso.org.models import AdminUnit

    units = dict(AdminUnit.objects.filter(pk__in={u for (u, _), _d in failing}).values_list("pk", "name"))
    rows = [ProcedureRow(versions[pairs[p]].procedure.code, versions[pairs[p]].name, units.get(p[0], ""), "", detail)
            for p, detail in failing]
    return sorted(rows, key=lambda r: (r.code, r.unit))


def costing_feedback(ctx: Context, key: str, user) -> QuerySet:
    from django.db.models import F

    a = ctx.as_of
    base = Feedback.objects.filter(agency_id__in=ctx.scope.agency_ids)
    visible = Agency.objects.for_user(user).values("pk")
    base = base.filter(agency_id__in=visible)
    in_time = (Q(rejected_at__lte=a) & Q(rejected_at__lte=F("reject_due_at"))) | (
        Q(answered_at__lte=a) & Q(answered_at__lte=F("answer_due_at")))
    if key == "satisfaction.feedback_on_time":
        queryset = base.filter(answer_due_at__gte=ctx.period.start_at, answer_due_at__lte=a).exclude(in_time)
    elif key == "satisfaction.feedback_satisfied":
        overdue = (Q(answered_at__lte=a, answered_at__gt=F("answer_due_at"))
                   | Q(rejected_at__lte=a, rejected_at__gt=F("reject_due_at"))
                   | (Q(answer_due_at__lt=a) & (Q(answered_at__isnull=True) | Q(answered_at__gt=a))
                      & (Q(rejected_at__isnull=True) | Q(rejected_at__gt=a))))
        bad = Q(liked=False) | overdue | Q(reraised=True)
        queryset = base.filter(received_at__gte=ctx.period.start_at, received_at__lte=a).filter(bad)
    else:
        raise KeyError(key)
    return queryset.select_related("agency").order_by("-received_at", "-pk")
