"""Daily administration beyond the Django admin (/can-bo/quan-tri/): internal processes per agency and the
calendar's days off and make-up days. Scoping rules in `access`; state changes in the catalogue's
`save_process`/`default_process` and in `calendar_days`."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from congso.catalog.models import Implementation, ProcedureVersion, Process
from congso.catalog.processes import share_total, shares_are_fractions
from congso.catalog.services import StepData, default_process, save_process
from congso.core.text import search_terms
from congso.org.models import Agency, Department
from congso.workcalendar.models import CalendarDay
from congso.workspace.manage import access, calendar_days
from congso.workspace.manage.forms import CalendarDayForm, ProcessForm, StepFormSet

PAGE_SIZE = 50


def admin_required(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.may_manage(request.user):
            return render(request, "workspace/manage/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@admin_required
def index(request):
    return render(request, "workspace/manage/index.html",
                  {"may_edit_calendar": access.may_edit_calendar(request.user)})


# --- internal processes ----------------------------------------------------------------------------------------------
def _not_ended():
    today = timezone.localdate()
    return Q(version__valid_to__isnull=True) | Q(version__valid_to__gt=today)


@admin_required
def processes(request):
    """Procedures implemented by the agencies this user administers, for versions in force or still to come."""
    query = request.GET.get("q", "")[:200]
    rows = Implementation.objects.filter(_not_ended(), agency__in=access.managed_agencies(request.user))
    for term in search_terms(query)[:8]:
        rows = rows.filter(version__search_text__contains=term)
    rows = (rows.select_related("version__procedure", "agency")
            .order_by("agency__code", "version__procedure__code", "version__number"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    have = {(p.version_id, p.agency_id): p for p in Process.objects.filter(
        version_id__in=[i.version_id for i in items], agency_id__in=[i.agency_id for i in items])}
    listed = [(item, have.get((item.version_id, item.agency_id))) for item in items]
    return render(request, "workspace/manage/processes.html", {"page": page, "listed": listed, "query": query})


def _implementation(request, version_id: int, agency_id: int) -> Implementation:
    implementation = (Implementation.objects.select_related("version__procedure", "agency")
                      .filter(version_id=version_id, agency_id=agency_id).first())
    if implementation is None or not access.may_manage_agency(request.user, implementation.agency):
        raise Http404
    return implementation


def _choices(agency: Agency, steps) -> tuple[list, list]:
    """Hand-over agencies offered for a step (the agencies seated in the same unit, and any already used) and the
    departments of those agencies."""
    used = {s.agency_id for s in steps if s.agency_id}
    agencies = list(Agency.objects.active().filter(Q(admin_unit_id=agency.admin_unit_id) | Q(pk__in=used))
                    .exclude(pk=agency.pk).order_by("code"))
    departments = list(Department.objects.filter(agency_id__in=[agency.pk, *[a.pk for a in agencies]],
                                                 is_active=True).select_related("agency").order_by("agency__code",
                                                                                                    "code"))
    return agencies, departments


def _expected(version: ProcedureVersion, hours_per_day: int) -> dict:
    reference = version.reference_duration()
    unit, amount = (reference.unit, reference.amount) if reference else (None, None)
    return {"total": share_total(unit, amount, hours_per_day), "fractions": shares_are_fractions(unit, amount),
            "reference": reference}


@admin_required
@require_http_methods(["GET", "POST"])
def process_edit(request, version_id: int, agency_id: int):
    implementation = _implementation(request, version_id, agency_id)
    version, agency = implementation.version, implementation.agency
    version = ProcedureVersion.objects.prefetch_related("durations").get(pk=version.pk)
    process = Process.objects.filter(version=version, agency=agency).prefetch_related("steps").first()
    steps = list(process.steps.all()) if process else []
    editable = version.valid_to is None or version.valid_to > timezone.localdate()
    agencies, departments = _choices(agency, steps)
    kwargs = {"departments": departments, "agencies": agencies}
    errors: list[str] = []
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = ProcessForm(request.POST)
        formset = StepFormSet(request.POST, form_kwargs=kwargs, prefix="steps")
        if form.is_valid() and formset.is_valid():
            rows = sorted((f.cleaned_data for f in formset.forms
                           if f.cleaned_data and not f.cleaned_data.get("DELETE")), key=lambda d: d["order"])
            chosen = {a.pk: a for a in agencies}
            by_pk = {d.pk: d for d in departments}
            step_data = [StepData(name=row["name"], share=row["share"], role=row["role"] or "",
                                  department=by_pk.get(row["department"]), agency=chosen.get(row["agency"]))
                         for row in rows]
            try:
                save_process(version, agency, step_data, hours_per_day=form.cleaned_data["hours_per_day"],
                             name=form.cleaned_data["name"], is_default=False,
                             user=request.user if request.user.has_perm("catalog.change_process") else None)
            except ValidationError as exc:
                errors = _messages(exc)
            else:
                messages.success(request, _("The internal process was saved. Dossiers already received keep "
                                            "their plan; new dossiers follow this one."))
                return redirect(reverse("workspace:manage_process", args=[version.pk, agency.pk]))
        else:
            errors = [str(e) for e in formset.non_form_errors()]
    else:
        form = ProcessForm(initial={"name": process.name if process else "",
                                    "hours_per_day": process.hours_per_day if process else 8})
        formset = StepFormSet(prefix="steps", form_kwargs=kwargs, initial=[
            {"order": s.order, "name": s.name, "role": s.role, "department": s.department_id,
             "agency": s.agency_id, "share": s.share} for s in steps])
    hours = form.cleaned_data.get("hours_per_day", 8) if form.is_bound and form.is_valid() else (
        process.hours_per_day if process else 8)
    return render(request, "workspace/manage/process_edit.html", {
        "implementation": implementation, "version": version, "agency": agency, "process": process,
        "form": form, "formset": formset, "errors": errors, "editable": editable,
        "expected": _expected(version, hours), "current_total": sum((s.share for s in steps), 0),
    }, status=400 if errors or (request.method == "POST") else 200)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{message}" for messages_ in exc.message_dict.values() for message in messages_]
    return list(exc.messages)


@admin_required
@require_POST
def process_default(request, version_id: int, agency_id: int):
    """Create the catalogue's default process (5 steps, 4 at a commune) when the agency has none yet."""
    implementation = _implementation(request, version_id, agency_id)
    version = implementation.version
    if version.valid_to is not None and version.valid_to <= timezone.localdate():
        raise PermissionDenied
    if not Process.objects.filter(version=version, agency=implementation.agency).exists():
        default_process(version, implementation.agency,
                        user=request.user if request.user.has_perm("catalog.change_process") else None)
        messages.success(request, _("A default process was created; adjust it to the agency's practice."))
    return redirect(reverse("workspace:manage_process", args=[version.pk, implementation.agency_id]))


# --- calendar --------------------------------------------------------------------------------------------------------
def _year(request) -> int:
    value = request.GET.get("nam", "")
    today = timezone.localdate()
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else today.year


@admin_required
def calendar(request):
    year = _year(request)
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    today = timezone.localdate()
    return render(request, "workspace/manage/calendar.html", {
        "year": year, "days": days, "today": today, "may_edit": access.may_edit_calendar(request.user),
        "years": range(today.year - 2, today.year + 4),
    })


def _calendar_form(request, day: CalendarDay | None):
    if not access.may_edit_calendar(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = CalendarDayForm(request.POST, instance=day)
        if form.is_valid():
            try:
                saved = calendar_days.save_day(day, form.cleaned_data, request.user)
            except ValidationError as exc:
                for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else
                                      {None: exc.messages}).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("The calendar was saved. Appointments already given do not change; "
                                            "new ones use it at once."))
                return redirect(f"{reverse('workspace:manage_calendar')}?nam={saved.date.year}")
        status = 400
    else:
        form = CalendarDayForm(instance=day, initial=None if day else {"date": timezone.localdate()})
        status = 200
    return render(request, "workspace/manage/calendar_day.html", {"form": form, "day": day}, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def calendar_add(request):
    return _calendar_form(request, None)


@admin_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request, pk: int):
    return _calendar_form(request, get_object_or_404(CalendarDay, pk=pk))


@admin_required
@require_http_methods(["GET", "POST"])
def calendar_delete(request, pk: int):
    day = get_object_or_404(CalendarDay, pk=pk)
    if not access.may_edit_calendar(request.user):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            outcome = calendar_days.remove_day(day, request.user)
        except ValidationError as exc:
            error = " ".join(_messages(exc))
        else:
            messages.success(request, _("The day was deleted.") if outcome == "deleted" else _(
                "The day was seeded from an official schedule or rule, so it was switched off (not applied) "
                "instead of deleted: re-seeding would bring it back."))
            return redirect(f"{reverse('workspace:manage_calendar')}?nam={day.date.year}")
    return render(request, "workspace/manage/calendar_delete.html", {"day": day, "error": error},
                  status=400 if error else 200)

