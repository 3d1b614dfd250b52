"""Public pages of an agency's queue, addressed by the agency's code: the kiosk where applicants take a number,
the printed ticket, and the waiting-room display. They work without JavaScript; the display polls a small
fragment with htmx when JavaScript is there."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from congso.core.problems import Problem
from congso.notifications.channels import available_channels
from congso.org.models import Agency
from congso.queueing.board import build_board
from congso.queueing.choices import TicketStatus
from congso.queueing.forms import TakeTicketForm
from congso.queueing.models import ServiceGroup, Ticket
from congso.queueing.ratelimit import check_take
from congso.queueing.services import take_ticket


def public_agency(code: str) -> Agency:
    return get_object_or_404(Agency.objects.active(), code=code)


def kiosk_groups(agency):
    day = timezone.localdate()
    return (
        ServiceGroup.objects.offered().filter(agency=agency)
        .annotate(waiting=Count("tickets", filter=Q(tickets__day=day, tickets__status=TicketStatus.WAITING)))
        .prefetch_related("fields").order_by("order", "prefix")
    )


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request, agency_code):
    agency = public_agency(agency_code)
    form = TakeTicketForm(request.POST or None)
    status = 200
    error = ""
    if request.method == "POST":
        verdict = check_take(request)
        if not verdict.allowed:
            error, status = _("Too many tickets were taken from this device. Please ask the staff for help."), 429
        elif form.is_valid():
            try:
                ticket = take_ticket(agency, form.cleaned_data["group"], phone=form.cleaned_data["phone"])
            except Problem as problem:
                error, status = _kiosk_error(problem), problem.status_code
            else:
                url = reverse("queueing:ticket", args=[agency.code, ticket.token])
                return redirect(f"{url}?kiosk=1")
        else:
            error, status = " ".join(m for messages in form.errors.values() for m in messages), 400
    context = {"agency": agency, "groups": kiosk_groups(agency), "form": form, "error": error,
               # The phone box only where texts are really sent (an SMS channel is configured).
               "sms_enabled": "sms" in available_channels()}
    response = render(request, "queueing/kiosk.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(verdict.retry_after)
    return response


def _kiosk_error(problem: Problem) -> str:
    errors = getattr(problem, "errors", None) or {}
    return " ".join(str(m) for messages in errors.values() for m in messages) or str(problem.detail)


@never_cache
def ticket_page(request, agency_code, token):
    agency = public_agency(agency_code)
    ticket = get_object_or_404(Ticket.objects.select_related("group", "field", "counter"), agency=agency, token=token)
    ahead = Ticket.objects.ahead_of(ticket).count() if ticket.status == TicketStatus.WAITING else 0
    context = {"agency": agency, "ticket": ticket, "ahead": ahead, "from_kiosk": request.GET.get("kiosk") == "1"}
    return render(request, "queueing/ticket.html", context)


@never_cache
def display(request, agency_code):
    agency = public_agency(agency_code)
    board = build_board(agency)
    return render(request, "queueing/display.html", {"agency": agency, "board": board})


@never_cache
def display_board(request, agency_code):
    """The display's fragment. `v` is the stamp the display shows now: unchanged state answers 204 (htmx swaps
    nothing); `last` is the newest call it has announced: a different newest call is announced again."""
    agency = public_agency(agency_code)
    board = build_board(agency)
    if request.GET.get("v") == board.stamp:
        return HttpResponse(status=204)
    announce = request.GET.get("last", "") != board.latest_key and board.latest is not None
    return render(request, "queueing/_board.html", {"agency": agency, "board": board, "announce": announce,
                                                    "fragment": True})
