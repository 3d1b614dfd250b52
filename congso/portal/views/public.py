"""Public pages: home, procedure search and page, the dossier lookup. No login needed."""

from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from congso.catalog.choices import Level, OnlineMode, ProcedureStatus
from congso.catalog.codes import normalize_procedure_code
from congso.catalog.filtersets import ProcedureFilter
from congso.catalog.models import Component, Field, Implementation, ProcedureVersion
from congso.catalog.querysets import as_local_date, in_force_q
from congso.org.models import Agency
from congso.portal import plainwords, ratelimit
from congso.portal.forms import LookupForm
from congso.portal.services import lookup as lookup_service
from congso.portal.services.submission import online_fee, online_implementations
from congso.portal.views.common import download

PAGE_SIZE = 20
CHOICES_SECONDS = 300
SEARCH_PARAMS = ("q", "field", "level", "agency", "online_mode")


def _published_versions():
    return ProcedureVersion.objects.in_force().exclude(procedure__status=ProcedureStatus.ABOLISHED)


def home(request):
    fields = (
        Field.objects.filter(versions__in=_published_versions())
        .annotate(n=Count("versions", distinct=True)).order_by("-n", "name")[:12]
    )
    online = _published_versions().filter(
        implementations__active=True, implementations__online_mode__in=[OnlineMode.FULL, OnlineMode.PARTIAL]
    ).values("pk").distinct().count()
    return render(request, "portal/home.html", {"fields": fields, "online_count": online})


def _filter_choices():
    """The filter lists (fields, agencies that implement something in force), cached a few minutes: they change
    only when the catalogue does, and are the dearest part of the search page otherwise."""
    today = as_local_date(None)
    key = f"portal:search-choices:{today.isoformat()}:{translation.get_language()}"
    cached = cache.get(key)
    if cached is None:
        cached = _build_filter_choices(today)
        cache.set(key, cached, CHOICES_SECONDS)
    return cached


def _build_filter_choices(today):
    fields = Field.objects.filter(versions__in=ProcedureVersion.objects.filter(in_force_q(today))).distinct()
    agencies = (Agency.objects.filter(procedure_implementations__active=True,
                                      procedure_implementations__version__in=ProcedureVersion.objects.filter(
                                          in_force_q(today)))
                .distinct().order_by("name").only("code", "name"))
    return {
        "fields": list(fields.order_by("name").values_list("pk", "name")),
        "levels": [(value, str(label)) for value, label in Level.choices if value != Level.DISTRICT],
        "agencies": list(agencies.values_list("code", "name")),
        "online_modes": [(value, str(label)) for value, label in OnlineMode.choices],
    }


def _online(mode: str):
    return Implementation.objects.filter(version=OuterRef("pk"), active=True, online_mode=mode)


def search(request):
    params = request.GET.copy()
    for key in list(params):
        if key not in SEARCH_PARAMS and key != "page":
            params.pop(key)
    queryset = (
        _published_versions().select_related("procedure", "field")
        .annotate(full_online=Exists(_online(OnlineMode.FULL)), partly_online=Exists(_online(OnlineMode.PARTIAL)))
        .order_by("procedure__code")
    )
    data = {key: params.get(key, "").strip()[:200] for key in SEARCH_PARAMS if params.get(key, "").strip()}
    filterset = ProcedureFilter(data, queryset=queryset)
    results = filterset.qs
    paginator = Paginator(results, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    for version in page.object_list:
        version.online_label = (OnlineMode.FULL.label if version.full_online else
                                OnlineMode.PARTIAL.label if version.partly_online else OnlineMode.NONE.label)
        version.takes_online = version.full_online or version.partly_online
    query = params.copy()
    query.pop("page", None)
    context = {
        "page": page, "total": paginator.count, "query": data, "querystring": query.urlencode(),
        "errors": filterset.form.errors if filterset.is_bound else {}, "choices": _filter_choices(),
        "reuse_document": request.GET.get("dung", "")[:12] if request.GET.get("dung", "").isdigit() else "",
    }
    return render(request, "portal/search.html", context)


def _version_or_404(code: str):
    normalized = normalize_procedure_code(code or "")
    if not normalized:
        raise Http404
    version = (
        _published_versions().filter(procedure__code=normalized).select_related("procedure", "field")
        .prefetch_related(
            "durations", "components", "fees", "results", "legal_basis",
            Prefetch("implementations", queryset=Implementation.objects.filter(active=True)
                     .select_related("agency").order_by("agency__name")),
        ).order_by("-number").first()
    )
    if version is None:
        raise Http404
    return version


def procedure(request, code: str):
    version = _version_or_404(code)
    fees = [(fee, online_fee(fee)) for fee in version.fees.all()]
    context = {
        "version": version, "procedure": version.procedure, "fees": fees,
        "durations": [d for d in version.durations.all() if d.amount is not None or d.unit],
        "online_agencies": list(online_implementations(version)),
        "reuse_document": request.GET.get("dung", "")[:12] if request.GET.get("dung", "").isdigit() else "",
    }
    return render(request, "portal/procedure.html", context)


def component_template(request, code: str, pk: int):
    """The blank form (mẫu đơn, tờ khai) of a component, when the catalogue has the file."""
    version = _version_or_404(code)
    component = Component.objects.filter(pk=pk, version=version).exclude(template="").first()
    if component is None:
        raise Http404
    name = component.template_name or component.template.name.rsplit("/", 1)[-1]
    return download(component.template, name, "application/octet-stream")


@require_http_methods(["GET", "POST"])
def lookup(request, code: str = ""):
    """GET shows the form (with the code of a printed QR code filled in); POST checks code + second factor."""
    form = LookupForm(request.POST or None, initial={"code": code})
    dossier, limited, not_found = None, False, False
    if request.method == "POST":
        if not ratelimit.hit(request, "lookup"):
            limited = True
        elif form.is_valid():
            dossier = lookup_service.find(form.cleaned_data["code"], form.cleaned_data["factor"])
            not_found = dossier is None
    context = {"form": form, "code": code, "dossier": dossier, "limited": limited, "not_found": not_found}
    if dossier is not None:
        context.update(status_words=plainwords.status_words(dossier.status),
                       next_step=plainwords.next_step(dossier.status),
                       appointment=plainwords.appointment_of(dossier))
    response = render(request, "portal/lookup.html", context, status=429 if limited else 200)
    response["Cache-Control"] = "private, no-store"
    return response

