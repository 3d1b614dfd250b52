"""Supervision of an agency (giám sát): received, in progress, due soon and overdue — by step and by officer."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from congso.dossiers.models import Dossier
from congso.org.choices import Role
from congso.org.models import Agency
from congso.workspace.templatetags.workspace_menu import seat_of
from congso.workspace.work import worklists
from congso.workspace.work.access import staff_required

SUPERVISING = {Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD, Role.PROVINCIAL_MONITOR, Role.ADMINISTRATOR}
STATES = ("open", "due_soon", "overdue")


def supervised_agencies(request):
    """Agencies this person may supervise: those where they lead, head a department, administer or monitor —
    with the agencies below them."""
    user = request.user
    if user.is_superuser:
        return Agency.objects.filter(valid_to__isnull=True)
    seat = seat_of(request)
    roles = {r for _a, r, _d in seat.memberships}
    if Role.PROVINCIAL_MONITOR in roles:
        return Agency.objects.filter(valid_to__isnull=True)
    own = Agency.objects.filter(pk__in=seat.agencies(SUPERVISING))
    return Agency.objects.subtree_of(list(own)).filter(valid_to__isnull=True)


def _state_filters(now: dt.datetime) -> dict[str, Q]:
    _start, _end_today, end_soon = worklists.deadline_windows(now)
    return {
        "open": Q(status__in=worklists.OPEN_STATUSES),
        "due_soon": Q(status__in=worklists.ACTIVE_STATUSES, deadline__gte=now, deadline__lt=end_soon),
        "overdue": Q(status__in=worklists.ACTIVE_STATUSES, deadline__lt=now),
    }


def _pick_agency(request):
    agencies = supervised_agencies(request)
    code = request.GET.get("agency", "")
    agency = agencies.filter(code=code).first() if code else None
    if agency is None:
        seat = seat_of(request)
        own = seat.agencies(SUPERVISING)
        agency = agencies.filter(pk__in=own).order_by("tree_path").first() or agencies.order_by("tree_path").first()
    return agencies, agency


@login_required
@staff_required
def supervisor(request):
    agencies, agency = _pick_agency(request)
    if agency is None:
        raise Http404
    now = timezone.now()
    local = timezone.localtime(now)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    states = _state_filters(now)
    held = worklists.with_deadline(Dossier.objects.filter(current_agency=agency))
    totals = held.aggregate(**{key: Count("pk", filter=condition) for key, condition in states.items()})
    totals["received_month"] = Dossier.objects.filter(receiving_agency=agency, received_at__gte=month_start).count()
    totals["received_today"] = Dossier.objects.filter(
        receiving_agency=agency, received_at__gte=local.replace(hour=0, minute=0, second=0, microsecond=0)).count()
    open_rows = held.filter(states["open"])
    by_step = (open_rows.values("current_step__name")
               .annotate(open=Count("pk"), due_soon=Count("pk", filter=states["due_soon"]),
                         overdue=Count("pk", filter=states["overdue"]))
               .order_by("-overdue", "-open")[:50])
    by_officer = (open_rows.values("holder_id", "holder__username", "holder__full_name")
                  .annotate(open=Count("pk"), due_soon=Count("pk", filter=states["due_soon"]),
                            overdue=Count("pk", filter=states["overdue"]))
                  .order_by("-overdue", "-open")[:100])
    context = {"agency": agency, "agencies": agencies.order_by("tree_path").only("code", "name")[:300],
               "totals": totals, "by_step": list(by_step), "by_officer": list(by_officer), "now": now,
               "month_start": month_start}
    return render(request, "workspace/work/supervisor.html", context)


@login_required
@staff_required
def supervised_list(request, agency_code: str):
    agency = supervised_agencies(request).filter(code=agency_code).first()
    if agency is None:
        raise Http404
    now = timezone.now()
    state = request.GET.get("state", "open")
    if state not in STATES:
        state = "open"
    queryset = (worklists.with_deadline(Dossier.objects.filter(current_agency=agency))
                .filter(_state_filters(now)[state])
                .select_related("procedure", "procedure_version", "holder", "current_agency", "current_step"))
    holder = request.GET.get("holder", "")
    if holder == "none":
        queryset = queryset.filter(holder__isnull=True)
    elif holder.isdigit():
        queryset = queryset.filter(holder_id=int(holder))
    step = request.GET.get("step", "")[:255]
    if step:
        queryset = queryset.filter(current_step__name=step)
    page = Paginator(queryset.order_by("deadline", "id"), 25).get_page(request.GET.get("page"))
    windows = worklists.deadline_windows(now)
    rows = [(d, worklists.urgency(d.deadline, now, windows)) for d in page.object_list]
    return render(request, "workspace/work/worklist.html", {
        "list": None, "key": "", "page": page, "rows": rows, "filters": {}, "errors": [], "now": now,
        "can_reassign": False, "assignable": [], "query": request.GET.urlencode(), "supervised": agency,
        "state": state,
    })
