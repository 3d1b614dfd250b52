"""Worklist pages: filters, sort, paging; leaders reassign one or many dossiers."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congso.core.problems import Problem
from congso.core.text import fold
from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier
from congso.dossiers.services.actions import perform, reassign_all
from congso.org.choices import Role
from congso.org.models import Agency, Membership
from congso.workspace.work import worklists
from congso.workspace.work.access import staff_required

PAGE_SIZE = 25
SORTS = {
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "received": ("received_at", "id"),
    "-received": ("-received_at", "-id"),
    "code": ("code",),
}
MAX_BULK = 500


def _date(value: str) -> dt.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _filtered(request, queryset):
    """Apply the toolbar's filters; returns (queryset, filters shown back, errors)."""
    params = request.GET
    shown, errors = {}, []
    q = params.get("q", "").strip()[:100]
    if q:
        # The search text holds the code, the name and the ID number, folded: one LIKE that the trigram index
        # serves on PostgreSQL (a separate `code ILIKE` would scan the table).
        queryset = queryset.filter(search_text__contains=fold(q))
        shown["q"] = q
    status = params.get("status", "")
    if status:
        if status.isdigit() and int(status) in Status.values:
            queryset = queryset.filter(status=int(status))
            shown["status"] = status
        else:
            errors.append(_("Unknown status."))
    procedure = params.get("procedure", "").strip()[:64]
    if procedure:
        queryset = queryset.filter(procedure__code=procedure)
        shown["procedure"] = procedure
    for name, lookup in (("from", "received_at__date__gte"), ("to", "received_at__date__lte")):
        raw = params.get(name, "").strip()
        if raw:
            day = _date(raw)
            if day is None:
                errors.append(_("Write dates as dd/mm/yyyy."))
            else:
                queryset = queryset.filter(**{lookup: day})
                shown[name] = day.strftime("%d/%m/%Y")
    holder = params.get("holder", "")
    if holder.isdigit():
        queryset = queryset.filter(holder_id=int(holder))
        shown["holder"] = holder
    sort = params.get("sort", "deadline")
    if sort not in SORTS:
        sort = "deadline"
    shown["sort"] = sort
    return queryset.order_by(*SORTS[sort]), shown, errors


def _assignable(seat: worklists.Seat):
    """People a leader may hand dossiers to: active working members of the agencies they lead."""
    led = [a for a, r, _d in seat.memberships if r in worklists.LEADING_ROLES]
    ids = Membership.objects.active().filter(agency_id__in=led, role__in=worklists.WORKING_ROLES).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username")


@login_required
@staff_required
def worklist(request, key: str):
    if key not in worklists.BY_KEY:
        raise Http404
    now = timezone.now()
    seat = worklists.Seat.of(request.user)
    queryset, shown, errors = _filtered(request, worklists.worklist(request.user, key, now, seat))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    windows = worklists.deadline_windows(now)
    rows = [(d, worklists.urgency(d.deadline, now, windows)) for d in page.object_list]
    context = {
        "list": worklists.BY_KEY[key], "key": key, "page": page, "rows": rows, "filters": shown,
        "errors": errors, "statuses": Status.choices, "now": now,
        "can_reassign": seat.leads, "assignable": _assignable(seat) if seat.leads else [],
        "query": request.GET.urlencode(),
    }
    template = "workspace/work/_worklist_table.html" if request.htmx else "workspace/work/worklist.html"
    return render(request, template, context)


@login_required
@staff_required
@require_POST
def reassign(request):
    """Leaders hand the chosen dossiers (or all of an absent officer's) to another officer."""
    seat = worklists.Seat.of(request.user)
    if not seat.leads:
        raise Http404
    back = request.POST.get("next") or "workspace:home"
    if not str(back).startswith("/can-bo/"):
        back = "workspace:home"
    User = get_user_model()
    target = _assignable(seat).filter(pk=request.POST.get("assignee") or 0).first()
    if target is None:
        messages.error(request, _("Choose who takes over the dossiers."))
        return redirect(back)
    reason = request.POST.get("reason", "").strip()[:2000]
    if request.POST.get("all_of"):
        absent = User.objects.filter(pk=request.POST.get("all_of") if request.POST.get("all_of").isdigit() else 0)
        absent = absent.first()
        agency = Agency.objects.filter(
            pk__in=[a for a, r, _d in seat.memberships if r == Role.AGENCY_LEADER or r == Role.DEPARTMENT_HEAD],
            memberships__user=absent,
        ).first() if absent else None
        if absent is None or agency is None:
            messages.error(request, _("Choose an officer of your unit."))
            return redirect(back)
        try:
            moved = reassign_all(absent, target, agency, request.user, reason)
        except Problem as problem:
            messages.error(request, problem.detail)
            return redirect(back)
        messages.success(request, _("%(n)d dossiers handed to %(user)s.") % {"n": len(moved), "user": target})
        return redirect(back)
    codes = request.POST.getlist("codes")[:MAX_BULK]
    if not codes:
        messages.error(request, _("Tick the dossiers to hand over."))
        return redirect(back)
    done, failed = 0, []
    for code in codes:
        try:
            perform(code, "assign", request.user, assignee=target, reason=reason)
            done += 1
        except Problem as problem:
            failed.append(f"{code[:64]}: {problem.detail}")
    if done:
        messages.success(request, _("%(n)d dossiers handed to %(user)s.") % {"n": done, "user": target})
    for line in failed[:10]:
        messages.error(request, line)
    return redirect(back)


@login_required
@staff_required
def search(request):
    """Find any dossier this person may see, open or ended, by code, applicant or procedure."""
    queryset = worklists.with_deadline(Dossier.objects.for_user(request.user)).select_related(
        "procedure", "procedure_version", "holder", "current_agency", "current_step")
    searched = any(request.GET.get(k) for k in ("q", "status", "procedure", "from", "to"))
    queryset, shown, errors = _filtered(request, queryset if searched else queryset.none())
    if shown.get("sort") == "deadline" and not request.GET.get("sort"):
        queryset = queryset.order_by("-submitted_at", "-id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    windows = worklists.deadline_windows(now)
    rows = [(d, worklists.urgency(d.deadline, now, windows) if d.finished_at is None else "")
            for d in page.object_list]
    context = {"list": None, "key": "", "page": page, "rows": rows, "filters": shown, "errors": errors,
               "statuses": Status.choices, "now": now, "can_reassign": False, "assignable": [],
               "query": request.GET.urlencode(), "searching": True}
    template = "workspace/work/_worklist_table.html" if request.htmx else "workspace/work/worklist.html"
    return render(request, template, context)
