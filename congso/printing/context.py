"""The fixed context of each form, built from a dossier's real data as plain values (no model instances).

Every builder returns a `FormData`: the context, the instant that decides which template version applies (the
receipt: when the dossier was received; the supplement request: when it was made; …) and the agency that issues
the form (its name goes in the header). The wording itself lives in the templates (FormTemplate); the context only
carries data and codes (`verdict: "late"`, `channel: "postal"`) that the templates turn into words.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from congso.dossiers.choices import Action, Status
from congso.dossiers.models import Dossier, HandOver, ProcessingEvent
from congso.printing.choices import FORM_NUMBERS, FormKind

# Prefixes dropped from an administrative unit's name to give the place name of "<Địa danh>, ngày … tháng … năm".
PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Đặc khu ", "Phường ", "Xã ", "Thị trấn ")
MAX_REGISTER_ROWS = 2000


class FormNotApplicable(Exception):
    """The form cannot be printed for this dossier (e.g. a refusal slip for a dossier that was not refused)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class FormData:
    kind: str
    instant: dt.datetime
    context: dict = field(default_factory=dict)
    dossier_code: str = ""


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(_zone()) if moment is not None else None


def place_name(agency) -> str:
    unit = getattr(agency, "admin_unit", None)
    name = unit.name if unit is not None else ""
    for prefix in PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def agency_info(agency) -> dict:
    if agency is None:
        return {}
    parent = agency.parent
    return {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name or agency.name,
        "parent_name": parent.name if parent is not None else "",
        "kind": agency.kind,
        "is_service_centre": agency.kind == "service_centre",
        "address": agency.address,
        "phone": agency.phone,
        "place": place_name(agency),
    }


def tracking_url(code: str) -> str:
    return f"{settings.SITE_URL}/tra-cuu/{code}"


def _user_name(user) -> str:
    return str(user) if user is not None else ""


def _event(dossier: Dossier, action: str) -> ProcessingEvent | None:
    return dossier.events.filter(action=action).select_related("actor").order_by("-seq").first()


def dossier_info(dossier: Dossier) -> dict:
    version = dossier.procedure_version
    accepted = _event(dossier, Action.ACCEPT)
    officer = (accepted.actor or None) if accepted else None
    officer_name = (str(officer) if officer else (accepted.actor_name if accepted else "")) or _user_name(
        dossier.created_by if dossier.channel != "online" else None)
    duration = dossier.duration
    return {
        "code": dossier.code,
        "status": int(dossier.status),
        "channel": dossier.channel,
        "applicant": {
            "kind": dossier.applicant_kind,
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
        },
        "procedure": {"code": dossier.procedure.code, "name": version.name},
        "summary": dossier.summary,
        "receiving_agency": agency_info(dossier.receiving_agency),
        "handling_agency": agency_info(dossier.handling_agency),
        "duration": (int(duration) if duration == int(duration) else float(duration)) if duration is not None else None,
        "duration_unit": dossier.duration_unit,
        "sets": 1,
        "components": [
            {"order": index, "name": c.name, "originals": c.originals, "certified_copies": c.certified_copies,
             "photocopies": c.photocopies, "electronic": c.file_id is not None}
            for index, c in enumerate((c for c in dossier.components.all() if c.supplement_id is None), start=1)
        ],
        "fees": [{"name": f.name, "amount": f.amount} for f in dossier.fees.all()],
        "fee_due": dossier.fee_due,
        "fee_paid": dossier.fee_paid,
        "submitted_at": _local(dossier.submitted_at),
        "received_at": _local(dossier.received_at),
        "due_at": _local(dossier.due_at),
        "current_due_at": _local(dossier.current_due_at),
        "extended_due_at": _local(dossier.extended_due_at),
        "resolved_at": _local(dossier.resolved_at),
        "returned_at": _local(dossier.returned_at),
        "finished_at": _local(dossier.finished_at),
        "receiving_officer": officer_name,
        "tracking_url": tracking_url(dossier.code),
    }


def _load(dossier: Dossier) -> Dossier:
    """The dossier with what every form reads, in a fixed number of queries."""
    return (
        Dossier.objects.select_related(
            "procedure", "procedure_version", "receiving_agency__parent", "receiving_agency__admin_unit",
            "handling_agency__parent", "handling_agency__admin_unit", "created_by",
        )
        .prefetch_related("components", "fees")
        .get(pk=dossier.pk)
    )


def _base(kind: str, dossier: Dossier, issuer, instant: dt.datetime, printed_at: dt.datetime) -> FormData:
    info = dossier_info(dossier)
    context = {
        "form": {"kind": kind, "number": FORM_NUMBERS[kind]},
        "dossier": info,
        "issuer": agency_info(issuer),
        "printed_at": _local(printed_at),
    }
    return FormData(kind=kind, instant=instant, context=context, dossier_code=dossier.code)


def receipt(dossier: Dossier, printed_at: dt.datetime, **_extra) -> FormData:
    if dossier.received_at is None:
        raise FormNotApplicable(_("The dossier has not been received yet, so it has no receipt."))
    return _base(FormKind.RECEIPT, dossier, dossier.receiving_agency, dossier.received_at, printed_at)


def supplement(dossier: Dossier, printed_at: dt.datetime, number: int | None = None, **_extra) -> FormData:
    requests = dossier.supplement_requests.select_related("requested_by").order_by("-number")
    request = requests.filter(number=number).first() if number else requests.first()
    if request is None:
        raise FormNotApplicable(_("No supplement was requested for this dossier."))
    data = _base(FormKind.SUPPLEMENT, dossier, dossier.receiving_agency, request.requested_at, printed_at)
    officer = request.requested_by
    data.context["request"] = {
        "number": request.number,
        "items": [str(item) for item in request.items],
        "reason": request.reason,
        "requested_at": _local(request.requested_at),
        "officer": _user_name(officer),
        "officer_phone": getattr(officer, "phone", "") or data.context["issuer"].get("phone", ""),
        "supplied_at": _local(request.supplied_at),
    }
    return data


def refusal(dossier: Dossier, printed_at: dt.datetime, **_extra) -> FormData:
    event = _event(dossier, Action.REFUSE)
    if dossier.status != Status.REFUSED or event is None:
        raise FormNotApplicable(_("The dossier was not refused."))
    data = _base(FormKind.REFUSAL, dossier, dossier.receiving_agency, event.at, printed_at)
    data.context["refusal"] = {"reason": event.reason, "at": _local(event.at),
                               "officer": _user_name(event.actor) or event.actor_name}
    return data


def apology(dossier: Dossier, printed_at: dt.datetime, number: int | None = None, **_extra) -> FormData:
    extensions = list(dossier.extensions.select_related("created_by").order_by("created_at", "pk"))
    if not extensions:
        raise FormNotApplicable(_("No apology was made for this dossier."))
    if number:
        if not 1 <= int(number) <= len(extensions):
            raise FormNotApplicable(_("No apology was made for this dossier."))
        extension = extensions[int(number) - 1]
    else:
        extension = extensions[-1]
    data = _base(FormKind.APOLOGY, dossier, dossier.handling_agency, extension.created_at, printed_at)
    data.context["apology"] = {
        "number": extensions.index(extension) + 1,
        "previous_due_at": _local(extension.previous_due_at),
        "new_due_at": _local(extension.new_due_at),
        "reason": extension.reason,
        "at": _local(extension.created_at),
        "officer": _user_name(extension.created_by),
    }
    return data


def stop(dossier: Dossier, printed_at: dt.datetime, **_extra) -> FormData:
    event = _event(dossier, Action.STOP)
    if dossier.status != Status.STOPPED or event is None:
        raise FormNotApplicable(_("The handling of this dossier was not stopped."))
    data = _base(FormKind.STOP, dossier, dossier.handling_agency, event.at, printed_at)
    data.context["stop"] = {"reason": event.reason, "at": _local(event.at),
                            "officer": _user_name(event.actor) or event.actor_name}
    return data


def control_sheet(dossier: Dossier, printed_at: dt.datetime, **_extra) -> FormData:
    if dossier.received_at is None:
        raise FormNotApplicable(_("The dossier has not been received yet, so it has no control sheet."))
    data = _base(FormKind.CONTROL_SHEET, dossier, dossier.receiving_agency, dossier.received_at, printed_at)
    handovers = (HandOver.objects.filter(dossier=dossier)
                 .select_related("from_agency", "to_agency", "from_user", "to_user").order_by("at", "id"))
    rows = [
        {"from_agency": h.from_agency.name, "from_user": _user_name(h.from_user),
         "to_agency": h.to_agency.name, "to_user": _user_name(h.to_user), "at": _local(h.at),
         "deadline": _local(h.step_deadline), "verdict": h.verdict, "note": h.note}
        for h in handovers
    ]
    if dossier.returned_at is not None:
        # The last hand-over: the desk gives the result to the applicant (not a HandOver row in the engine).
        returned = _event(dossier, Action.RETURN_RESULT)
        rows.append({"from_agency": dossier.receiving_agency.name,
                     "from_user": (_user_name(returned.actor) or returned.actor_name) if returned else "",
                     "to_agency": "", "to_user": dossier.applicant_name, "at": _local(dossier.returned_at),
                     "deadline": _local(dossier.current_due_at), "verdict": dossier.timeliness, "note": "",
                     "to_applicant": True})
    main = {dossier.receiving_agency_id, dossier.handling_agency_id}
    data.context["rows"] = rows
    data.context["partners"] = [
        p.agency.name for p in dossier.participants.select_related("agency").order_by("agency__name")
        if p.agency_id not in main
    ]
    return data


BUILDERS = {
    FormKind.RECEIPT: receipt,
    FormKind.SUPPLEMENT: supplement,
    FormKind.REFUSAL: refusal,
    FormKind.APOLOGY: apology,
    FormKind.STOP: stop,
    FormKind.CONTROL_SHEET: control_sheet,
}


def for_dossier(kind: str, dossier: Dossier, printed_at: dt.datetime, **extra) -> FormData:
    builder = BUILDERS.get(kind)
    if builder is None:
        raise FormNotApplicable(_("Unknown form."))
    data = builder(_load(dossier), printed_at, **extra)
    return data


def register(agency, start: dt.date, end: dt.date, dossiers, printed_at: dt.datetime) -> FormData:
    """Sổ theo dõi hồ sơ: the dossiers `agency` received from `start` to `end` (local dates, both included).

    `dossiers` is the queryset to draw from (already scoped to what the person printing may see)."""
    zone = _zone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    queryset = (
        dossiers.filter(receiving_agency=agency, received_at__gte=since, received_at__lt=until)
        .select_related("procedure_version", "handling_agency")
        .prefetch_related(Prefetch("handovers", queryset=HandOver.objects.order_by("at", "id")))
        .order_by("received_at", "id")
    )
    found = list(queryset[: MAX_REGISTER_ROWS + 1])
    if len(found) > MAX_REGISTER_ROWS:
        raise FormNotApplicable(_("More than %(n)d dossiers in this period: choose a shorter period.")
                                % {"n": MAX_REGISTER_ROWS})
    rows = []
    for index, d in enumerate(found, start=1):
        sent = next((h.at for h in d.handovers.all() if h.to_agency_id != agency.pk), None)
        back = next((h.at for h in reversed(d.handovers.all())
                     if h.to_agency_id == agency.pk and h.from_agency_id != agency.pk), None)
        rows.append({
            "index": index, "code": d.code, "procedure": d.procedure_version.name, "sets": 1,
            "applicant": d.applicant_name, "address": d.applicant_address, "phone": d.applicant_phone,
            "handling_agency": d.handling_agency.name, "received_at": _local(d.received_at),
            "due_at": _local(d.due_at), "sent_at": _local(sent), "result_back_at": _local(back or d.resolved_at),
            "returned_at": _local(d.returned_at), "status": int(d.status), "timeliness": d.timeliness,
            "extended_due_at": _local(d.extended_due_at),
        })
    context = {
        "form": {"kind": FormKind.REGISTER, "number": FORM_NUMBERS[FormKind.REGISTER]},
        "issuer": agency_info(agency),
        "period": {"start": start, "end": end},
        "rows": rows,
        "printed_at": _local(printed_at),
    }
    # The register is printed for a period: the wording in force at its end applies.
    return FormData(kind=FormKind.REGISTER, instant=until - dt.timedelta(microseconds=1), context=context)


# --- a sample context, for checking a template before it is saved -------------------------------------------------


def sample_context(kind: str) -> dict:
    """A complete context with made-up values in every field the builders fill, so a template that renders with it
    renders with real data too."""
    zone = _zone()
    at = dt.datetime(2025, 10, 1, 9, 0, tzinfo=zone)
    agency = {"code": "000.00.02.H00", "name": "Trung tâm Phục vụ hành chính công tỉnh", "short_name": "TTPVHCC",
              "parent_name": "UBND tỉnh", "kind": "service_centre", "is_service_centre": True, "address": "",
              "phone": "", "place": "Tỉnh"}
    person = {"from_agency": agency["name"], "from_user": "Cán bộ", "to_agency": agency["name"], "to_user": "Cán bộ",
              "at": at, "deadline": at, "verdict": "on_time", "note": "", "to_applicant": False}
    dossier = {
        "code": "000.00.02.H00-251001-0001", "status": 2, "channel": "direct",
        "applicant": {"kind": "person", "name": "Nguyễn Văn A", "id_number": "001090012345", "phone": "0912345678",
                      "email": "a@example.vn", "address": "Số 1"},
        "procedure": {"code": "1.000001", "name": "Thủ tục"}, "summary": "", "receiving_agency": agency,
        "handling_agency": agency, "duration": 5, "duration_unit": "working_day", "sets": 1,
        "components": [{"order": 1, "name": "Tờ khai", "originals": 1, "certified_copies": 0, "photocopies": 0,
                        "electronic": True}],
        "fees": [{"name": "Lệ phí", "amount": 50000}], "fee_due": 50000, "fee_paid": 0,
        "submitted_at": at, "received_at": at, "due_at": at, "current_due_at": at, "extended_due_at": at,
        "resolved_at": at, "returned_at": at, "finished_at": at, "receiving_officer": "Cán bộ",
        "tracking_url": tracking_url("000.00.02.H00-251001-0001"),
    }
    context = {"form": {"kind": kind, "number": FORM_NUMBERS.get(kind, "")}, "dossier": dossier, "issuer": agency,
               "printed_at": at, "qr": "", "title": "",
               "request": {"number": 1, "items": ["Giấy tờ"], "reason": "Lý do", "requested_at": at,
                           "officer": "Cán bộ", "officer_phone": "", "supplied_at": None},
               "refusal": {"reason": "Lý do", "at": at, "officer": "Cán bộ"},
               "apology": {"number": 1, "previous_due_at": at, "new_due_at": at, "reason": "Lý do", "at": at,
                           "officer": "Cán bộ"},
               "stop": {"reason": "Lý do", "at": at, "officer": "Cán bộ"},
               "rows": [person], "partners": [], "period": {"start": at.date(), "end": at.date()}}
    if kind == FormKind.REGISTER:
        context["rows"] = [{
            "index": 1, "code": dossier["code"], "procedure": "Thủ tục", "sets": 1, "applicant": "Nguyễn Văn A",
            "address": "Số 1", "phone": "0912345678", "handling_agency": agency["name"], "received_at": at,
            "due_at": at, "sent_at": at, "result_back_at": at, "returned_at": at, "status": 10,
            "timeliness": "on_time", "extended_due_at": None,
        }]
    return context
