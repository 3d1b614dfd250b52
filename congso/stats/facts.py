"""Reading dossier facts from the database, in bulk (rebuild, check, resync) or for one dossier's cached flags."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Max, Min, Q

from congso.dossiers.models import Dossier, DossierComponent, ResultDocument
from congso.stats.contributions import CachedFlags, DossierFacts

DOSSIER_FIELDS = [
    "pk", "handling_agency_id", "procedure_id", "channel", "status", "submitted_at", "received_at", "finished_at",
    "resolved_at", "timeliness", "due_at", "current_due_at", "waiting_seconds", "waiting_since", "supplement_count",
    "extension_count", "applicant_kind", "eid_verified", "population_data_refs", "fee_due", "payment_method",
    "procedure_version__result_is_document",
]


def component_flags(dossier_ids: Iterable[int]) -> dict[int, dict]:
    rows = (DossierComponent.objects.filter(dossier_id__in=list(dossier_ids)).order_by().values("dossier_id")
            .annotate(n=Count("id"), undigitized=Count("id", filter=Q(digitized=False)),
                      reused=Count("id", filter=Q(reused=True)), store=Count("id", filter=Q(from_national_store=True))))
    return {r["dossier_id"]: {"components": r["n"], "all_digitized": r["undigitized"] == 0,
                              "any_reused": r["reused"] > 0, "any_from_store": r["store"] > 0} for r in rows}


def result_flags(dossier_ids: Iterable[int]) -> dict[int, dict]:
    rows = (ResultDocument.objects.filter(dossier_id__in=list(dossier_ids)).order_by().values("dossier_id")
            .annotate(e=Count("id", filter=Q(is_electronic=True)), pushed=Count("id", filter=Q(pushed_to_data_store=True))))
    return {r["dossier_id"]: {"e_result": r["e"] > 0, "pushed": r["pushed"] > 0} for r in rows}


def rating_flags(dossier_ids: Iterable[int]) -> dict[int, bool]:
    from congso.portal.models import ServiceRating

    return dict(ServiceRating.objects.filter(dossier_id__in=list(dossier_ids)).values_list("dossier_id", "satisfied"))


def complaint_flags(dossier_ids: Iterable[int]) -> set[int]:
    from congso.feedback.models import Feedback

    return set(Feedback.objects.filter(dossier_id__in=list(dossier_ids), is_complaint=True)
               .values_list("dossier_id", flat=True).distinct())


def load_facts(dossier_ids: list[int]) -> dict[int, DossierFacts]:
    """Facts of these dossiers as stored (6 queries whatever their number)."""
    rows = Dossier.objects.filter(pk__in=dossier_ids).order_by().values_list(*DOSSIER_FIELDS)
    components, results = component_flags(dossier_ids), result_flags(dossier_ids)
    ratings, complaints = rating_flags(dossier_ids), complaint_flags(dossier_ids)
    facts = {}
    for row in rows:
        values = dict(zip(DOSSIER_FIELDS, row, strict=True))
        pk = values["pk"]
        flags = CachedFlags(result_is_document=bool(values["procedure_version__result_is_document"]),
                            rating=ratings.get(pk), complained=pk in complaints,
                            **components.get(pk, {}), **results.get(pk, {}))
        facts[pk] = DossierFacts(
            agency_id=values["handling_agency_id"], procedure_id=values["procedure_id"], channel=values["channel"],
            status=values["status"], submitted_at=values["submitted_at"], received_at=values["received_at"],
            finished_at=values["finished_at"], resolved_at=values["resolved_at"], timeliness=values["timeliness"],
            due_at=values["due_at"], current_due_at=values["current_due_at"],
            waiting_seconds=values["waiting_seconds"] or 0, waiting_since=values["waiting_since"],
            supplement_count=values["supplement_count"] or 0, extension_count=values["extension_count"] or 0,
            applicant_kind=values["applicant_kind"], eid_verified=bool(values["eid_verified"]),
            population_linked=bool(values["population_data_refs"]), fee_due=values["fee_due"] or 0,
            payment_method=values["payment_method"], flags=flags,
        )
    return facts


def dossier_id_chunks(queryset, size: int = 2000):
    """Primary keys of `queryset` in ascending chunks (keyset pagination: no OFFSET, no long-held cursor)."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def id_range(queryset):
    bounds = queryset.aggregate(lo=Min("pk"), hi=Max("pk"))
    return bounds["lo"], bounds["hi"]
