"""The dossier page of the staff workspace: everything about one dossier, and the actions this person may take now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from congso.core.problems import Problem
from congso.dossiers.choices import Action, PaymentMethod
from congso.dossiers.models import Dossier, DossierFile, ProcessingEvent
from congso.dossiers.services.actions import actions_for, perform
from congso.dossiers.services.common import BadInput, Conflict
from congso.privacy.choices import AccessAction, AccessChannel
from congso.privacy.disclosure import decide, may_reveal
from congso.privacy.masking import mask_id_number, mask_phone
from congso.privacy.services import log_access
from congso.signing.models import IssuedDocument
from congso.workspace.work import worklists
from congso.workspace.work.access import staff_required
from congso.workspace.work.action_forms import build_forms, read_params

INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def _visible(user):
    return Dossier.objects.for_user(user)


def _load(user, code: str) -> Dossier:
    queryset = _visible(user).select_related(
        "procedure", "procedure_version", "receiving_agency", "handling_agency", "current_agency", "holder",
        "current_step", "applicant",
    ).prefetch_related(
        "steps__agency", "steps__assignee", "handovers__from_agency", "handovers__to_agency",
        "handovers__from_user", "handovers__to_user",
        Prefetch("events", queryset=ProcessingEvent.objects.select_related("agency").order_by("seq")),
        "components__file", "fees", "payments", "results__file", "supplement_requests", "extensions",
        "obligations",
    )
    return get_object_or_404(queryset, code=code)


def _appointments(dossier: Dossier) -> list[dict]:
    """The appointment's history: the first one, each move by a supplement, each apology."""
    rows = []
    if dossier.due_at:
        rows.append({"at": dossier.received_at, "due": dossier.due_at, "why": _("Appointment at receipt")})
    for request in dossier.supplement_requests.all():
        if request.new_due_at:
            rows.append({"at": request.supplied_at, "due": request.new_due_at,
                         "why": _("Moved after supplement no. %(n)d") % {"n": request.number}})
    for extension in dossier.extensions.all():
        rows.append({"at": extension.created_at, "due": extension.new_due_at,
                     "why": _("Apology: %(reason)s") % {"reason": extension.reason}})
    return sorted(rows, key=lambda r: r["at"] or dossier.submitted_at)


@login_required
@staff_required
def dossier_detail(request, code: str):
    dossier = _load(request.user, code)
    disclosure = decide(request.user, dossier)
    log_access(request.user, AccessAction.VIEW, dossier=dossier, unmasked=disclosure.unmasked,
               basis=disclosure.basis, channel=AccessChannel.UI, request=request)
    now = timezone.now()
    actions = actions_for(dossier, request.user)
    deadline = dossier.step_due_at or dossier.extended_due_at or dossier.current_due_at
    context = {
        "dossier": dossier,
        "id_number": dossier.applicant_id_number if disclosure.unmasked else mask_id_number(
            dossier.applicant_id_number),
        "phone": dossier.applicant_phone if disclosure.unmasked else mask_phone(dossier.applicant_phone),
        "unmasked": disclosure.unmasked, "may_reveal": not disclosure.unmasked and may_reveal(request.user, dossier),
        "forms": build_forms(dossier, actions),
        "appointments": _appointments(dossier),
        "deadline": deadline, "urgency": worklists.urgency(deadline, now) if dossier.is_open else "",
        "payment_methods": PaymentMethod.choices,
        "printable": _printable(dossier),
        "may_sign": _may_sign(dossier, request.user),
        "issued": list(IssuedDocument.objects.filter(dossier=dossier).order_by("issued_at")),
        "inline_types": INLINE_TYPES,
    }
    return render(request, "workspace/work/dossier.html", context)


def _may_sign(dossier: Dossier, user) -> bool:
    """Whether to offer the signed e-result form (the signing service checks again)."""
    from congso.dossiers.services.common import role_in
    from congso.signing.services import ADDS_TO, COMPLETES, SIGNING_ROLES

    return (dossier.status in COMPLETES | ADDS_TO
            and role_in(user, dossier.handling_agency_id, SIGNING_ROLES) is not None)


def _printable(dossier: Dossier) -> list[tuple[str, str]]:
    """The printed forms that apply to this dossier now (slug, label); the printing app serves them."""
    forms = [("giay-tiep-nhan", _("Receipt and appointment"))] if dossier.received_at else []
    if dossier.supplement_requests.all():
        forms.append(("phieu-yeu-cau-bo-sung", _("Supplement request")))
    if dossier.refused_at:
        forms.append(("phieu-tu-choi", _("Refusal")))
    if dossier.extensions.all():
        forms.append(("van-ban-xin-loi", _("Apology and extension")))
    if dossier.status == 8:
        forms.append(("thong-bao-dung", _("Notice of stopping")))
    if dossier.received_at:
        forms.append(("phieu-kiem-soat", _("Control sheet")))
    return forms


@login_required
@staff_required
def reveal(request, code: str):
    """Show the personal numbers in full, for a stated purpose that goes to the access log."""
    dossier = get_object_or_404(_visible(request.user), code=code)
    if request.method != "POST":
        return redirect("workspace:dossier", code=dossier.code)
    try:
        disclosure = decide(request.user, dossier, reveal=True, reason=request.POST.get("reason", ""))
    except Problem as problem:
        messages.error(request, _first_error(problem))
        return redirect("workspace:dossier", code=dossier.code)
    log_access(request.user, AccessAction.VIEW, dossier=dossier, unmasked=True, basis=disclosure.basis,
               purpose=disclosure.purpose, channel=AccessChannel.UI, request=request)
    return render(request, "workspace/work/_revealed.html", {
        "dossier": dossier, "id_number": dossier.applicant_id_number, "phone": dossier.applicant_phone})


def _first_error(problem: Problem) -> str:
    errors = getattr(problem, "errors", None) or {}
    for messages_ in errors.values():
        if isinstance(messages_, list | tuple) and messages_:
            return str(messages_[0])
        if messages_:
            return str(messages_)
    return str(problem.detail)


@login_required
@staff_required
@require_POST
def act(request, code: str, action: str):
    """Run one action from its form. Errors come back as a message on the dossier page; nothing is changed."""
    dossier = get_object_or_404(_visible(request.user).only("pk", "code", "version"), code=code)
    if action not in Action.values or action == Action.CREATE:
        raise Http404
    if request.POST.get("confirm_required") and not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm."))
        return redirect("workspace:dossier", code=dossier.code)
    version = request.POST.get("version", "")
    try:
        params = read_params(action, request.POST, request.FILES, request.user)
        perform(dossier.code, action, request.user, expected_version=int(version) if version.isdigit() else None,
                reason=request.POST.get("reason", ""), **params)
    except Conflict:
        messages.error(request, _("Someone changed this dossier a moment ago. Look at it again and repeat the "
                                  "action if it is still needed."))
    except (BadInput, Problem) as problem:
        messages.error(request, _first_error(problem))
    except ValidationError as error:  # a file refused by the upload checks
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
        if action in (Action.FORWARD, Action.COMPLETE, Action.TRANSFER, Action.SEND_BACK, Action.ASSIGN) and \
                not _visible(request.user).filter(pk=dossier.pk).exists():
            return redirect("workspace:worklist", key="todo")
    return redirect("workspace:dossier", code=dossier.code)


@xframe_options_sameorigin  # previewed in a frame of the dossier page; files are checked by content at upload
@login_required
@staff_required
def dossier_file(request, code: str, file_id: int):
    """A dossier's file, for people who may see the dossier: shown in the browser for PDF and images."""
    dossier = get_object_or_404(_visible(request.user).only("pk", "code"), code=code)
    record = get_object_or_404(DossierFile, pk=file_id, dossier=dossier)
    log_access(request.user, AccessAction.DOWNLOAD, dossier=dossier, channel=AccessChannel.UI, request=request,
               details={"file": record.pk})
    inline = record.content_type in INLINE_TYPES and request.GET.get("download") != "1"
    response = FileResponse(record.file.open("rb"), content_type=record.content_type, as_attachment=not inline,
                            filename=record.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
