"""Steps, plans and hand-overs: the internal process of a dossier at its agencies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from congso.dossiers.models import Dossier, DossierParticipant, DossierStep, HandOver
from congso.dossiers.services.common import Actor
from congso.dossiers.timeliness import verdict
from congso.org.choices import Role
from congso.workcalendar.services import get_calendar
from congso.workcalendar.units import DurationUnit

HAND_ON_CUTOFF = dt.time(15, 0)


def build_plan(dossier: Dossier) -> list[dict]:
    """The dossier's plan from the procedure's internal process at its handling agency.

    The first step is always the desk's receipt at the receiving agency (a service centre may receive for another
    agency); without a process the plan is receipt → handling by a specialist → return of the result.
    """
    from congso.catalog.models import Process

    process = (
        Process.objects.filter(version=dossier.procedure_version, agency=dossier.handling_agency)
        .prefetch_related("steps").first()
    )
    plan: list[dict] = []
    if process:
        for step in process.steps.all():
            agency_id = step.agency_id or dossier.handling_agency_id
            if step.role == Role.DESK_OFFICER:
                agency_id = dossier.receiving_agency_id
            plan.append({"name": step.name, "role": step.role, "agency": agency_id,
                         "department": step.department_id, "share": str(step.share), "process_step": step.pk})
    if not plan or plan[0]["role"] != Role.DESK_OFFICER:
        plan.insert(0, {"name": _("Receive the dossier"), "role": Role.DESK_OFFICER,
                        "agency": dossier.receiving_agency_id, "department": None, "share": "0",
                        "process_step": None})
    if len(plan) == 1:
        total = _total_share(dossier)
        plan += [
            {"name": _("Handle the dossier"), "role": Role.SPECIALIST, "agency": dossier.handling_agency_id,
             "department": None, "share": str(total), "process_step": None},
            {"name": _("Return the result"), "role": Role.DESK_OFFICER, "agency": dossier.receiving_agency_id,
             "department": None, "share": "0", "process_step": None},
        ]
    return plan


def _total_share(dossier: Dossier) -> Decimal:
    if dossier.duration is None:
        return Decimal(0)
    if dossier.duration_unit == DurationUnit.WORKING_DAY and dossier.duration > 0:
        return dossier.duration * 8
    if dossier.duration_unit == DurationUnit.WORKING_HOUR:
        return dossier.duration
    return Decimal(1)  # N = 0 and calendar days: fractions of the whole


def step_deadline(dossier: Dossier, start: dt.datetime, share: Decimal) -> dt.datetime | None:
    """Deadline of a step that starts at `start`: its share of working hours, or its fraction of the whole time
    for same-day and calendar-day procedures."""
    if dossier.due_at is None or dossier.duration is None:
        return None
    calendar = get_calendar()
    if share == 0:
        # A step with no time of its own (receipt, hand-over at the desk) is done within the working day; started
        # at or after 15:00 it may run into the next working day (Decree 61/2018 art. 20: papers move the same day,
        # or at the start of the next one when received after 15:00).
        return calendar.closing(calendar.effective_start(start, HAND_ON_CUTOFF).date())
    fractional = dossier.duration_unit == DurationUnit.CALENDAR_DAY or dossier.duration == 0
    if fractional:
        whole = calendar.working_time_between(dossier.effective_start or dossier.received_at, dossier.due_at)
        amount = whole * float(share)
    else:
        amount = dt.timedelta(hours=float(share))
    return calendar.add_working_time(start, max(amount, dt.timedelta(0)))


def start_step(dossier: Dossier, index: int | None, at: dt.datetime, *, agency=None, role: str = "",
               name: str = "", assignee=None, share: Decimal | None = None, return_to: int | None = None,
               department_id=None) -> DossierStep:
    """Open a new step (from the plan when `index` is given) and make it the dossier's current step."""
    if index is not None:
        item = dossier.plan[index]
        agency_id, role, name = item["agency"], item["role"], item["name"]
        department_id, share = item.get("department"), Decimal(item["share"])
        process_step_id = item.get("process_step")
    else:
        agency_id, process_step_id = agency.pk, None
        share = share if share is not None else Decimal(0)
    # Steps are only ever appended, and the current step is the newest one.
    order = (dossier.current_step.order if dossier.current_step_id else 0) + 1
    step = DossierStep.objects.create(
        dossier=dossier, order=order, name=name, agency_id=agency_id, department_id=department_id, role=role,
        assignee=assignee, share=share, started_at=at, deadline_at=step_deadline(dossier, at, share),
        process_step_id=process_step_id, plan_index=index, return_to_index=return_to,
    )
    dossier.current_step = step
    dossier.current_agency_id = agency_id
    dossier.holder = assignee
    dossier.holder_role = role
    dossier.holder_department_id = department_id
    dossier.step_due_at = step.deadline_at
    if agency_id not in (dossier.receiving_agency_id, dossier.handling_agency_id):  # those two are added at creation
        DossierParticipant.objects.bulk_create([DossierParticipant(dossier=dossier, agency_id=agency_id)],
                                               ignore_conflicts=True)
    return step


def finish_step(dossier: Dossier, at: dt.datetime) -> DossierStep | None:
    step = dossier.current_step
    if step is None or step.finished_at is not None:
        return step
    step.finished_at = at
    step.verdict = verdict(at, step.deadline_at) if step.deadline_at else ""
    step.save(update_fields=["finished_at", "verdict"])
    return step


def hand_over(dossier: Dossier, from_step: DossierStep | None, to_step: DossierStep, actor: Actor | None,
              at: dt.datetime, note: str = "") -> HandOver:
    """A control-sheet row: the finished step's agency and person hand over to the new step's."""
    return HandOver.objects.create(
        dossier=dossier, at=at,
        from_agency_id=from_step.agency_id if from_step else dossier.receiving_agency_id,
        from_user=actor.user if actor else None, from_step=from_step,
        to_agency_id=to_step.agency_id, to_user=to_step.assignee, to_step=to_step,
        step_deadline=from_step.deadline_at if from_step else None,
        verdict=from_step.verdict if from_step else "", note=note[:500],
    )


def next_plan_index(dossier: Dossier) -> int | None:
    step = dossier.current_step
    current = step.plan_index if step and step.plan_index is not None else (step.return_to_index if step else None)
    if current is None:
        return 0
    nxt = current + 1
    return nxt if nxt < len(dossier.plan) else None


def previous_plan_index(dossier: Dossier) -> int | None:
    step = dossier.current_step
    if step is None or step.plan_index is None or step.plan_index == 0:
        return None
    return step.plan_index - 1


def return_plan_index(dossier: Dossier) -> int | None:
    """The last plan step (the desk returning the result), if the plan ends with one."""
    if dossier.plan and dossier.plan[-1]["role"] == Role.DESK_OFFICER and len(dossier.plan) > 1:
        return len(dossier.plan) - 1
    return None
