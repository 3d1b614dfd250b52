"""Realistic dossier histories for the demo province, made through the engine's own services.

Every dossier is created and moved by `create_dossier` and `perform` with past times, so the processing log, the
control sheet, clock stops and timeliness are exactly what real use would leave. The mix: channels (mostly at the
desk, a third online where the procedure allows it, a few by post), supplements (rarely twice), transfers to
another agency, refusals at intake, apologies, withdrawals, stops, payments, and steps that run late.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from congso.catalog.choices import OnlineMode
from congso.catalog.models import Implementation
from congso.dossiers.choices import Action, PaymentMethod, Status
from congso.dossiers.services.actions import perform
from congso.dossiers.services.common import Problem
from congso.dossiers.services.creation import ComponentInput, DossierInput, create_dossier
from congso.dossiers.services.sweeps import refresh_timeliness
from congso.feedback import services as feedback_services
from congso.feedback.models import FeedbackSubject
from congso.org.choices import AgencyKind, Role
from congso.org.models import Agency, Membership
from congso.workcalendar.services import get_calendar

log = logging.getLogger(__name__)
User = get_user_model()

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
GIVEN = ["Văn An", "Thị Bình", "Minh Châu", "Đức Dũng", "Thu Hà", "Quốc Huy", "Ngọc Lan", "Hữu Phúc", "Thanh Tâm",
         "Xuân Trường", "Thị Vân", "Công Vinh"]


@dataclass
class Staff:
    desk: dict  # receiving agency id → desk officer
    by_role: dict  # (agency id, role) → [users]


def load_staff() -> Staff:
    desk, by_role = {}, {}
    for m in Membership.objects.active().select_related("user"):
        by_role.setdefault((m.agency_id, m.role), []).append(m.user)
        if m.role == Role.DESK_OFFICER:
            desk.setdefault(m.agency_id, m.user)
    return Staff(desk, by_role)


def receiving_agency_for(agency: Agency, centres: dict, province_centre: Agency | None) -> Agency:
    """A commune's dossiers go to its own service centre; provincial ones to the provincial centre."""
    return centres.get(agency.pk) or province_centre or agency


class HistoryGenerator:
    def __init__(self, seed: int = 766, now: dt.datetime | None = None):
        self.random = random.Random(seed)
        self.now = now or timezone.now()
        self.calendar = get_calendar()
        self.staff = load_staff()
        self.implementations = list(
            Implementation.objects.filter(active=True, agency__valid_to__isnull=True)
            .select_related("version__procedure", "agency")
            .prefetch_related("version__components", "version__results", "version__durations")
        )
        if not self.implementations:
            raise RuntimeError("No procedure is implemented by an agency: load the demo catalogue first.")
        centres = {}
        for centre in Agency.objects.filter(kind=AgencyKind.SERVICE_CENTRE, valid_to__isnull=True):
            if centre.parent_id:
                centres[centre.parent_id] = centre
        province_centre = Agency.objects.filter(kind=AgencyKind.SERVICE_CENTRE, level="province").first()
        self.receiving = {
            impl.agency_id: receiving_agency_for(impl.agency, centres, province_centre) for impl in self.implementations
        }
        self.applicants = list(User.objects.filter(account_type__in=["citizen", "organisation"], is_active=True))
        self.stats: dict[str, int] = {}

    # --- helpers ------------------------------------------------------------------------------------------------

    def count(self, key: str) -> None:
        self.stats[key] = self.stats.get(key, 0) + 1

    def person(self, agency_id, *roles):
        for role in roles:
            users = self.staff.by_role.get((agency_id, role))
            if users:
                return self.random.choice(users)
        return None

    def working_moment(self, start: dt.datetime, hours: float) -> dt.datetime:
        return self.calendar.add_working_time(start, dt.timedelta(hours=max(hours, 0.02)))

    def submission_time(self, months: int) -> dt.datetime:
        """A moment in working hours, spread over the last `months` months (more towards the present)."""
        span = dt.timedelta(days=30 * months)
        offset = span * (self.random.random() ** 0.8)
        moment = self.now - offset
        moment = self.calendar.effective_start(moment)
        return self.working_moment(moment, self.random.uniform(0, 7.5))

    # --- one dossier ----------------------------------------------------------------------------------------------

    def make_one(self, months: int) -> str | None:
        impl = self.random.choice(self.implementations)
        version, agency = impl.version, impl.agency
        receiving = self.receiving[agency.pk]
        desk = self.staff.desk.get(receiving.pk) or self.staff.desk.get(agency.pk)
        if desk is None:
            return None
        at = self.submission_time(months)
        if at >= self.now:
            return None
        channel = "direct"
        roll = self.random.random()
        if impl.online_mode != OnlineMode.NONE and roll < 0.35 and self.applicants:
            channel = "online"
        elif roll > 0.95:
            channel = "postal"
        applicant = self.random.choice(self.applicants) if channel == "online" else None
        organisation = applicant is not None and applicant.account_type == "organisation"
        name = applicant.display_name if applicant else f"{self.random.choice(FAMILY)} {self.random.choice(GIVEN)}"
        components = [
            ComponentInput(catalog_component_id=c.pk, originals=c.originals or 1 if c.originals else 0,
                           certified_copies=c.certified_copies or 0, photocopies=c.photocopies or 0,
                           file=("ho-so.pdf", PDF) if self.random.random() < 0.7 else None,
                           reused=self.random.random() < 0.1)
            for c in list(version.components.all())[:4]
        ]
        data = DossierInput(
            procedure_code=version.procedure.code, handling_agency_code=agency.code,
            receiving_agency_code=receiving.code, channel=channel,
            applicant_kind="organisation" if organisation else "person", applicant_name=name[:255],
            applicant_id_number=(applicant.tax_code if organisation else applicant.citizen_id) if applicant else "",
            applicant_phone=f"09{self.random.randint(0, 10**8 - 1):08d}", components=components,
        )
        user = applicant if channel == "online" else desk
        dossier = create_dossier(data, user, at=at)
        self.count(f"channel_{channel}")
        try:
            self.advance(dossier, at, desk, agency, months)
        except Problem as problem:  # a path the rules refuse is simply where this history stops
            log.debug("history of %s stopped: %s", dossier.code, problem.detail)
            self.count("stopped_early")
        return dossier.code

    def step(self, code, action, user, at, **params):
        if at >= self.now:
            raise _Future()
        return perform(code, action, user, at=at, **params)

    def advance(self, dossier, at, desk, agency, months):
        r = self.random
        code = dossier.code
        if dossier.status == Status.NEW:
            at = self.working_moment(at, r.uniform(0.5, 10))
            desk_here = self.staff.desk.get(dossier.receiving_agency_id) or desk
            if r.random() < 0.04:
                self.step(code, Action.REFUSE, desk_here, at, reason="Hồ sơ không thuộc thẩm quyền giải quyết.")
                return self.count("refused")
            dossier = self.step(code, Action.ACCEPT, desk_here, at)
        if dossier.fee_due and r.random() < 0.9:
            online = dossier.channel == "online" and r.random() < 0.7
            dossier = self.step(code, Action.RECORD_PAYMENT, desk, at + dt.timedelta(minutes=5),
                                amount=dossier.fee_due - dossier.fee_paid,
                                method=PaymentMethod.LOCAL_GATEWAY if online else PaymentMethod.OFFLINE,
                                reference=f"{'GW' if online else 'BL'}-{code}")
        late = r.random() < 0.07
        supplement = r.random() < 0.08
        plan = dossier.plan
        index = 0
        while True:
            current = dossier.current_step
            step_index = current.plan_index if current and current.plan_index is not None else index
            next_index = step_index + 1
            is_last_handling = next_index >= len(plan) - 1
            share = float(plan[step_index]["share"]) if step_index < len(plan) else 1.0
            hours = share * (r.uniform(1.5, 3.0) if late else r.uniform(0.2, 0.9)) if share else r.uniform(0.1, 1.5)
            at = self.working_moment(at, hours)
            holder = dossier.holder or self.person(dossier.current_agency_id, plan[step_index]["role"],
                                                   Role.SPECIALIST, Role.AGENCY_LEADER, Role.DESK_OFFICER)
            if supplement and step_index == 1:
                supplement = False
                dossier = self.step(code, Action.REQUEST_SUPPLEMENT, holder, at, reason="Hồ sơ còn thiếu giấy tờ.",
                                    items=["Bản sao giấy tờ chứng minh nơi cư trú", "Ảnh chân dung 4x6"])
                self.count("supplement")
                if r.random() < 0.12:
                    self.step(code, Action.WITHDRAW, self.staff.desk.get(dossier.receiving_agency_id) or desk,
                              self.working_moment(at, r.uniform(8, 80)), reason="Người nộp không bổ sung được.")
                    return self.count("withdrawn")
                at = self.working_moment(at, r.uniform(4, 40))
                dossier = self.step(code, Action.SUPPLY, self.staff.desk.get(dossier.receiving_agency_id) or desk,
                                    at, files=[("bo-sung.pdf", PDF)])
                if r.random() < 0.06:
                    at = self.working_moment(at, 2)
                    dossier = self.step(code, Action.REQUEST_SUPPLEMENT, holder, at, reason="Bổ sung chưa đạt.",
                                        items=["Bản chính giấy tờ đã nộp bản sao"])
                    at = self.working_moment(at, r.uniform(4, 24))
                    dossier = self.step(code, Action.SUPPLY, self.staff.desk.get(dossier.receiving_agency_id) or desk, at)
                    self.count("second_supplement")
                continue
            if step_index == 1 and r.random() < 0.04:
                target = self.transfer_target(dossier)
                if target is not None:
                    dossier = self.step(code, Action.TRANSFER, holder, at, reason="Lấy ý kiến cơ quan liên quan.",
                                        to_agency=target.code, share_hours=8)
                    at = self.working_moment(at, r.uniform(2, 14))
                    partner = self.person(target.pk, Role.SPECIALIST, Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD)
                    dossier = self.step(code, Action.RETURN_TRANSFER, partner, at, reason="Đã có ý kiến.")
                    self.count("transfer")
                    continue
            if late and dossier.due_at and r.random() < 0.5 and not dossier.extension_count:
                leader = self.person(dossier.handling_agency_id, Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD)
                current_due = dossier.current_due_at or dossier.due_at
                apology_at = current_due - dt.timedelta(hours=r.uniform(2, 20))
                if leader and at < current_due and apology_at > dossier.received_at:
                    at = max(apology_at, at)
                    dossier = self.step(code, Action.APOLOGIZE, leader, at,
                                        reason="Hồ sơ cần xác minh thêm tại thực địa.",
                                        new_due_at=self.working_moment(current_due, r.uniform(8, 40)))
                    self.count("apology")
            if r.random() < 0.005:
                leader = self.person(dossier.handling_agency_id, Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD)
                if leader:
                    self.step(code, Action.STOP, leader, at, reason="Người nộp đề nghị dừng giải quyết.")
                    return self.count("stopped")
            if is_last_handling or dossier.status == Status.IN_PROGRESS and step_index >= len(plan) - 2:
                results = [{"name": res.name, "result_code": res.code, "number": f"{r.randint(1, 9999)}/KQ",
                            "file": ("ket-qua.pdf", PDF) if r.random() < 0.6 else None}
                           for res in list(dossier.procedure_version.results.all())[:1]] or [{"name": "Kết quả"}]
                if dossier.status == Status.RECEIVED:
                    dossier = self.step(code, Action.FORWARD, holder, at, assignee=None)
                    continue
                dossier = self.step(code, Action.COMPLETE, holder, at, results=[
                    {k: v for k, v in item.items() if v is not None} for item in results])
                if dossier.status == Status.RESOLVED:
                    returned = self.working_moment(at, r.uniform(0.5, 24))
                    dossier = self.step(code, Action.RETURN_RESULT,
                                        self.staff.desk.get(dossier.receiving_agency_id) or desk, returned)
                    self.after_return(dossier, returned, late)
                return self.count("returned")
            nxt = plan[next_index]
            assignee = self.person(nxt["agency"], nxt["role"], Role.SPECIALIST, Role.AGENCY_LEADER)
            dossier = self.step(code, Action.FORWARD, holder, at, assignee=assignee)

    def after_return(self, dossier, returned: dt.datetime, late: bool) -> None:
        """What applicants do once they have the result: rate it (online applicants, often), complain (rarely)."""
        r = self.random
        if dossier.applicant_id is None:
            return
        applicant = next(u for u in self.applicants if u.pk == dossier.applicant_id)
        moment = self.working_moment(returned, r.uniform(0.1, 16))
        if moment >= self.now:
            return
        if r.random() < 0.6:
            from congso.portal.services.ratings import rate

            rate(dossier, applicant, satisfied=r.random() > (0.5 if late else 0.05),
                 comment="" if r.random() < 0.7 else "Cán bộ hướng dẫn nhiệt tình.", at=moment)
            self.count("rated")
        if late and r.random() < 0.3:
            self.feedback(subject=FeedbackSubject.DOSSIER, dossier=dossier, user=applicant, at=moment,
                          title="Hồ sơ bị trả kết quả chậm", content="Hồ sơ của tôi được trả kết quả chậm so với "
                          "ngày hẹn mà không nhận được văn bản xin lỗi.")

    def feedback(self, *, at: dt.datetime, subject=None, dossier=None, user=None, agency=None, procedure=None,
                 title="Góp ý về thủ tục", content="Đề nghị đơn giản hóa thành phần hồ sơ của thủ tục này."):
        """One feedback item and its handling: most answered in time and published, some late, a few rejected."""
        r = self.random
        item = feedback_services.submit(
            subject=subject or FeedbackSubject.AGENCY, title=title, content=content,
            sender_name=user.display_name if user else f"{r.choice(FAMILY)} {r.choice(GIVEN)}",
            sender_email="" if user else "nguoidan@example.vn", user=user, dossier=dossier,
            agency=agency, procedure=procedure, at=at)
        self.count("feedback")
        handler = self.person(item.agency_id, Role.SPECIALIST, Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD)
        if handler is None:
            return
        roll = r.random()
        if roll < 0.05:
            when = self.working_moment(at, r.uniform(2, 14))
            if when < self.now:
                feedback_services.reject(item, handler, "Nội dung không thuộc thẩm quyền giải quyết.", at=when)
            return
        when = self.working_moment(at, r.uniform(8, 80) if roll < 0.85 else r.uniform(120, 200))
        if when >= self.now:
            return
        item = feedback_services.answer(item, handler, "Cơ quan đã tiếp thu và chấn chỉnh.", at=when)
        published = self.working_moment(when, r.uniform(1, 20))
        if published < self.now and r.random() < 0.9:
            feedback_services.publish(item, handler, at=published)
        if user is not None and r.random() < 0.5:
            feedback_services.react(item, user, liked=r.random() < 0.8)

    def general_feedback(self, n: int, months: int) -> None:
        """Feedback about agencies and procedures, about one for every 40 dossiers."""
        for _ in range(n):
            impl = self.random.choice(self.implementations)
            at = self.submission_time(months)
            if at >= self.now:
                continue
            if self.random.random() < 0.5:
                self.feedback(subject=FeedbackSubject.PROCEDURE, procedure=impl.version.procedure, agency=impl.agency,
                              at=at)
            else:
                self.feedback(subject=FeedbackSubject.AGENCY, agency=impl.agency, at=at,
                              title="Thái độ phục vụ", content="Cán bộ tiếp nhận hướng dẫn chưa rõ ràng, phải đi lại "
                              "nhiều lần.")

    def transfer_target(self, dossier):
        options = [a for (agency_id, role), users in self.staff.by_role.items()
                   if role == Role.SPECIALIST and agency_id != dossier.current_agency_id
                   for a in [agency_id]]
        if not options:
            return None
        return Agency.objects.filter(pk=self.random.choice(options), valid_to__isnull=True).first()

    def run(self, n: int, months: int, progress=None) -> dict:
        made = 0
        for i in range(n):
            try:
                if self.make_one(months):
                    made += 1
            except _Future:
                self.count("open_at_now")
                made += 1
            if progress and (i + 1) % 250 == 0:
                progress(i + 1)
        self.general_feedback(n // 40, months)
        refresh_timeliness(self.now)
        self.stats["dossiers"] = made
        return self.stats


class _Future(Exception):
    """The next action would be after now: the dossier stays open, as it would be today."""


def generate_history(n: int, months: int, seed: int = 766, progress=None) -> dict:
    return HistoryGenerator(seed=seed).run(n, months, progress)
