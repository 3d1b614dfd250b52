"""Bulk history generator: years of a province's dossiers written straight into the tables, fast.

It writes the rows the engine's services would leave for a dossier — the dossier (with its clock, appointment and
timeliness computed by the same rules: congso.dossiers.services.common.compute_due, the working calendar's
shift_by_stops, congso.dossiers.timeliness.judge), participants, components (digitised / reused / from the data
store), fees, steps, the processing log, supplement requests and clock stops, apologies, payments (at the desk or
online), result documents (paper or electronic, with their file rows), ratings and complaints — with COPY on
PostgreSQL (psycopg 3 `cursor.copy`) and executemany on SQLite. It does not write hand-over rows (the control
sheet) nor applicant data-store documents.

- Resumable: dossiers are made in chunks of CHUNK, each chunk one transaction and a deterministic function of
  (seed, chunk number); the progress marker is the number of dossiers with origin "bulk" already in the database.
  Running again continues where it stopped.
- Checks free disk first (shutil.disk_usage) against an estimate per dossier and refuses when it would not fit.
- Keeps the statistics aggregates exact: each chunk adds its dossiers' contributions (congso.stats) in the same
  transaction, so `congso stats check` passes afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from congso.catalog.models import Implementation
from congso.core.text import fold
from congso.demo.history import FAMILY, GIVEN, PDF, receiving_agency_for
from congso.dossiers.choices import Action, FileKind, PaymentMethod, Status, SyncState, Timeliness
from congso.dossiers.models import (
    ClockStop,
    Dossier,
    DossierComponent,
    DossierFee,
    DossierFile,
    DossierParticipant,
    DossierStep,
    Extension,
    Payment,
    ProcessingEvent,
    ResultDocument,
    SupplementRequest,
)
from congso.dossiers.services.common import compute_due
from congso.dossiers.services.steps import build_plan
from congso.dossiers.timeliness import ClockState, judge
from congso.org.choices import AgencyKind, Role
from congso.org.models import Agency, Membership
from congso.workcalendar.services import get_calendar

CHUNK = 2000
ORIGIN = "bulk"
BYTES_PER_DOSSIER = 12_000  # rows and indexes of one dossier with its ~25 child rows, measured on PostgreSQL ×1.5
SAFETY = 1.2


class NotEnoughDisk(Exception):
    pass


@dataclass
class Plan:
    implementation: Implementation
    receiving: Agency
    plan: list
    duration: Decimal | None
    unit: str
    cutoff: object
    fees: list
    result_is_document: bool
    components: list
    results: list


@dataclass
class Rows:
    tables: dict = field(default_factory=dict)

    def add(self, model, row: dict) -> None:
        self.tables.setdefault(model, []).append(row)


def estimate_bytes(n: int) -> int:
    return int(n * BYTES_PER_DOSSIER * SAFETY)


def data_directory() -> Path:
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW data_directory")
                return Path(cursor.fetchone()[0])
        except Exception:  # noqa: BLE001 - not allowed to read it: fall back to the root file system
            return Path("/")
    return Path(settings.DATABASES["default"]["NAME"]).resolve().parent


def check_disk(n: int, path: Path | None = None) -> tuple[int, int]:
    """(needed, free) bytes; raises NotEnoughDisk when the estimate does not fit."""
    path = path or data_directory()
    while not path.exists() and path != path.parent:
        path = path.parent
    free = shutil.disk_usage(path).free
    needed = estimate_bytes(n)
    if needed > free:
        raise NotEnoughDisk(
            f"{n} dossiers need about {needed / 1e9:.1f} GB; {path} has {free / 1e9:.1f} GB free. "
            "Free some space or generate fewer dossiers.")
    return needed, free


def done_so_far() -> int:
    return Dossier.objects.filter(origin=ORIGIN).count()


class BulkGenerator:
    def __init__(self, total: int, years: float, seed: int = 766, now: dt.datetime | None = None):
        self.total, self.years, self.seed = total, years, seed
        self.now = now or timezone.now()
        self.calendar = get_calendar()
        self.plans = self._plans()
        if not self.plans:
            raise RuntimeError("No procedure is implemented by an agency: build the demo province first.")
        self.actors = self._actors()
        self.pdf_path = self._shared_pdf()
        self.dossier_fields = {f.attname: f for f in Dossier._meta.concrete_fields}

    # --- set-up ----------------------------------------------------------------------------------------------------

    def _plans(self) -> list[Plan]:
        implementations = list(
            Implementation.objects.filter(active=True, agency__valid_to__isnull=True)
            .select_related("version__procedure", "agency")
            .prefetch_related("version__components", "version__results", "version__durations", "version__fees")
            .order_by("pk"))
        centres = {c.parent_id: c for c in Agency.objects.filter(kind=AgencyKind.SERVICE_CENTRE, valid_to__isnull=True)
                   if c.parent_id}
        province_centre = Agency.objects.filter(kind=AgencyKind.SERVICE_CENTRE, level="province").first()
        plans = []
        for impl in implementations:
            version = impl.version
            receiving = receiving_agency_for(impl.agency, centres, province_centre)
            duration = version.duration_for("direct")
            plans.append(Plan(
                implementation=impl, receiving=receiving, plan=[],
                duration=duration.amount if duration else None, unit=duration.unit if duration else "",
                cutoff=version.cutoff_time, fees=[(f, f.effective_amount or 0) for f in version.fees.all()],
                result_is_document=bool(version.result_is_document), components=list(version.components.all())[:4],
                results=list(version.results.all())[:1]))
        # Popular procedures get most dossiers (a few procedures make up most of a province's intake).
        return plans

    def planned(self, p: Plan) -> Plan:
        """The dossier plan of an implementation, built once when first used (the engine's build_plan)."""
        if not p.plan:
            impl = p.implementation
            probe = Dossier(procedure_version=impl.version, handling_agency=impl.agency, receiving_agency=p.receiving,
                            duration=p.duration, duration_unit=p.unit)
            p.plan = build_plan(probe)
        return p

    def _actors(self) -> dict:
        actors: dict = {}
        for m in Membership.objects.active().select_related("user"):
            actors.setdefault((m.agency_id, m.role), m.user)
        return actors

    def _shared_pdf(self) -> str:
        """One stored file shared by every generated file row (the rows are what the statistics read)."""
        name = "dossiers/bu/bulk-shared.pdf"
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_bytes(PDF)
        return name

    def actor(self, agency_id, *roles):
        for role in roles:
            user = self.actors.get((agency_id, role))
            if user is not None:
                return user
        return None

    # --- running -----------------------------------------------------------------------------------------------------

    def run(self, progress=None) -> dict:
        start = done_so_far()
        if start % CHUNK and start < self.total:
            raise RuntimeError(f"{start} bulk dossiers is not a whole number of chunks: the database was changed "
                               "by something else; remove the bulk dossiers and start again.")
        made = start
        weights = self._weights()
        while made < self.total:
            number = made // CHUNK
            size = min(CHUNK, self.total - made)
            self.chunk(number, size, weights)
            made += size
            if progress:
                progress(made)
        return {"dossiers": made, "resumed_from": start}

    def _weights(self) -> list[float]:
        r = random.Random(self.seed)
        return [1.0 / (i + 1) ** 0.9 * r.uniform(0.5, 1.5) for i in range(len(self.plans))]

    def chunk(self, number: int, size: int, weights: list[float]) -> None:
        r = random.Random(f"{self.seed}:{number}")
        rows = Rows()
        facts = []
        with transaction.atomic():
            dossier_ids = reserve_ids(Dossier, size)
            file_ids = reserve_ids(DossierFile, size * 6)
            file_iter = iter(file_ids)
            for index in range(size):
                global_index = number * CHUNK + index
                plan = self.planned(r.choices(self.plans, weights=weights)[0])
                facts.append(self.dossier(r, plan, dossier_ids[index], global_index, rows, file_iter))
            for model in (Dossier, DossierParticipant, DossierFile, DossierComponent, DossierFee, DossierStep,
                          ProcessingEvent, SupplementRequest, ClockStop, Extension, Payment, ResultDocument,
                          _rating_model(), _feedback_model()):
                write_rows(model, rows.tables.get(model, []))
            _update_aggregates(facts)

    # --- one dossier ---------------------------------------------------------------------------------------------

    def moment(self, r: random.Random) -> dt.datetime:
        span = dt.timedelta(days=365.25 * self.years)
        moment = self.now - span * r.random()
        moment = self.calendar.effective_start(moment)
        return self.calendar.add_working_time(moment, dt.timedelta(hours=r.uniform(0.05, 7.5)))

    def work(self, start: dt.datetime, hours: float) -> dt.datetime:
        return self.calendar.add_working_time(start, dt.timedelta(hours=max(hours, 0.02)))

    def dossier(self, r: random.Random, p: Plan, pk: int, global_index: int, rows: Rows, file_ids) -> tuple:
        impl = p.implementation
        handling, receiving = impl.agency, p.receiving
        submitted = self.moment(r)
        online = impl.online_mode != "none" and r.random() < 0.4
        channel = "online" if online else ("postal" if r.random() < 0.03 else "direct")
        person = r.random() < 0.85
        desk = self.actor(receiving.pk, Role.DESK_OFFICER, Role.AGENCY_LEADER)
        spec = self.actor(handling.pk, Role.SPECIALIST, Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD)
        lead = self.actor(handling.pk, Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD, Role.SPECIALIST)
        d = {
            "id": pk, "code": f"{receiving.code}-{submitted.astimezone(_zone()):%y%m%d}-B{global_index:08d}",
            "version": 1, "last_event_seq": 0, "status": Status.NEW, "channel": channel,
            "procedure_id": impl.version.procedure_id, "procedure_version_id": impl.version_id,
            "receiving_agency_id": receiving.pk, "handling_agency_id": handling.pk, "current_agency_id": receiving.pk,
            "applicant_kind": "person" if person else "organisation",
            "applicant_name": f"{r.choice(FAMILY)} {r.choice(GIVEN)}" if person else f"Công ty TNHH {r.choice(GIVEN)}",
            "applicant_id_number": f"0{r.randint(10**10, 10**11 - 1)}" if person else "",
            "applicant_phone": f"09{r.randint(0, 10**8 - 1):08d}", "summary": impl.version.name[:500],
            "duration": p.duration, "duration_unit": p.unit, "cutoff": p.cutoff, "submitted_at": submitted,
            "eid_verified": online and person and r.random() < 0.6,
            "population_data_refs": ["CSDLQGDC"] if person and r.random() < 0.3 else [],
            "sync_state": SyncState.PENDING, "origin": ORIGIN, "plan": p.plan, "created_at": submitted,
            "created_by_id": desk.pk if desk else None, "waiting_seconds": 0, "supplement_count": 0,
            "extension_count": 0, "fee_paid": 0, "timeliness": Timeliness.NOT_APPLICABLE,
        }
        d["search_text"] = fold(f"{d['code']} {d['applicant_name']} {d['applicant_id_number']}")[:400]
        events = []

        def event(action, from_status, to_status, at, user=None, agency=None, role="", reason="", data=None):
            d["last_event_seq"] += 1
            events.append({"dossier_id": pk, "seq": d["last_event_seq"], "action": action, "from_status": from_status,
                           "to_status": to_status, "at": at, "actor_id": user.pk if user else None,
                           "actor_name": user.display_name if user else "", "actor_role": role,
                           "agency_id": agency, "department_id": None, "reason": reason, "data": data or {},
                           "request_id": ""})

        for agency_id in {receiving.pk, handling.pk}:
            rows.add(DossierParticipant, {"dossier_id": pk, "agency_id": agency_id})
        any_digitized = False
        for order, component in enumerate(p.components, start=1):
            has_file = r.random() < 0.75
            reused = r.random() < 0.15
            from_store = r.random() < 0.05
            file_id = self.file_row(rows, next(file_ids), pk, FileKind.COMPONENT, submitted) if has_file else None
            digitized = has_file or reused or from_store
            any_digitized = any_digitized or digitized
            rows.add(DossierComponent, {
                "dossier_id": pk, "catalog_component_id": component.pk, "order": order, "name": component.name,
                "originals": component.originals or 0, "certified_copies": component.certified_copies or 0,
                "photocopies": component.photocopies or 0, "file_id": file_id, "digitized": digitized,
                "reused": reused, "from_national_store": from_store, "replaced_by_result_code": "",
                "supplement_id": None})
        d["has_digitized_components"] = any_digitized
        fee_due = 0
        for fee, amount in p.fees:
            rows.add(DossierFee, {"dossier_id": pk, "catalog_fee_id": fee.pk, "name": fee.name[:500],
                                  "kind": fee.kind, "amount": amount})
            fee_due += amount
        d["fee_due"] = fee_due
        event(Action.CREATE, None, Status.NEW, submitted, desk if not online else None, receiving.pk,
              "applicant" if online else Role.DESK_OFFICER, data={"channel": channel})

        # Intake: at the desk at once; online, accepted (or refused) some working hours later.
        at = submitted if not online else self.work(submitted, r.uniform(0.3, 12))
        if r.random() < 0.03:
            if at >= self.now:
                return self._finish(rows, d, events, pk, p)
            d.update(status=Status.REFUSED, refused_at=at, finished_at=at)
            event(Action.REFUSE, Status.NEW, Status.REFUSED, at, desk, receiving.pk, Role.DESK_OFFICER,
                  "Hồ sơ không thuộc thẩm quyền giải quyết.")
            return self._finish(rows, d, events, pk, p)
        if at >= self.now:
            return self._finish(rows, d, events, pk, p)
        start, due = compute_due(at, p.duration, p.unit, p.cutoff)
        d.update(status=Status.RECEIVED, received_at=at, effective_start=start, due_at=due, current_due_at=due)
        event(Action.ACCEPT, Status.NEW, Status.RECEIVED, at, desk, receiving.pk, Role.DESK_OFFICER,
              data={"due_at": due.isoformat() if due else None})
        if fee_due and r.random() < 0.9:
            method = PaymentMethod.LOCAL_GATEWAY if online and r.random() < 0.7 else (
                PaymentMethod.NATIONAL_PLATFORM if online and r.random() < 0.5 else PaymentMethod.OFFLINE)
            paid_at = at + dt.timedelta(minutes=5)
            if paid_at < self.now:
                rows.add(Payment, {"dossier_id": pk, "amount": fee_due, "method": method,
                                   "reference": f"BULK-{global_index}", "paid_at": paid_at,
                                   "recorded_by_id": desk.pk if desk else None})
                d.update(fee_paid=fee_due, payment_method=method)
                event(Action.RECORD_PAYMENT, Status.RECEIVED, Status.RECEIVED, paid_at, desk, receiving.pk,
                      Role.DESK_OFFICER, data={"amount": fee_due, "method": int(method)})

        # Handling: the total working time is a share of the allowed duration (late for ~8%).
        allowed = self._allowed_hours(p)
        late = r.random() < 0.08
        hours = allowed * (r.uniform(1.05, 1.8) if late else r.uniform(0.15, 0.95))
        stops: list[tuple[dt.datetime, dt.datetime]] = []
        t = at
        status = Status.RECEIVED
        steps = []
        plan_steps = p.plan[1:-1] or p.plan[1:]
        supplement = r.random() < 0.08
        apology = late and r.random() < 0.4 and due is not None
        ended = None
        for index, step in enumerate(plan_steps):
            step_hours = hours / max(1, len(plan_steps))
            started = t
            t = self.work(t, step_hours)
            if supplement and index == 0:
                ask = self.work(started, step_hours / 2)
                if ask >= self.now:
                    break
                d["supplement_count"] += 1
                event(Action.REQUEST_SUPPLEMENT, status, Status.SUPPLEMENT_REQUESTED, ask, spec, handling.pk,
                      Role.SPECIALIST, "Hồ sơ còn thiếu giấy tờ.", {"items": ["Ảnh chân dung 4x6"], "number": 1})
                if r.random() < 0.1:  # the applicant never comes back: withdrawal
                    gone = self.work(ask, r.uniform(8, 60))
                    rows.add(SupplementRequest, _supplement(pk, 1, ask, None, status, d["current_due_at"], None))
                    rows.add(ClockStop, {"dossier_id": pk, "reason": Action.REQUEST_SUPPLEMENT, "started_at": ask,
                                         "ended_at": None})
                    d["waiting_since"] = ask
                    status = Status.SUPPLEMENT_REQUESTED
                    if gone < self.now:
                        d.update(status=Status.WITHDRAWN, finished_at=gone)
                        event(Action.WITHDRAW, status, Status.WITHDRAWN, gone, desk, receiving.pk,
                              Role.DESK_OFFICER, "Người nộp không bổ sung được.")
                    else:
                        d["status"] = status
                    ended = "withdrawn"
                    break
                supplied = self.work(ask, r.uniform(4, 40))
                if supplied >= self.now:
                    rows.add(SupplementRequest, _supplement(pk, 1, ask, None, status, d["current_due_at"], None))
                    rows.add(ClockStop, {"dossier_id": pk, "reason": Action.REQUEST_SUPPLEMENT, "started_at": ask,
                                         "ended_at": None})
                    d.update(waiting_since=ask, status=Status.SUPPLEMENT_REQUESTED)
                    ended = "waiting"
                    break
                stops.append((ask, supplied))
                d["waiting_seconds"] += int((supplied - ask).total_seconds())
                previous_due = d["current_due_at"]
                if due is not None and p.unit:
                    d["current_due_at"] = self.calendar.shift_by_stops(due, stops, p.unit)
                rows.add(SupplementRequest, _supplement(pk, 1, ask, supplied, status, previous_due,
                                                        d["current_due_at"]))
                rows.add(ClockStop, {"dossier_id": pk, "reason": Action.REQUEST_SUPPLEMENT, "started_at": ask,
                                     "ended_at": supplied})
                event(Action.SUPPLY, Status.SUPPLEMENT_REQUESTED, status, supplied, desk, receiving.pk,
                      Role.DESK_OFFICER, data={"files": [], "number": 1})
                t = self.work(supplied, step_hours)
            if apology and index == len(plan_steps) - 1 and d["current_due_at"] and not d["extension_count"]:
                sorry = d["current_due_at"] - dt.timedelta(hours=r.uniform(2, 20))
                if started < sorry < self.now and sorry > at:
                    new_due = self.work(d["current_due_at"], r.uniform(8, 40))
                    rows.add(Extension, {"dossier_id": pk, "previous_due_at": d["current_due_at"],
                                         "new_due_at": new_due, "reason": "Hồ sơ cần xác minh thêm tại thực địa.",
                                         "created_at": sorry, "created_by_id": lead.pk if lead else None})
                    d.update(extended_due_at=new_due, extension_count=1)
                    event(Action.APOLOGIZE, status, status, sorry, lead, handling.pk, Role.AGENCY_LEADER,
                          "Hồ sơ cần xác minh thêm tại thực địa.",
                          {"previous_due_at": d["current_due_at"].isoformat(), "new_due_at": new_due.isoformat()})
            if t >= self.now:
                steps.append((step, started, None))
                ended = "open"
                break
            steps.append((step, started, t))
            if index < len(plan_steps) - 1:
                event(Action.FORWARD, status, Status.IN_PROGRESS, t, spec, handling.pk, Role.SPECIALIST,
                      data={"to_step": plan_steps[index + 1]["name"]})
                status = Status.IN_PROGRESS
        if ended is None and r.random() < 0.005:
            d.update(status=Status.STOPPED, finished_at=t)
            event(Action.STOP, status, Status.STOPPED, t, lead, handling.pk, Role.AGENCY_LEADER,
                  "Người nộp đề nghị dừng giải quyết.")
            ended = "stopped"
        if ended is None:
            electronic = r.random() < 0.65
            for result in p.results or [None]:
                file_id = self.file_row(rows, next(file_ids), pk, FileKind.RESULT, t) if electronic else None
                rows.add(ResultDocument, {
                    "dossier_id": pk, "catalog_result_id": result.pk if result else None,
                    "name": (result.name if result else "Kết quả")[:500], "result_code": result.code if result else "",
                    "number": f"{global_index % 9999 + 1}/KQ", "file_id": file_id, "is_electronic": electronic,
                    "pushed_to_data_store": False, "issued_at": t})
            d.update(status=Status.RESOLVED, resolved_at=t, finished_at=t)
            event(Action.COMPLETE, Status.IN_PROGRESS, Status.RESOLVED, t, lead, handling.pk, Role.AGENCY_LEADER,
                  data={"results": ["Kết quả"], "electronic": int(electronic)})
            returned = self.work(t, r.uniform(0.5, 24))
            if returned < self.now:
                d.update(status=Status.RETURNED, returned_at=returned)
                event(Action.RETURN_RESULT, Status.RESOLVED, Status.RETURNED, returned, desk, receiving.pk,
                      Role.DESK_OFFICER)
                if r.random() < 0.3:
                    rows.add(_rating_model(), {"dossier_id": pk, "satisfied": r.random() < 0.93, "comment": "",
                                               "rated_by_id": None, "rated_at": returned + dt.timedelta(hours=2)})
            if r.random() < 0.004:
                self.complaint(rows, pk, handling.pk, t + dt.timedelta(days=1), global_index)
            ended = "resolved"
        else:
            d["status"] = d["status"] if ended in ("withdrawn", "stopped", "waiting") else status
        self._steps(rows, pk, p, d, steps, at, desk)
        return self._finish(rows, d, events, pk, p)

    def _allowed_hours(self, p: Plan) -> float:
        if p.duration is None:
            return 16.0
        amount = float(p.duration)
        return {"working_day": amount * 8, "working_hour": amount, "calendar_day": amount * 8 * 5 / 7,
                "month": amount * 8 * 22}.get(p.unit, amount * 8)

    def _steps(self, rows, pk, p, d, steps, at, desk) -> None:
        rows.add(DossierStep, {"dossier_id": pk, "order": 1, "name": p.plan[0]["name"], "agency_id": p.plan[0]["agency"],
                               "department_id": None, "role": Role.DESK_OFFICER, "assignee_id": desk.pk if desk else None,
                               "share": Decimal(0), "started_at": at, "deadline_at": at, "finished_at": at,
                               "verdict": Timeliness.ON_TIME, "process_step_id": p.plan[0].get("process_step"),
                               "plan_index": 0, "return_to_index": None})
        for order, (step, started, finished) in enumerate(steps, start=2):
            rows.add(DossierStep, {
                "dossier_id": pk, "order": order, "name": step["name"][:255], "agency_id": step["agency"],
                "department_id": step.get("department"), "role": step["role"], "assignee_id": None,
                "share": Decimal(str(step.get("share") or 0)), "started_at": started, "deadline_at": None,
                "finished_at": finished, "verdict": "", "process_step_id": step.get("process_step"),
                "plan_index": order - 1, "return_to_index": None})
        d["current_agency_id"] = steps[-1][0]["agency"] if steps and d.get("finished_at") is None else \
            d["current_agency_id"]

    def file_row(self, rows, file_id, pk, kind, at) -> int:
        stored = f"bulk-{file_id}-{uuid.uuid4().hex[:8]}.pdf"
        rows.add(DossierFile, {"id": file_id, "dossier_id": pk, "kind": kind, "file": self.pdf_path,
                               "stored_name": stored, "original_name": "ho-so.pdf", "content_type": "application/pdf",
                               "size": len(PDF), "sha256": _PDF_SHA, "uploaded_by_id": None, "uploaded_at": at})
        return file_id

    def complaint(self, rows, pk, agency_id, at, global_index) -> None:
        rows.add(_feedback_model(), {
            "code": f"PAKN-B{global_index:08d}", "subject": "dossier", "procedure_id": None, "dossier_id": pk,
            "agency_id": agency_id, "sender_id": None, "sender_name": "Người dân", "sender_email": "",
            "sender_phone": "", "title": "Phản ánh về hồ sơ", "content": "Giải quyết chậm.", "status": "received",
            "received_at": at, "reject_due_at": self.work(at, 16), "info_due_at": self.work(at, 40),
            "answer_due_at": self.work(at, 120), "publish_due_at": None, "rejected_at": None,
            "info_requested_at": None, "answered_at": None, "published_at": None, "handled_by_id": None,
            "answer": "", "reason": "", "liked": None, "reraised": False, "parent_id": None, "is_complaint": True,
            "search_text": f"pakn-b{global_index:08d} phan anh ve ho so"})

    def _finish(self, rows, d, events, pk, p) -> tuple:
        end = d.get("finished_at")
        state = ClockState(received_at=d.get("received_at"), due_at=d.get("due_at"),
                           current_due_at=d.get("current_due_at"), finished_at=end,
                           waiting=dt.timedelta(seconds=d["waiting_seconds"]), waiting_since=d.get("waiting_since"),
                           supplement_count=d["supplement_count"])
        last = events[-1]["at"]
        d["timeliness"] = judge(state, max(self.now, end or self.now) if end is None else end)
        d["timeliness_at"] = last
        d["version"] = len(events)
        rows.add(Dossier, d)
        for e in events:
            rows.add(ProcessingEvent, e)
        return pk, p


_PDF_SHA = __import__("hashlib").sha256(PDF).hexdigest()


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.TIME_ZONE)


def _supplement(pk, number, asked, supplied, from_status, previous_due, new_due) -> dict:
    return {"dossier_id": pk, "number": number, "items": ["Ảnh chân dung 4x6"], "reason": "Hồ sơ còn thiếu giấy tờ.",
            "requested_at": asked, "requested_by_id": None, "supplied_at": supplied, "supplied_by_id": None,
            "from_status": from_status, "counts_for_timeliness": True, "previous_due_at": previous_due,
            "new_due_at": new_due}


def _rating_model():
    from congso.portal.models import ServiceRating

    return ServiceRating


def _feedback_model():
    from congso.feedback.models import Feedback

    return Feedback


# --- writing ---------------------------------------------------------------------------------------------------------


def reserve_ids(model, n: int) -> list[int]:
    """n primary keys for rows written with explicit ids (children point at them)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + n))


def _columns(model, rows: list[dict]) -> list:
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in rows[0])]
    return fields


def write_rows(model, rows: list[dict]) -> None:
    """COPY on PostgreSQL, executemany on SQLite; missing columns take their model default."""
    if not rows:
        return
    fields = _columns(model, rows)
    defaults = {f.attname: (f.get_default() if f.has_default() else ("" if f.empty_strings_allowed and not f.null
                                                                       else None)) for f in fields}
    names = [f.attname for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([json.dumps(row.get(n, defaults[n]), ensure_ascii=False) if n in json_fields
                                    else _plain(row.get(n, defaults[n])) for n in names])
            return
        prepared = [[f.get_db_prep_save(row.get(f.attname, defaults[f.attname]), connection) for f in fields]
                    for row in rows]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared)


def _plain(value):
    if isinstance(value, Status | PaymentMethod):
        return int(value)
    if isinstance(value, str):
        return str(value)
    return value


def _update_aggregates(made: list[tuple]) -> None:
    """The statistics aggregates of the chunk's dossiers, in the chunk's transaction."""
    try:
        from congso.stats.contributions import contribution, encode, merge_into
        from congso.stats.facts import load_facts
        from congso.stats.models import DossierStatsState
        from congso.stats.upsert import apply
    except ImportError:  # the statistics app is not installed
        return
    ids = [pk for pk, _plan in made]
    loaded = load_facts(ids)
    total: dict = {}
    states = []
    for pk, f in loaded.items():
        part = contribution(f)
        merge_into(total, part)
        states.append({"dossier_id": pk, "contribution": encode(part), "flags": f.flags.as_dict()})
    apply(total)
    write_rows(DossierStatsState, states)


def generate_bulk(total: int, years: float, seed: int = 766, progress=None, check_space: bool = True) -> dict:
    remaining = max(0, total - done_so_far())
    if check_space and remaining:
        check_disk(remaining)
    return BulkGenerator(total, years, seed).run(progress)
