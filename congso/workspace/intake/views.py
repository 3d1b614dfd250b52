"""The desk intake wizard (tiếp nhận hồ sơ trực tiếp): procedure → applicant → components → fees and appointment →
receipt. State lives in the session (`drafts`); nothing reaches the engine before the last step."""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congso.accounts.models import AccountType
from congso.catalog.models import ProcedureVersion
from congso.dossiers.choices import ApplicantKind, Status
from congso.dossiers.models import Dossier, DossierComponent
from congso.dossiers.services.common import BadInput, Forbidden
from congso.privacy.masking import mask_id_number
from congso.workspace.intake import drafts, search
from congso.workspace.intake.forms import ApplicantForm, ComponentsForm, RefuseForm, ReviewForm
from congso.workspace.intake.scope import desk_agencies, pick_receiving
from congso.workspace.intake.services import (
    StaleDraft,
    appointment_if_received_now,
    fee_lines,
    receive_draft,
    refuse_draft,
)

STEPS = ["procedure", "applicant", "components", "review"]


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def desk_required(view):
    """Desk officers only; the view gets the agencies where the user may receive (`request.desks`)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.desks = desk_agencies(request.user)
        if not request.desks:
            return render(request, "workspace/intake/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _url(name: str) -> str:
    return reverse(f"workspace:intake_{name}")


def _draft(request) -> tuple[dict, object]:
    """The session's draft and its desk agency; a new draft when there is none (or its desk is no longer ours)."""
    draft = drafts.get_draft(request.session)
    receiving = pick_receiving(request.user, draft["receiving"]) if draft else None
    if receiving is None:
        receiving = request.desks[0]
        draft = drafts.start_draft(request.session, receiving.pk)
    return draft, receiving


def _version(draft, receiving):
    """The chosen procedure's version in force today at a desk that may still take it in, or None."""
    chosen = draft.get("procedure")
    if not chosen:
        return None
    implementation = search.find_option(receiving, chosen["code"], chosen["agency"])
    if implementation is None:
        return None
    if implementation.version_id != chosen["version_id"]:
        # A new version took effect since the draft began: its components differ, so the checklist starts again.
        _forget_components(draft)
        chosen["version_id"] = implementation.version_id
    return (ProcedureVersion.objects.select_related("procedure", "field")
            .prefetch_related("components", "fees", "durations").get(pk=implementation.version_id))


def _forget_components(draft: dict) -> None:
    drafts.delete_files(draft)
    draft["components"] = None


def _context(request, draft, receiving, step, **extra):
    chosen = draft.get("procedure") or {}
    done = {"procedure": bool(chosen), "applicant": bool(draft.get("applicant")),
            "components": draft.get("components") is not None}
    return {"draft": draft, "receiving": receiving, "step": step, "done": done, "chosen": chosen,
            "desks": request.desks, **extra}


def _first_missing(draft, upto: str) -> str | None:
    """The first earlier step that is not done yet (the wizard never skips one)."""
    needed = {"procedure": bool(draft.get("procedure")), "applicant": bool(draft.get("applicant")),
              "components": draft.get("components") is not None}
    for step in STEPS[:STEPS.index(upto)]:
        if not needed[step]:
            return step
    return None


# --- step 1: the procedure ------------------------------------------------------------------------------------------
@desk_required
@require_http_methods(["GET", "POST"])
def procedure(request):
    draft, receiving = _draft(request)
    error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "desk":
            chosen_desk = pick_receiving(request.user, request.POST.get("desk"))
            if chosen_desk is None:
                error, status = _("You are not a desk officer there."), 400
            elif chosen_desk.pk != receiving.pk:
                draft = drafts.start_draft(request.session, chosen_desk.pk)
                return redirect(_url("procedure"))
        elif action == "choose":
            implementation = search.find_option(receiving, request.POST.get("code", "")[:16],
                                                request.POST.get("agency", "")[:32])
            if implementation is None:
                error, status = _("This procedure is not taken in at your desk."), 400
            else:
                previous = draft.get("procedure") or {}
                if previous.get("version_id") != implementation.version_id:
                    _forget_components(draft)
                draft["procedure"] = {
                    "code": implementation.version.procedure.code, "agency": implementation.agency.code,
                    "agency_name": implementation.agency.name, "version_id": implementation.version_id,
                    "name": implementation.version.name,
                }
                drafts.save_draft(request.session, draft)
                return redirect(_url("applicant"))
        else:
            error, status = _("Unknown action."), 400
    query = request.GET.get("q", "")[:200]
    results = search.find_procedures(receiving, query) if query.strip() else []
    return render(request, "workspace/intake/procedure.html",
                  _context(request, draft, receiving, "procedure", query=query, results=results, error=error),
                  status=status)


@desk_required
@require_GET
def procedure_results(request):
    """The live result list (htmx) of step 1."""
    _draft_, receiving = _draft(request)
    query = request.GET.get("q", "")[:200]
    results = search.find_procedures(receiving, query) if query.strip() else []
    return render(request, "workspace/intake/_procedure_results.html",
                  {"results": results, "query": query, "chosen": _draft_.get("procedure") or {}})


# --- step 2: the applicant ------------------------------------------------------------------------------------------
def lookup_account(kind: str, number: str):
    """An applicant account with this citizen ID (person) or tax code (organisation), or None."""
    number = (number or "").strip()
    if not number:
        return None
    users = get_user_model().objects.filter(is_active=True)
    if kind == ApplicantKind.ORGANISATION:
        return users.filter(account_type=AccountType.ORGANISATION, tax_code=number).first()
    return users.filter(account_type=AccountType.CITIZEN, citizen_id=number).first()


def _prefill(form_data, account) -> dict:
    data = {key: form_data.get(key, "") for key in ("kind", "name", "id_number", "representative", "phone",
                                                    "email", "address")}
    data.update({"name": account.organisation_name or account.full_name or data["name"],
                 "phone": account.phone or data["phone"], "email": account.email or data["email"],
                 "address": account.address or data["address"]})
    return data


@desk_required
@require_http_methods(["GET", "POST"])
def applicant(request):
    draft, receiving = _draft(request)
    missing = _first_missing(draft, "applicant")
    if missing:
        return redirect(_url(missing))
    lookup = None
    if request.method == "POST" and request.POST.get("action") == "lookup":
        account = lookup_account(request.POST.get("kind", ""), request.POST.get("id_number", "")[:14])
        lookup = {"found": account is not None}
        form = ApplicantForm(initial=_prefill(request.POST, account) if account else request.POST.dict())
    elif request.method == "POST":
        form = ApplicantForm(request.POST)
        if form.is_valid():
            draft["applicant"] = form.cleaned_data
            drafts.save_draft(request.session, draft)
            return redirect(_url("components"))
    else:
        form = ApplicantForm(initial=draft.get("applicant") or None)
    template = "workspace/intake/_applicant_form.html" if request.htmx and lookup else "workspace/intake/applicant.html"
    status = 400 if request.method == "POST" and form.is_bound and form.errors else 200
    return render(request, template, _context(request, draft, receiving, "applicant", form=form, lookup=lookup),
                  status=status)


# --- step 3: the components -----------------------------------------------------------------------------------------
@desk_required
@require_http_methods(["GET", "POST"])
def components(request):
    draft, receiving = _draft(request)
    missing = _first_missing(draft, "components")
    if missing:
        return redirect(_url(missing))
    version = _version(draft, receiving)
    if version is None:
        draft["procedure"] = None
        drafts.save_draft(request.session, draft)
        return redirect(_url("procedure"))
    saved = draft.get("components") or {}
    catalog = list(version.components.all())
    if request.method == "POST":
        form = ComponentsForm(request.POST, request.FILES, components=catalog, saved=saved)
        if form.is_valid():
            draft["components"] = _collect(draft, form, catalog, saved)
            drafts.save_draft(request.session, draft)
            return redirect(_url("review"))
        status = 400
    else:
        form = ComponentsForm(components=catalog, saved=saved)
        status = 200
    drafts.save_draft(request.session, draft)
    return render(request, "workspace/intake/components.html",
                  _context(request, draft, receiving, "components", form=form, version=version), status=status)


def _collect(draft, form, catalog, saved) -> dict:
    """The checklist as the session keeps it; new files are stored, replaced or removed ones deleted."""
    result, obsolete = {}, []
    data = form.cleaned_data
    for component in catalog:
        key = str(component.pk)
        kept = (saved.get(key) or {}).get("file")
        checked = form.checked_files.get(key)
        if kept and (checked or data.get(f"remove_{key}")):
            obsolete.append(kept["path"])
            kept = None
        if checked:
            kept = drafts.store_file(draft, checked)
        result[key] = {"received": bool(data.get(f"received_{key}")), "originals": data[f"originals_{key}"],
                       "certified_copies": data[f"certified_{key}"], "photocopies": data[f"photocopies_{key}"],
                       "file": kept}
    drafts.delete_files(draft, obsolete)
    return result


# --- step 4: fees and appointment; step 5: save ----------------------------------------------------------------------
def _review_context(request, draft, receiving, version, **extra):
    appointment = appointment_if_received_now(version)
    lines, total = fee_lines(version)
    chosen = draft.get("components") or {}
    listed = [(component, chosen.get(str(component.pk))) for component in version.components.all()]
    return _context(
        request, draft, receiving, "review", version=version, appointment=appointment, total=total,
        total_text=vnd(total), fees=[(fee, vnd(amount)) for fee, amount in lines],
        listed=[(c, item) for c, item in listed if item and item["received"]],
        not_received=[c for c, item in listed if not item or not item["received"]],
        applicant=draft["applicant"], masked_id=mask_id_number(draft["applicant"]["id_number"]), **extra,
    )


@desk_required
@require_GET
def review(request):
    draft, receiving = _draft(request)
    missing = _first_missing(draft, "review")
    if missing:
        return redirect(_url(missing))
    version = _version(draft, receiving)
    if version is None or draft.get("components") is None:
        drafts.save_draft(request.session, draft)
        return redirect(_url("components" if version else "procedure"))
    form = ReviewForm(initial={"token": draft["token"], "payment": draft.get("payment", "later")})
    refuse_form = RefuseForm(initial={"token": draft["token"]})
    return render(request, "workspace/intake/review.html",
                  _review_context(request, draft, receiving, version, form=form, refuse_form=refuse_form))


def _finish(request, form_class, run):
    """Shared by save and refuse: the token decides; a finished token shows its receipt again."""
    form = form_class(request.POST)
    token = request.POST.get("token", "")[:64]
    code = drafts.done_code(request.session, token)
    if code:
        return redirect(reverse("workspace:intake_receipt", args=[code]))
    draft, receiving = _draft(request)
    missing = _first_missing(draft, "review")
    version = None if missing else _version(draft, receiving)
    if version is None or draft.get("components") is None:
        return redirect(_url(missing or "procedure"))
    if not form.is_valid():
        return _review_again(request, draft, receiving, version, form)
    try:
        code, _created = run(draft, receiving, version, form.cleaned_data)
    except StaleDraft:
        return redirect(_url("review"))
    except (BadInput, Forbidden) as problem:
        errors = [f"{message}" for messages in (problem.errors or {}).values() for message in messages]
        return _review_again(request, draft, receiving, version, form, engine_errors=errors or [str(problem.detail)])
    return redirect(reverse("workspace:intake_receipt", args=[code]))


def _review_again(request, draft, receiving, version, form, engine_errors=()):
    forms = {"form": ReviewForm(initial={"token": draft["token"], "payment": draft.get("payment", "later")}),
             "refuse_form": RefuseForm(initial={"token": draft["token"]})}
    forms["refuse_form" if isinstance(form, RefuseForm) else "form"] = form
    return render(request, "workspace/intake/review.html",
                  _review_context(request, draft, receiving, version, engine_errors=engine_errors, **forms),
                  status=400)


@desk_required
@require_POST
def save(request):
    def run(draft, receiving, version, data):
        draft["payment"] = data["payment"]
        return receive_draft(request.session, request.user, data["token"], receiving, version,
                             pay_now=data["payment"] == "now")

    return _finish(request, ReviewForm, run)


@desk_required
@require_POST
def refuse(request):
    def run(draft, receiving, version, data):
        return refuse_draft(request.session, request.user, data["token"], receiving, version, data["reason"])

    return _finish(request, RefuseForm, run)


@desk_required
@require_POST
def cancel(request):
    drafts.discard_draft(request.session)
    return redirect(_url("procedure"))


# --- the receipt ----------------------------------------------------------------------------------------------------
@login_required
@require_GET
def receipt(request, code):
    if request.user.account_type != AccountType.STAFF and not request.user.is_superuser:
        raise Http404  # a staff page: applicants follow their dossiers on the portal
    dossier = (Dossier.objects.for_user(request.user).filter(code=code)
               .select_related("procedure_version", "receiving_agency", "handling_agency")
               .prefetch_related("fees", Prefetch("components", queryset=DossierComponent.objects
                                                  .select_related("file").order_by("order"))).first())
    if dossier is None:
        raise Http404
    return render(request, "workspace/intake/receipt.html", {
        "dossier": dossier, "refused": dossier.status == Status.REFUSED,
        "refusal": dossier.events.filter(action="refuse").first() if dossier.status == Status.REFUSED else None,
        "masked_id": mask_id_number(dossier.applicant_id_number), "fee_due": vnd(dossier.fee_due),
        "fee_paid": vnd(dossier.fee_paid), "fees": [(fee, vnd(fee.amount)) for fee in dossier.fees.all()],
        "receipt_pdf": f"/in/giay-tiep-nhan/{dossier.code}.pdf", "refusal_pdf": f"/in/phieu-tu-choi/{dossier.code}.pdf",
        "dossier_page": f"/can-bo/ho-so/{dossier.code}/",
    })
