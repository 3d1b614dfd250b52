"""The desk officer's counter page in the staff workspace: open or close the counter, call the next number, call
again, start serving, served, did not come, transfer, and the waiting list. Only officers of the counter's agency
see it (anyone else gets 404); every action is a POST with a CSRF token that calls a service and comes back here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congso.core.problems import Problem
from congso.queueing import services
from congso.queueing.choices import AT_COUNTER, FINISHED, TicketStatus
from congso.queueing.forms import LinkDossierForm, TransferForm
from congso.queueing.models import Counter, Ticket
from congso.queueing.querysets import supervises


def my_counter(request, pk) -> Counter:
    return get_object_or_404(Counter.objects.for_user(request.user).in_use().select_related("agency", "officer"),
                             pk=pk)


def waiting_tickets(counter: Counter):
    return (
        Ticket.objects.filter(agency_id=counter.agency_id, day=timezone.localdate(), status=TicketStatus.WAITING,
                              group__in=counter.groups.filter(is_active=True))
        .select_related("group", "field").in_queue_order()
    )


@login_required
def counter_list(request):
    counters = Counter.objects.for_user(request.user).in_use().select_related("agency", "officer").prefetch_related(
        "groups").order_by("agency__name", "number")
    return render(request, "queueing/counter_list.html", {"counters": counters})


@login_required
def counter_page(request, pk):
    counter = my_counter(request, pk)
    current = Ticket.objects.filter(counter=counter, status__in=AT_COUNTER).select_related("group", "field").first()
    recent = (Ticket.objects.filter(counter=counter, day=timezone.localdate(), status__in=FINISHED)
              .select_related("group").order_by("-finished_at")[:10])
    context = {
        "counter": counter,
        "seated": counter.is_open and counter.officer_id == request.user.pk,
        "may_close": counter.is_open and (counter.officer_id == request.user.pk
                                          or supervises(request.user, counter.agency_id)),
        "current": current,
        "waiting": waiting_tickets(counter)[:50],
        "waiting_total": waiting_tickets(counter).count(),
        "recent": recent,
        "groups": counter.groups.filter(is_active=True),
        "transfer_form": TransferForm(agency=counter.agency),
        "dossier_form": LinkDossierForm(),
    }
    return render(request, "queueing/counter.html", context)


@login_required
def waiting_fragment(request, pk):
    counter = my_counter(request, pk)
    return render(request, "queueing/_waiting.html", {
        "counter": counter, "waiting": waiting_tickets(counter)[:50], "waiting_total": waiting_tickets(counter).count(),
        "seated": counter.is_open and counter.officer_id == request.user.pk,
    })


def _done(request, message):
    messages.success(request, message)


COUNTER_ACTIONS = {
    "mo": lambda counter, user: services.open_counter(user, counter),
    "dong": lambda counter, user: services.close_counter(user, counter),
    "goi-tiep": lambda counter, user: services.call_next(counter, user),
    "goi-lai": lambda counter, user: services.recall(counter, user),
    "bat-dau": lambda counter, user: services.start_serving(counter, user),
    "xong": lambda counter, user: services.mark_served(counter, user),
    "vang-mat": lambda counter, user: services.mark_no_show(counter, user),
}


def _success_message(action, result) -> str:
    if action == "mo":
        return _("You are at %(counter)s.") % {"counter": result}
    if action == "dong":
        return _("%(counter)s is closed.") % {"counter": result}
    if action in ("goi-tiep", "goi-lai"):
        return _("Calling number %(number)s.") % {"number": result.display_number}
    if action == "bat-dau":
        return _("Serving number %(number)s.") % {"number": result.display_number}
    if action == "xong":
        return _("Number %(number)s is served.") % {"number": result.display_number}
    return _("Number %(number)s did not come.") % {"number": result.display_number}


def problem_message(problem: Problem) -> str:
    errors = getattr(problem, "errors", None) or {}
    return " ".join(str(m) for messages_ in errors.values() for m in messages_) or str(problem.detail)


@login_required
@require_POST
def counter_action(request, pk, action):
    counter = my_counter(request, pk)
    if action not in COUNTER_ACTIONS:
        raise Http404
    try:
        result = COUNTER_ACTIONS[action](counter, request.user)
    except Problem as problem:
        messages.error(request, problem_message(problem))
    else:
        _done(request, _success_message(action, result))
    return redirect("queueing:counter", pk=counter.pk)


@login_required
@require_POST
def ticket_action(request, pk, ticket_pk, action):
    """Actions on one ticket from the counter page: transfer, cancel (a waiting ticket), link a dossier."""
    counter = my_counter(request, pk)
    ticket = get_object_or_404(Ticket.objects.select_related("group"), pk=ticket_pk, agency_id=counter.agency_id)
    try:
        if action == "chuyen":
            form = TransferForm(request.POST, agency=counter.agency)
            if not form.is_valid():
                raise services.BadInput({"group": form.errors["group"][0]})
            ticket = services.transfer_ticket(ticket, request.user, form.cleaned_data["group"])
            _done(request, _("Number %(number)s moved to %(group)s.") % {
                "number": ticket.display_number, "group": ticket.group.name})
        elif action == "huy":
            ticket = services.cancel_ticket(ticket, request.user)
            _done(request, _("Number %(number)s is cancelled.") % {"number": ticket.display_number})
        elif action == "ho-so":
            form = LinkDossierForm(request.POST)
            if not form.is_valid():
                raise services.BadInput({"dossier": form.errors["dossier"][0]})
            ticket = services.link_dossier(ticket, request.user, form.cleaned_data["dossier"])
            _done(request, _("Dossier %(code)s linked to number %(number)s.") % {
                "code": ticket.dossier.code, "number": ticket.display_number})
        else:
            raise Http404
    except Problem as problem:
        messages.error(request, problem_message(problem))
    return redirect("queueing:counter", pk=counter.pk)
