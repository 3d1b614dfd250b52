"""The operations dashboard (IOC, /chi-so/ioc/) for staff, its drill-down lists, and the public index page
(/chi-so/) on the portal."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from congso.indices import dashboard, drilldown, services
from congso.indices.access import default_unit_code, provinces, staff_required, unit_choices
from congso.indices.charts import bar_chart, gauge
from congso.indices.counting import Context
from congso.indices.labels import GROUP_LABELS, indicator_label, level_label, no_data_label
from congso.indices.scope import (
    InvalidPeriod,
    Period,
    Scope,
    UnitGraph,
    UnknownUnit,
    parse_date,
    resolve,
    visible_to,
)
from congso.indices.scoring import to_jsonable
from congso.org.choices import AgencyKind, UnitLevel
from congso.org.models import AdminUnit, Agency

REFRESH_SECONDS = 60
PUBLIC_CACHE_SECONDS = 600


class BadFilter(ValueError):
    pass


def _filters(request) -> tuple[Scope, Period, str]:
    """The unit and period asked for (defaults: the user's unit, the year to date), checked against the user's
    scope: a unit outside it is "not found", exactly like a unit that does not exist."""
    today = timezone.localdate()
    code = (request.GET.get("unit") or "").strip() or default_unit_code(request.user)
    try:
        start = parse_date(request.GET["from"]) if request.GET.get("from") else dt.date(today.year, 1, 1)
        end = parse_date(request.GET["to"]) if request.GET.get("to") else today
        period = Period(start, end)
    except InvalidPeriod:
        raise BadFilter(_("Enter the dates as dd/mm/yyyy, the first not after the last.")) from None
    try:
        scope = resolve(code)
    except UnknownUnit:
        raise Http404 from None
    if not visible_to(scope, request.user):
        raise Http404
    return scope, period, code


def _query(scope: Scope, period: Period) -> str:
    return urlencode({"unit": scope.code, "from": period.start.strftime("%d/%m/%Y"),
                      "to": period.end.strftime("%d/%m/%Y")})


def index_rows(result: services.IndexResult, query: str | None = None) -> list[dict]:
    """One row per group with its indicators, labels, n/d and what is N/A and why; drill-down links for staff."""
    rows = []
    for group in result.evaluation.groups:
        indicators = []
        for item in group.indicators:
            key = item.output_key
            indicators.append({
                "key": key, "label": indicator_label(key), "n": item.n, "d": item.d, "score": item.score,
                "max": item.max, "no_data": no_data_label(result.no_data.get(key)) if key in result.no_data else "",
                "na": item.score is None,
                "drill": (reverse("indices:drill", args=[key]) + "?" + query)
                if query is not None and key in drilldown.DRILLS and item.score is not None and item.lost else "",
            })
        rows.append({"key": group.key, "label": GROUP_LABELS.get(group.key, group.key), "score": group.score,
                     "max": group.max, "nominal_max": group.nominal_max, "indicators": indicators})
    return rows


def chart_labels() -> dict:
    return {"index": _("Index"), "score": _("Points"), "max": _("Maximum"), "onTime": _("On time"),
            "late": _("Late"), "rate": _("On-time rate (%)"), "satisfied": _("Satisfied"),
            "unsatisfied": _("Not satisfied"), "complaints": _("Complaints"), "received": _("Received"),
            "dueSoon": _("Due soon"), "noData": _("No data")}


@require_GET
@staff_required
def ioc(request):
    try:
        scope, period, _code = _filters(request)
    except BadFilter as exc:
        return render(request, "indices/ioc.html", {"error": str(exc), "choices": unit_choices(request.user)},
                      status=400)
    result = services.compute(scope, period)
    query = _query(scope, period)
    return render(request, "indices/ioc.html", {
        "scope": scope, "period": period, "result": result, "groups": index_rows(result, query),
        "choices": unit_choices(request.user), "query": query, "refresh": REFRESH_SECONDS,
        "data_url": reverse("indices:ioc-data") + "?" + query, "level": level_label(scope.level),
        "as_of": dashboard.as_of_text(result.as_of), "labels": chart_labels(),
    })


@require_GET
@staff_required
def ioc_data(request):
    """The dashboard's figures as JSON, fetched by the page every REFRESH_SECONDS."""
    try:
        scope, period, _code = _filters(request)
    except BadFilter as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    result = services.compute(scope, period)
    ctx = Context.build(scope, period)
    data = dashboard.dashboard_data(ctx)
    for row in data["by_level"]:
        row["label"] = level_label(row["key"])
    query = _query(scope, period)
    payload = {
        "unit": {"code": scope.code, "name": scope.name},
        "as_of": dashboard.as_of_text(result.as_of),
        "total": result.evaluation.total, "max_total": result.evaluation.max_total,
        "rating": result.rating,
        "on_time_rate": result.on_time_rate,
        "groups": [{"key": g["key"], "label": str(g["label"]), "score": g["score"], "max": g["max"]}
                   for g in index_rows(result, query)],
        "trend": services.monthly_trend(scope, today=min(period.end, timezone.localdate())),
        **data,
        "drill": {"late": reverse("indices:drill", args=["progress"]) + "?" + query},
    }
    return JsonResponse(to_jsonable(payload), json_dumps_params={"ensure_ascii": False})


@require_GET
@staff_required
def drill(request, key: str):
    if key not in drilldown.DRILLS:
        raise Http404
    try:
        scope, period, _code = _filters(request)
    except BadFilter as exc:
        return render(request, "indices/drill.html", {"error": str(exc)}, status=400)
    kind, heading = drilldown.DRILLS[key]
    ctx = Context.build(scope, period)
    if kind == "dossiers":
        rows = drilldown.costing_dossiers(ctx, key, request.user)
    elif kind == "feedback":
        rows = drilldown.costing_feedback(ctx, key, request.user)
    else:
        rows = drilldown.costing_procedures(ctx, key)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "indices/drill.html", {
        "scope": scope, "period": period, "kind": kind, "heading": heading, "key": key,
        "indicator": indicator_label(key), "page": page, "query": _query(scope, period),
        "back": reverse("indices:ioc") + "?" + _query(scope, period),
    })


# --- the public page -------------------------------------------------------------------------------------------------

def public_scopes() -> tuple[list[Scope], list[Scope], list[Scope]]:
    """(provinces, provincial agencies that handle dossiers, communes) as they are today."""
    from congso.catalog.models import Implementation

    graph = UnitGraph.load()
    province_scopes = [resolve(u.code, graph) for u in provinces()]
    handling = set(Implementation.objects.filter(active=True).values_list("agency_id", flat=True))
    agencies = [resolve(a.code) for a in Agency.objects.filter(
        level=UnitLevel.PROVINCE, valid_to__isnull=True, pk__in=handling).exclude(
        kind=AgencyKind.SERVICE_CENTRE).order_by("code")]
    communes = [resolve(u.code, graph) for u in AdminUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True)
                .order_by("code")]
    return province_scopes, agencies, communes


def _public_row(result: services.IndexResult) -> dict:
    ev = result.evaluation
    progress = result.counts["progress"]
    return {"code": result.scope.code, "name": result.scope.name, "total": ev.total, "max_total": ev.max_total,
            "rating": result.rating, "received": progress["received"], "on_time": progress["on_time"],
            "on_time_rate": result.on_time_rate}


def public_figures(year: int) -> dict:
    """Aggregate figures only (no personal data), cached for a few minutes."""
    key = f"indices:public:{year}"
    found = cache.get(key)
    if found is not None:
        return found
    today = timezone.localdate()
    period = Period(dt.date(year, 1, 1), min(dt.date(year, 12, 31), today))
    province_scopes, agencies, communes = public_scopes()
    province_results = services.compute_many(province_scopes, period)
    figures = {
        "period": period,
        "provinces": [{**_public_row(r), "groups": index_rows(r)} for r in province_results],
        "agencies": [_public_row(r) for r in services.ranking(agencies, period)],
        "communes": [_public_row(r) for r in services.ranking(communes, period)],
        "generated": timezone.now(),
    }
    cache.set(key, figures, PUBLIC_CACHE_SECONDS)
    return figures


@require_GET
def public(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("nam") or today.year)
    except ValueError:
        year = today.year
    if not 2000 <= year <= today.year:
        year = today.year
    figures = dict(public_figures(year))
    figures["provinces"] = [dict(row) for row in figures["provinces"]]

    def share(row):
        return float(row["total"] / row["max_total"] * 100) if row["total"] is not None and row["max_total"] else None

    agency_chart = bar_chart([(r["name"], r["on_time_rate"]) for r in figures["agencies"]], maximum=100,
                             title=_("On-time rate by agency (%)"), unit="%")
    commune_chart = bar_chart([(r["name"], share(r)) for r in figures["communes"][:30]], maximum=100,
                              title=_("Index by commune, share of the maximum (%)"), unit="%")
    for row in figures["provinces"]:
        row["gauge"] = gauge(float(row["total"]) if row["total"] is not None else None, float(row["max_total"]),
                             _("Index"))
    return render(request, "indices/public.html", {
        **figures, "year": year, "years": list(range(today.year, today.year - 5, -1)),
        "agency_chart": agency_chart, "commune_chart": commune_chart,
        "generated_text": dashboard.as_of_text(figures["generated"]),
    })
