"""The actions on a dossier (thao tác xử lý hồ sơ). One entry point, `perform`, checks the transition table, the
actor's role, the expected version, runs the action in one transaction under a row lock, records the event and
recomputes the clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from congso.accounts.models import AccountType
from congso.dossiers.choices import TERMINAL_STATUSES, Action, FileKind, PaymentMethod, Status, SyncState
from congso.dossiers.files import files_rolled_back, store_file
from congso.dossiers.models import (
    ClockStop,
    Dossier,
    DossierComponent,
    DossierParticipant,
    Extension,
    FinancialObligation,
    Payment,
    ResultDocument,
    SupplementRequest,
)
from congso.dossiers.services.common import (
    Actor,
    BadInput,
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    check_time,
    load_roles,
    membership_cache,
    record_event,
    refresh_clock,
    role_in,
    save_changes,
    snapshot,
    status_label,
)
from congso.dossiers.services.creation import receive
from congso.dossiers.services.steps import (
    finish_step,
    hand_over,
    next_plan_index,
    previous_plan_index,
    return_plan_index,
    start_step,
)
from congso.dossiers.transitions import TRANSITIONS
from congso.org.choices import Role
from congso.org.models import Agency

MAX_REASON = 2000


def perform(dossier_or_code, action: str, user, *, expected_version: int | None = None,
            at: dt.datetime | None = None, reason: str = "", **params) -> Dossier:
    """Carry out `action` on a dossier as `user`. Raises InvalidTransition, Forbidden, Conflict, BadInput."""
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise BadInput({"action": _("Unknown action %(action)s.") % {"action": str(action)[:40]}})
    at = check_time(at)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise BadInput({"reason": _("The reason is too long (at most %(n)d characters).") % {"n": MAX_REASON}})
    if rule.reason_required and not reason:
        raise BadInput({"reason": _("Give the reason.")})
    pk = dossier_or_code.pk if isinstance(dossier_or_code, Dossier) else None
    code = None if pk else dossier_or_code

    with files_rolled_back(), membership_cache(), transaction.atomic():
        # Lock only the dossier row (`of=("self",)`); the related rows are read for the checks that follow.
        # Only the current step is joined: agencies are needed by id (names only for an error message), and the
        # procedure version (long texts) only by the actions that read it.
        locked = Dossier.objects.select_for_update(of=("self",)).select_related("current_step")
        try:
            dossier = locked.get(pk=pk) if pk else locked.get(code=code)
        except Dossier.DoesNotExist:
            raise NotFound() from None
        if expected_version is not None and dossier.version != expected_version:
            raise Conflict()
        if dossier.status not in rule.from_statuses:
            raise InvalidTransition(
                _("“%(action)s” is not allowed while the dossier is “%(status)s”.")
                % {"action": Action(action).label, "status": status_label(dossier.status)}
            )
        load_roles(user, params.get("assignee") if isinstance(params.get("assignee"), get_user_model()) else None)
        actor = _authorize(dossier, rule, action, user)
        before = snapshot(dossier)
        from_status = dossier.status
        handler = HANDLERS[action]
        event_data = handler(dossier, actor, at, reason, **params) or {}
        if rule.to_status is not None and dossier.status == from_status and action not in _KEEPS_STATUS:
            dossier.status = rule.to_status
        refresh_clock(dossier, at)
        dossier.version += 1
        dossier.sync_state = SyncState.PENDING
        if action != Action.ACCEPT:  # receipt records its own event (shared with creation)
            record_event(dossier, action, from_status, actor, at, reason, event_data)
        save_changes(dossier, before)
    return dossier



def actions_for(dossier: Dossier, user) -> list[str]:
    """The actions `user` may take on `dossier` now (status and role checked as `perform` would; the inputs
    each action needs are checked when it runs). For showing buttons; `perform` still decides."""
    allowed = []
    with membership_cache():
        for action, rule in TRANSITIONS.items():
            if dossier.status not in rule.from_statuses:
                continue
            try:
                _authorize(dossier, rule, action, user)
            except Forbidden:
                continue
            allowed.append(action)
    return allowed


_KEEPS_STATUS = {Action.SUPPLY, Action.RECORD_PAYMENT, Action.ASSIGN, Action.APOLOGIZE}


def _authorize(dossier: Dossier, rule, action: str, user) -> Actor:
    if user is None or not user.is_authenticated:
        raise Forbidden()
    if rule.applicant_may and dossier.applicant_id and dossier.applicant_id == user.pk:
        return Actor(user=user, role="applicant")
    if getattr(user, "account_type", "") == AccountType.SYSTEM:
        if rule.system_may:
            return Actor(user=user, role="system")
        raise Forbidden()
    agency_id = {"receiving": dossier.receiving_agency_id, "responsible": dossier.handling_agency_id}.get(
        rule.where, dossier.current_agency_id)
    roles = list(rule.roles)
    membership = role_in(user, agency_id, roles)
    if membership is None and rule.where == "responsible" and dossier.current_agency_id != agency_id:
        membership = role_in(user, dossier.current_agency_id, roles)
        agency_id = dossier.current_agency_id if membership else agency_id
    if membership is None and rule.where == "either" and dossier.receiving_agency_id != agency_id:
        membership = role_in(user, dossier.receiving_agency_id, [Role.DESK_OFFICER, Role.AGENCY_LEADER])
        agency_id = dossier.receiving_agency_id if membership else agency_id
    if membership is None:
        if user.is_superuser and user.is_active:
            return Actor(user=user, role="superuser", agency_id=agency_id)
        raise Forbidden(_("Only %(roles)s of %(agency)s may do this now.") % {
            "roles": ", ".join(str(Role(r).label).lower() for r in roles if r in Role.values),
            "agency": Agency.objects.get(pk=agency_id).name,
        })
    # Step actions are for the person holding the step, or a head or leader of that agency.
    if action in (Action.FORWARD, Action.SEND_BACK, Action.COMPLETE, Action.TRANSFER, Action.RETURN_TRANSFER):
        holder = dossier.holder_id
        if holder and holder != user.pk and membership.role not in (Role.DEPARTMENT_HEAD, Role.AGENCY_LEADER):
            raise Forbidden(_("This step is assigned to someone else."))
    return Actor(user=user, role=membership.role, agency_id=agency_id, department_id=membership.department_id)


# --- handlers: change the dossier in memory (and its child rows); `perform` saves and logs -------------------------


def _accept(dossier, actor, at, reason, **_params):
    receive(dossier, actor, at)


def _refuse(dossier, actor, at, reason, **_params):
    dossier.refused_at = at
    dossier.finished_at = at
    finish_step(dossier, at)


def _close_stop(dossier: Dossier, at: dt.datetime) -> None:
    stop = ClockStop.objects.filter(dossier=dossier, ended_at__isnull=True).first()
    if stop:
        stop.ended_at = max(at, stop.started_at)
        stop.save(update_fields=["ended_at"])
        dossier.waiting_seconds += int((stop.ended_at - stop.started_at).total_seconds())
    dossier.waiting_since = None


def _open_stop(dossier: Dossier, at: dt.datetime, reason: str) -> None:
    if dossier.received_at is None:  # before receipt the clock has not started
        return
    ClockStop.objects.create(dossier=dossier, reason=reason, started_at=at)
    dossier.waiting_since = at


def _items(items) -> list[str]:
    if not isinstance(items, list | tuple) or not items:
        raise BadInput({"items": _("List everything the applicant must supplement, in one request.")})
    clean = [str(item).strip()[:1000] for item in items if str(item).strip()]
    if not clean or len(clean) > 100:
        raise BadInput({"items": _("List between 1 and 100 items.")})
    return clean


def _request_supplement(dossier, actor, at, reason, items=None, **_params):
    clean = _items(items)
    counts = dossier.received_at is not None
    number = dossier.supplement_requests.count() + 1
    SupplementRequest.objects.create(
        dossier=dossier, number=number, items=clean, reason=reason, requested_at=at,
        requested_by=actor.user, from_status=dossier.status, counts_for_timeliness=counts,
        previous_due_at=dossier.current_due_at,
    )
    if counts:
        dossier.supplement_count += 1
    _open_stop(dossier, at, Action.REQUEST_SUPPLEMENT)
    return {"items": clean, "number": number, "second_request": dossier.supplement_count >= 2}


def _supply(dossier, actor, at, reason, files=None, **_params):
    request = dossier.supplement_requests.filter(supplied_at__isnull=True).order_by("-number").first()
    if request is None:
        raise InvalidTransition(_("There is no open supplement request."))
    stored = []
    for upload in files or []:
        record = store_file(dossier, upload, FileKind.SUPPLEMENT, actor.user)
        DossierComponent.objects.create(dossier=dossier, name=record.original_name, file=record, digitized=True,
                                        supplement=request, order=1000 + len(stored))
        stored.append(record.original_name)
    _close_stop(dossier, at)
    request.supplied_at, request.supplied_by = at, actor.user
    refresh_clock(dossier, at)
    request.new_due_at = dossier.current_due_at
    request.save(update_fields=["supplied_at", "supplied_by", "new_due_at"])
    dossier.status = request.from_status
    return {"files": stored, "number": request.number}


def _user(user_id):
    if user_id is None:
        return None
    User = get_user_model()
    if isinstance(user_id, User):  # already loaded by the caller
        if not user_id.is_active:
            raise BadInput({"assignee": _("Unknown user.")})
        return user_id
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise BadInput({"assignee": _("Unknown user.")})
    return user


def _check_member(user, agency) -> None:
    """`agency` is an Agency or its id."""
    if user is not None and role_in(user, agency, list(Role.values)) is None:
        name = agency.name if hasattr(agency, "name") else Agency.objects.get(pk=agency).name
        raise BadInput({"assignee": _("%(user)s has no role in %(agency)s.") % {"user": user, "agency": name}})


def _forward(dossier, actor, at, reason, assignee=None, **_params):
    index = next_plan_index(dossier)
    if index is None or (dossier.status == Status.IN_PROGRESS and index == return_plan_index(dossier)):
        raise InvalidTransition(_("This is the last handling step: complete the dossier with its result."))
    user = _user(assignee)
    previous = finish_step(dossier, at)
    step = start_step(dossier, index, at, assignee=user)
    _check_member(user, step.agency_id)
    hand_over(dossier, previous, step, actor, at, reason)
    return {"to_step": step.name, "assignee": user.username if user else None}


def _send_back(dossier, actor, at, reason, assignee=None, **_params):
    index = previous_plan_index(dossier)
    if index is None:
        raise InvalidTransition(_("There is no earlier step to send the dossier back to."))
    previous = finish_step(dossier, at)
    back_to = next((s for s in dossier.steps.order_by("-order") if s.plan_index == index and s.assignee_id), None)
    user = _user(assignee) or (back_to.assignee if back_to else None)
    step = start_step(dossier, index, at, assignee=user)
    hand_over(dossier, previous, step, actor, at, reason)
    return {"to_step": step.name}


def _assign(dossier, actor, at, reason, assignee=None, **_params):
    user = _user(assignee)
    if user is None:
        raise BadInput({"assignee": _("Choose who takes over the dossier.")})
    step = dossier.current_step
    _check_member(user, step.agency_id if step else dossier.current_agency_id)
    previous = dossier.holder.username if dossier.holder else None
    if step:
        step.assignee = user
        step.save(update_fields=["assignee"])
    dossier.holder = user
    return {"from": previous, "to": user.username}


def _agency(code_or_agency):
    if isinstance(code_or_agency, Agency):
        return code_or_agency
    agency = Agency.objects.filter(code=str(code_or_agency or "")).first()
    if agency is None:
        raise BadInput({"to_agency": _("Unknown agency.")})
    return agency


def _transfer(dossier, actor, at, reason, to_agency=None, share_hours=None, assignee=None, **_params):
    target = _agency(to_agency)
    if target.pk == dossier.current_agency_id:
        raise BadInput({"to_agency": _("The dossier is already at this agency.")})
    if target.valid_to and target.valid_to <= at.date():
        raise BadInput({"to_agency": _("The agency no longer exists on that date.")})
    try:
        share = Decimal(str(share_hours)) if share_hours not in (None, "") else Decimal(0)
    except InvalidOperation:
        raise BadInput({"share_hours": _("Give the hours as a number.")}) from None
    if share < 0 or share > 10000:
        raise BadInput({"share_hours": _("Give the hours as a number.")})
    user = _user(assignee)
    _check_member(user, target)
    current = dossier.current_step
    return_to = current.plan_index if current and current.plan_index is not None else (
        current.return_to_index if current else None)
    previous = finish_step(dossier, at)
    step = start_step(dossier, None, at, agency=target, role=Role.SPECIALIST,
                      name=_("Inter-agency handling at %(agency)s") % {"agency": target.short_name or target.name},
                      assignee=user, share=share, return_to=return_to)
    DossierParticipant.objects.get_or_create(dossier=dossier, agency=target)
    hand_over(dossier, previous, step, actor, at, reason)
    return {"to_agency": target.code}


def _return_transfer(dossier, actor, at, reason, **_params):
    current = dossier.current_step
    if current is None or current.plan_index is not None or current.return_to_index is None:
        raise InvalidTransition(_("The dossier is not at another agency by transfer."))
    back_index = current.return_to_index
    previous = finish_step(dossier, at)
    back = next((s for s in dossier.steps.order_by("-order") if s.plan_index == back_index), None)
    step = start_step(dossier, back_index, at, assignee=back.assignee if back else None)
    hand_over(dossier, previous, step, actor, at, reason)
    return {"to_agency": Agency.objects.filter(pk=step.agency_id).values_list("code", flat=True).first()}


def _amount(value, field="amount") -> int:
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise BadInput({field: _("Give the amount in dong as a whole number.")}) from None
    if amount <= 0 or amount > 10**13:
        raise BadInput({field: _("Give the amount in dong as a whole number.")})
    return amount


def _request_payment(dossier, actor, at, reason, amount=None, description="", stops_clock=True, **_params):
    value = _amount(amount)
    FinancialObligation.objects.create(dossier=dossier, amount=value, description=str(description or "")[:2000],
                                       requested_at=at, stops_clock=bool(stops_clock))
    dossier.fee_due += value
    if stops_clock:
        _open_stop(dossier, at, Action.REQUEST_PAYMENT)
    return {"amount": value}


def _record_payment(dossier, actor, at, reason, amount=None, method=PaymentMethod.OFFLINE, reference="", **_params):
    value = _amount(amount)
    if method not in PaymentMethod.values:
        raise BadInput({"method": _("Unknown payment method.")})
    if actor.role == "system" and method == PaymentMethod.OFFLINE:
        raise Forbidden(_("Only staff record payments made at the desk."))
    reference = str(reference or "")[:100]
    if reference and Payment.objects.filter(method=method, reference=reference).exists():
        raise BadInput({"reference": _("This payment was already recorded.")})
    if dossier.fee_paid + value > dossier.fee_due:
        raise BadInput({"amount": _("The payment is more than the amount still due.")})
    Payment.objects.create(dossier=dossier, amount=value, method=method, reference=reference, paid_at=at,
                           recorded_by=actor.user)
    dossier.fee_paid += value
    if method != PaymentMethod.OFFLINE or dossier.payment_method is None:
        dossier.payment_method = method
    if dossier.status == Status.FINANCIAL_OBLIGATION and dossier.fee_paid >= dossier.fee_due:
        dossier.obligations.filter(paid_at__isnull=True).update(paid_at=at)
        _close_stop(dossier, at)
        dossier.status = Status.IN_PROGRESS
    return {"amount": value, "method": int(method)}


def _apologize(dossier, actor, at, reason, new_due_at=None, **_params):
    if not isinstance(new_due_at, dt.datetime) or new_due_at.tzinfo is None:
        raise BadInput({"new_due_at": _("Give the new appointment as a date and time.")})
    current = dossier.extended_due_at or dossier.current_due_at or dossier.due_at
    if current is None:
        raise InvalidTransition(_("The dossier has no appointment to extend."))
    if at >= current:
        raise InvalidTransition(_("An apology must be made before the appointment passes."))
    if new_due_at <= current:
        raise BadInput({"new_due_at": _("The new appointment must be after the current one.")})
    Extension.objects.create(dossier=dossier, previous_due_at=current, new_due_at=new_due_at, reason=reason,
                             created_at=at, created_by=actor.user)
    dossier.extended_due_at = new_due_at
    dossier.extension_count += 1
    return {"previous_due_at": current.isoformat(), "new_due_at": new_due_at.isoformat()}


def _end(dossier, at):
    finish_step(dossier, at)
    dossier.finished_at = dossier.finished_at or at
    dossier.holder = None
    dossier.step_due_at = None


def _stop(dossier, actor, at, reason, **_params):
    _end(dossier, at)


def _withdraw(dossier, actor, at, reason, **_params):
    _end(dossier, at)


def _complete(dossier, actor, at, reason, results=None, **_params):
    if not isinstance(results, list | tuple) or not results:
        raise BadInput({"results": _("Record at least one result document.")})
    catalog = {r.pk: r for r in dossier.procedure_version.results.all()}
    created = []
    for index, item in enumerate(results):
        if not isinstance(item, dict):
            raise BadInput({f"results[{index}]": _("Invalid result.")})
        name = str(item.get("name") or "").strip()
        catalog_result = catalog.get(item.get("catalog_result_id")) if item.get("catalog_result_id") else None
        if item.get("catalog_result_id") and catalog_result is None:
            raise BadInput({f"results[{index}]": _("This result does not belong to the procedure.")})
        name = name or (catalog_result.name if catalog_result else "")
        if not name:
            raise BadInput({f"results[{index}]": _("Name the result document.")})
        stored = store_file(dossier, item["file"], FileKind.RESULT, actor.user) if item.get("file") else None
        created.append(ResultDocument.objects.create(
            dossier=dossier, catalog_result=catalog_result, name=name[:500],
            result_code=str(item.get("result_code") or (catalog_result.code if catalog_result else ""))[:64],
            number=str(item.get("number") or "")[:100], file=stored, is_electronic=stored is not None, issued_at=at,
        ))
    previous = finish_step(dossier, at)
    dossier.resolved_at = at
    dossier.finished_at = dossier.finished_at or at  # the first terminal moment: resolved
    index = return_plan_index(dossier)
    if index is not None:
        step = start_step(dossier, index, at)
        hand_over(dossier, previous, step, actor, at, reason)
    else:
        dossier.holder = None
    return {"results": [r.name for r in created], "electronic": sum(r.is_electronic for r in created)}


def _return_result(dossier, actor, at, reason, **_params):
    finish_step(dossier, at)
    dossier.returned_at = at
    dossier.holder = None
    dossier.step_due_at = None


HANDLERS = {
    Action.ACCEPT: _accept,
    Action.REFUSE: _refuse,
    Action.REQUEST_SUPPLEMENT: _request_supplement,
    Action.SUPPLY: _supply,
    Action.FORWARD: _forward,
    Action.SEND_BACK: _send_back,
    Action.ASSIGN: _assign,
    Action.TRANSFER: _transfer,
    Action.RETURN_TRANSFER: _return_transfer,
    Action.REQUEST_PAYMENT: _request_payment,
    Action.RECORD_PAYMENT: _record_payment,
    Action.APOLOGIZE: _apologize,
    Action.STOP: _stop,
    Action.WITHDRAW: _withdraw,
    Action.COMPLETE: _complete,
    Action.RETURN_RESULT: _return_result,
}


def reassign_all(from_user, to_user, agency, actor_user, reason: str = "") -> list[str]:
    """Bulk reassignment (an absent officer): every open dossier `from_user` holds at `agency` goes to `to_user`,
    each as its own ASSIGN event. Returns the codes moved."""
    codes = list(
        Dossier.objects.filter(holder=from_user, current_agency=agency, finished_at__isnull=True)
        .exclude(status__in=TERMINAL_STATUSES).values_list("code", flat=True)
    )
    with transaction.atomic():
        for code in codes:
            perform(code, Action.ASSIGN, actor_user, reason=reason, assignee=to_user)
    return codes
