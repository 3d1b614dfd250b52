"""Statistics pages for staff (/thong-ke/): the table by agency, level, field, procedure or channel; the table by
level of the source articles; CSV and XLSX exports. Every figure is limited to the agencies the user may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from congso.catalog.models import Field
from congso.core.problems import Problem
from congso.dossiers.choices import Channel
from congso.org.choices import UnitLevel
from congso.stats import exports
from congso.stats.params import OutOfScope, parse_query, visible_agencies
from congso.stats.statistics import statistics_rows
from congso.workspace.work.access import staff_required


def group_labels() -> dict:
    return {"agency": _("Agency"), "level": _("Level"), "field": _("Field"), "procedure": _("Procedure"),
            "channel": _("Channel")}


def _context(request):
    try:
        query = parse_query(request.GET, request.user)
    except OutOfScope:
        raise Http404 from None
    except Problem as problem:
        return None, problem
    rows, total = statistics_rows(query.filters, query.period.start, query.period.end, query.group)
    return {"query": query, "rows": rows, "total": total, "heading": group_labels()[query.group]}, None


def _form_context(request) -> dict:
    return {
        "params": request.GET, "agencies": visible_agencies(request.user).order_by("level", "name")[:2000],
        "levels": UnitLevel.choices, "channels": Channel.choices, "groups": list(group_labels().items()),
        "fields": Field.objects.order_by("name")[:500], "columns": exports.columns(),
        "export_query": request.GET.urlencode(),
    }


@login_required
@staff_required
def report(request):
    context, problem = _context(request)
    base = _form_context(request)
    if problem is not None:
        return render(request, "stats/report.html", {**base, "errors": problem.errors or {}}, status=400)
    return render(request, "stats/report.html", {**base, **context})


@login_required
@staff_required
def by_level(request):
    """The source articles' table: per level — resolved, on time and %, late and %."""
    params = request.GET.copy()
    params["group"] = "level"
    try:
        query = parse_query(params, request.user)
    except OutOfScope:
        raise Http404 from None
    except Problem as problem:
        return render(request, "stats/levels.html", {**_form_context(request), "errors": problem.errors or {}},
                      status=400)
    rows, total = statistics_rows(query.filters, query.period.start, query.period.end, "level")
    return render(request, "stats/levels.html", {**_form_context(request), "query": query, "rows": rows,
                                                 "total": total})


def _export(request, kind: str):
    context, problem = _context(request)
    if problem is not None:
        return HttpResponse(str(problem.detail), status=400, content_type="text/plain; charset=utf-8")
    query = context["query"]
    name = f"thong-ke-{query.group}-{query.period.start:%Y%m%d}-{query.period.end:%Y%m%d}"
    if kind == "csv":
        body = exports.to_csv(context["rows"], context["total"], context["heading"])
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        title = _("Statistics, %(period)s") % {"period": query.period.label}
        body = exports.to_xlsx(context["rows"], context["total"], context["heading"], title)
        response = HttpResponse(
            body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@login_required
@staff_required
def export_csv(request):
    return _export(request, "csv")


@login_required
@staff_required
def export_xlsx(request):
    return _export(request, "xlsx")
