"""The queue's state changes: every change to a counter or a ticket happens here, in one transaction, with the
actor's right checked and the ticket's log written (house rule 1).

Concurrency: a counter's row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions hold
the database's write lock) before anything at that counter changes, so one officer's double click cannot call two
tickets. Different counters calling at once each lock the oldest waiting ticket with SKIP LOCKED, so they never
get the same ticket and never wait for each other; the database also refuses a second open ticket per counter.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.catalog.models import Field
from congso.core.problems import Problem
from congso.core.validators import normalize_phone, validate_phone
from congso.queueing.choices import AT_COUNTER, TicketAction, TicketStatus
from congso.queueing.models import Counter, ServiceGroup, Ticket, TicketEvent
from congso.queueing.numbering import allocate_number
from congso.queueing.querysets import staff_agency_ids, supervises

# How many locked-away candidates call_next skips before it gives up (each is a ticket another counter is calling
# at this very moment).
_CALL_ATTEMPTS = 5


class QueueProblem(Problem):
    """A queue rule said no. `code` is stable (API clients and the UI branch on it)."""

    def __init__(self, code: str, detail, status_code: int = 409):
        super().__init__(code, status_code, detail)


class BadInput(Problem):
    def __init__(self, errors: dict):
        super().__init__("validation_error", 400, _("The request has invalid fields; see errors."),
                         errors={key: [str(message)] for key, message in errors.items()})


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _check_staff(user, agency_id: int) -> None:
    agency_ids = staff_agency_ids(user)
    if agency_ids is not None and agency_id not in agency_ids:
        raise QueueProblem("forbidden", _("Only officers of this agency may do this."), 403)


def _lock_counter(counter: Counter) -> Counter:
    return Counter.objects.select_for_update().get(pk=counter.pk)


def _check_seated(locked: Counter, officer) -> None:
    """The officer is the one at this open counter."""
    _check_staff(officer, locked.agency_id)
    if not locked.is_open:
        raise QueueProblem("counter_closed", _("This counter is closed; open it first."))
    if locked.officer_id != officer.pk:
        raise QueueProblem("counter_taken", _("Another officer is at this counter."))


def _current(locked: Counter) -> Ticket | None:
    return Ticket.objects.select_for_update().filter(counter=locked, status__in=AT_COUNTER).first()


def _log(ticket: Ticket, action: str, at: dt.datetime, counter=None, user=None, note: str = "") -> None:
    TicketEvent.objects.create(ticket=ticket, action=action, at=at, counter=counter, user=user, note=note[:255])


def _text_applicant(ticket: Ticket, counter: Counter) -> None:
    """A text message to the phone given at the kiosk, through the notifications outbox (in this transaction, so it
    goes only if the call commits; once per call). Skipped by the outbox where no SMS channel is configured."""
    if not ticket.phone:
        return
    from congso.notifications.services import enqueue

    agency = counter.agency
    enqueue(template="queue_called", channels=("sms",), phone=ticket.phone,
            dedupe_key=f"queue_called:{ticket.pk}:{ticket.call_count}",
            context={"number": ticket.display_number, "counter": counter.number,
                     "agency": agency.short_name or agency.name})


# --- Counters ---------------------------------------------------------------------------------------------------

def open_counter(officer, counter: Counter, at: dt.datetime | None = None) -> Counter:
    """The officer sits at the counter (mở quầy). Opening one's own open counter again changes nothing."""
    at = _now(at)
    try:
        with transaction.atomic():
            locked = _lock_counter(counter)
            _check_staff(officer, locked.agency_id)
            if not locked.is_active:
                raise QueueProblem("counter_inactive", _("This counter is not in use."))
            if locked.is_open:
                if locked.officer_id == officer.pk:
                    return locked
                raise QueueProblem("counter_taken", _("Another officer is at this counter."))
            elsewhere = Counter.objects.filter(officer=officer).exclude(pk=locked.pk).first()
            if elsewhere is not None:
                raise QueueProblem("officer_elsewhere", _("You are at counter %(number)s; close it first.")
                                   % {"number": elsewhere.number})
            locked.is_open, locked.officer, locked.opened_at = True, officer, at
            locked.save(update_fields=["is_open", "officer", "opened_at", "updated_at"])
            return locked
    except IntegrityError as exc:
        # The same officer opened another counter in a concurrent request: the one-counter-per-officer constraint.
        raise QueueProblem("officer_elsewhere", _("You are already at another counter; close it first.")) from exc


def close_counter(officer, counter: Counter, at: dt.datetime | None = None) -> Counter:
    """The officer leaves the counter (đóng quầy); the ticket at the counter must be finished first.

    A supervisor (administrator, agency leader, department head of the agency) may close a counter another officer
    left open; a ticket still at it goes back to the queue with its place kept."""
    at = _now(at)
    with transaction.atomic():
        locked = _lock_counter(counter)
        _check_staff(officer, locked.agency_id)
        if not locked.is_open:
            return locked
        current = _current(locked)
        if locked.officer_id == officer.pk:
            if current is not None:
                raise QueueProblem("counter_busy", _("Finish the current ticket (served or did not come) first."))
        elif not supervises(officer, locked.agency_id):
            raise QueueProblem("counter_taken", _("Another officer is at this counter."))
        elif current is not None:
            current.status, current.counter, current.served_by = TicketStatus.WAITING, None, None
            current.save(update_fields=["status", "counter", "served_by"])
            _log(current, TicketAction.RETURN, at, locked, officer)
        locked.is_open, locked.officer, locked.opened_at = False, None, None
        locked.save(update_fields=["is_open", "officer", "opened_at", "updated_at"])
        return locked


# --- Taking a ticket ----------------------------------------------------------------------------------------------

def resolve_group(agency, choice) -> ServiceGroup:
    """The agency's offered group for a kiosk choice: a ServiceGroup, a catalogue Field, or a prefix letter."""
    groups = ServiceGroup.objects.offered().filter(agency=agency)
    if isinstance(choice, ServiceGroup):
        group = groups.filter(pk=choice.pk).first()
    elif isinstance(choice, Field):
        group = groups.filter(fields=choice).order_by("order", "prefix").first()
    elif isinstance(choice, str):
        group = groups.filter(prefix=choice.strip().upper()).first() if len(choice.strip()) == 1 else None
    else:
        group = None
    if group is None:
        raise BadInput({"group": _("Choose one of the services offered at this kiosk.")})
    return group


def clean_phone(phone: str | None) -> str:
    if not phone or not phone.strip():
        return ""
    try:
        validate_phone(phone)
    except ValidationError as exc:
        raise BadInput({"phone": exc.messages[0]}) from exc
    return normalize_phone(phone)


def take_ticket(agency, choice, phone: str | None = None, at: dt.datetime | None = None) -> Ticket:
    """An applicant takes the next number of a group (lấy số). `choice` is a ServiceGroup, a Field or a prefix."""
    group = resolve_group(agency, choice)
    phone = clean_phone(phone)
    at = _now(at)
    day = timezone.localdate(at)
    field = choice if isinstance(choice, Field) else None
    with transaction.atomic():
        number = allocate_number(agency.pk, day, group.prefix)
        ticket = Ticket.objects.create(
            agency=agency, day=day, prefix=group.prefix, number=number, group=group, field=field, phone=phone,
            taken_at=at,
        )
        _log(ticket, TicketAction.TAKE, at)
    return ticket


# --- At the counter -------------------------------------------------------------------------------------------------

def call_next(counter: Counter, officer, at: dt.datetime | None = None) -> Ticket:
    """Call the oldest waiting ticket of the groups this counter serves (gọi số tiếp theo)."""
    at = _now(at)
    with transaction.atomic():
        locked = _lock_counter(counter)
        _check_seated(locked, officer)
        if _current(locked) is not None:
            raise QueueProblem("counter_busy", _("Finish the current ticket (served or did not come) first."))
        group_ids = list(locked.groups.filter(is_active=True).values_list("pk", flat=True))
        candidates = Ticket.objects.filter(
            agency_id=locked.agency_id, day=timezone.localdate(at), status=TicketStatus.WAITING,
            group_id__in=group_ids,
        ).in_queue_order()
        for _attempt in range(_CALL_ATTEMPTS):
            # SKIP LOCKED (PostgreSQL): a ticket another counter is taking right now is passed over, not waited for.
            ticket = candidates.select_for_update(skip_locked=True).first()
            if ticket is None:
                break
            taken = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
                status=TicketStatus.CALLED, counter=locked, served_by=officer, called_at=at, first_called_at=at,
                call_count=1,
            )
            if taken:
                ticket.refresh_from_db()
                _log(ticket, TicketAction.CALL, at, locked, officer)
                _text_applicant(ticket, locked)
                return ticket
        raise QueueProblem("queue_empty", _("Nobody is waiting for this counter."))


def _act_on_current(counter: Counter, officer, allowed: tuple, message) -> tuple[Counter, Ticket]:
    locked = _lock_counter(counter)
    _check_seated(locked, officer)
    ticket = _current(locked)
    if ticket is None or ticket.status not in allowed:
        raise QueueProblem("invalid_transition", message)
    return locked, ticket


def recall(counter: Counter, officer, at: dt.datetime | None = None) -> Ticket:
    """Call the current ticket again (gọi lại): the display announces it once more."""
    at = _now(at)
    with transaction.atomic():
        locked, ticket = _act_on_current(counter, officer, (TicketStatus.CALLED,),
                                         _("There is no called ticket to call again."))
        ticket.called_at, ticket.call_count = at, ticket.call_count + 1
        ticket.save(update_fields=["called_at", "call_count"])
        _log(ticket, TicketAction.RECALL, at, locked, officer)
        _text_applicant(ticket, locked)
        return ticket


def start_serving(counter: Counter, officer, at: dt.datetime | None = None) -> Ticket:
    """The applicant came to the counter (bắt đầu phục vụ)."""
    at = _now(at)
    with transaction.atomic():
        locked, ticket = _act_on_current(counter, officer, (TicketStatus.CALLED,),
                                         _("There is no called ticket at this counter."))
        ticket.status, ticket.started_at = TicketStatus.SERVING, at
        ticket.save(update_fields=["status", "started_at"])
        _log(ticket, TicketAction.START, at, locked, officer)
        return ticket


def mark_served(counter: Counter, officer, at: dt.datetime | None = None) -> Ticket:
    """The applicant has been served (đã phục vụ xong)."""
    at = _now(at)
    with transaction.atomic():
        locked, ticket = _act_on_current(counter, officer, AT_COUNTER, _("There is no ticket at this counter."))
        ticket.status, ticket.finished_at = TicketStatus.DONE, at
        ticket.started_at = ticket.started_at or ticket.called_at
        ticket.save(update_fields=["status", "finished_at", "started_at"])
        _log(ticket, TicketAction.DONE, at, locked, officer)
        return ticket


def mark_no_show(counter: Counter, officer, at: dt.datetime | None = None) -> Ticket:
    """The called applicant did not come (vắng mặt)."""
    at = _now(at)
    with transaction.atomic():
        locked, ticket = _act_on_current(counter, officer, (TicketStatus.CALLED,),
                                         _("Only a called ticket can be marked as not come."))
        ticket.status, ticket.finished_at = TicketStatus.NO_SHOW, at
        ticket.save(update_fields=["status", "finished_at"])
        _log(ticket, TicketAction.NO_SHOW, at, locked, officer)
        return ticket


def transfer_ticket(ticket: Ticket, officer, group: ServiceGroup, at: dt.datetime | None = None) -> Ticket:
    """Move a ticket to another group's queue (chuyển lĩnh vực). It keeps its number and the time it was taken, so
    it waits near the front of the new queue instead of starting again. A waiting ticket may be moved by any
    officer of the agency; a ticket at a counter only by the officer at that counter."""
    at = _now(at)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        _check_staff(officer, locked.agency_id)
        if group.agency_id != locked.agency_id or not group.is_active:
            raise BadInput({"group": _("Choose a group of this agency.")})
        if group.pk == locked.group_id:
            raise BadInput({"group": _("The ticket is already in this group.")})
        if locked.status in AT_COUNTER:
            counter = _lock_counter(locked.counter)
            _check_seated(counter, officer)
        elif locked.status != TicketStatus.WAITING:
            raise QueueProblem("invalid_transition", _("A finished ticket cannot be transferred."))
        else:
            counter = None
        note = f"{locked.group.prefix} → {group.prefix}"
        locked.group, locked.status, locked.counter, locked.served_by = group, TicketStatus.WAITING, None, None
        locked.save(update_fields=["group", "status", "counter", "served_by"])
        _log(locked, TicketAction.TRANSFER, at, counter, officer, note)
        return locked


def cancel_ticket(ticket: Ticket, officer, at: dt.datetime | None = None) -> Ticket:
    """Withdraw a waiting ticket (the applicant left, or a number was taken by mistake)."""
    at = _now(at)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        _check_staff(officer, locked.agency_id)
        if locked.status != TicketStatus.WAITING:
            raise QueueProblem("invalid_transition", _("Only a waiting ticket can be cancelled."))
        locked.status, locked.finished_at = TicketStatus.CANCELLED, at
        locked.save(update_fields=["status", "finished_at"])
        _log(locked, TicketAction.CANCEL, at, None, officer)
        return locked


def link_dossier(ticket: Ticket, officer, dossier_code: str, at: dt.datetime | None = None) -> Ticket:
    """Record the dossier received from this applicant (for statistics: waiting time per dossier)."""
    from congso.dossiers.models import Dossier

    at = _now(at)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        _check_staff(officer, locked.agency_id)
        if locked.served_by_id != officer.pk or locked.status not in (*AT_COUNTER, TicketStatus.DONE):
            raise QueueProblem("invalid_transition", _("Link a dossier to a ticket you are serving or have served."))
        dossier = Dossier.objects.for_user(officer).filter(code=(dossier_code or "").strip()).first()
        if dossier is None:
            raise BadInput({"dossier": _("No dossier with this code that you may see.")})
        locked.dossier = dossier
        locked.save(update_fields=["dossier"])
        _log(locked, TicketAction.LINK_DOSSIER, at, locked.counter, officer, dossier.code)
        return locked
