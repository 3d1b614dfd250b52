"""My dossiers (hồ sơ của tôi): the applicant's own dossiers, their history in plain words and what they can do."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from congso.core.problems import Problem
from congso.datastore.services import reuse_in_dossier
from congso.dossiers.choices import Action, Status
from congso.dossiers.files import check
from congso.dossiers.models import Dossier, DossierFile
from congso.dossiers.services.actions import perform
from congso.portal import plainwords
from congso.portal.forms import RatingForm, SupplyForm, WithdrawForm
from congso.portal.models import Draft, ServiceRating
from congso.portal.services import ratings
from congso.portal.services.submission import reusable_documents
from congso.portal.views.common import add_problem_to_form, download, template_exists

MAX_SUPPLY_FILES = 20
WITHDRAWABLE = {Status.NEW, Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED,
                Status.FINANCIAL_OBLIGATION}


def own_dossiers(user):
    """The user's own dossiers: scoped by the engine's `for_user` and, for a person who is also staff, to the
    dossiers they applied for."""
    return Dossier.objects.for_user(user).filter(applicant=user)


def own_dossier_or_404(user, code: str, *, for_update: bool = False) -> Dossier:
    return get_object_or_404(own_dossiers(user).select_related("procedure_version", "handling_agency",
                                                               "receiving_agency"), code=code)


@login_required
def my_dossiers(request):
    dossiers = own_dossiers(request.user).select_related("procedure_version", "handling_agency").order_by(
        "-submitted_at", "-id")
    page = Paginator(dossiers, 20).get_page(request.GET.get("page"))
    for dossier in page.object_list:
        dossier.status_words = plainwords.status_words(dossier.status)
        dossier.appointment = plainwords.appointment_of(dossier)
    drafts = Draft.objects.filter(owner=request.user).select_related("procedure", "agency")
    return render(request, "portal/my_dossiers.html", {"page": page, "drafts": drafts})


@login_required
def dossier_detail(request, code: str):
    dossier = own_dossier_or_404(request.user, code)
    events = dossier.events.order_by("seq").only("action", "at", "reason", "data")
    files = {f.pk: f for f in DossierFile.objects.filter(dossier=dossier)}
    components = list(dossier.components.order_by("order", "id"))
    results = list(dossier.results.order_by("id"))
    rating = ServiceRating.objects.filter(dossier=dossier).first()
    open_request = dossier.supplement_requests.filter(supplied_at__isnull=True).order_by("-number").first()
    context = {
        "dossier": dossier, "timeline": plainwords.timeline(events),
        "status_words": plainwords.status_words(dossier.status), "next_step": plainwords.next_step(dossier.status),
        "appointment": plainwords.appointment_of(dossier), "extensions": list(dossier.extensions.all()),
        "components": [(c, files.get(c.file_id)) for c in components], "results": results,
        "result_files": {r.pk: files.get(r.file_id) for r in results},
        "fees": list(dossier.fees.all()), "open_request": open_request,
        "may_supply": dossier.status == Status.SUPPLEMENT_REQUESTED and open_request is not None,
        "may_withdraw": dossier.status in WITHDRAWABLE,
        "may_rate": ratings.may_rate(dossier, request.user) and rating is None, "rating": rating,
        "rating_form": RatingForm(), "pay_button": template_exists("payments/_pay_button.html"),
        "owes": dossier.fee_due > dossier.fee_paid,
    }
    return render(request, "portal/dossier_detail.html", context)


@login_required
def dossier_file(request, code: str, file_id: int):
    dossier = own_dossier_or_404(request.user, code)
    record = get_object_or_404(DossierFile, pk=file_id, dossier=dossier)
    return download(record.file, record.original_name, record.content_type)


def _check_supply(form, uploads, chosen: set, mine: set) -> list:
    """Every file through the upload validator before anything is written; errors go on the form."""
    if len(uploads) > MAX_SUPPLY_FILES:
        form.add_error(None, _("Attach at most %(n)d files at a time.") % {"n": MAX_SUPPLY_FILES})
    elif not uploads and not chosen:
        form.add_error(None, _("Attach the requested papers or choose them from your data store."))
    elif chosen - mine:
        form.add_error(None, _("Choose a document of your own data store."))
    checked = []
    for upload in uploads[:MAX_SUPPLY_FILES]:
        try:
            checked.append(check(upload))
        except ValidationError as exc:
            form.add_error(None, f"{upload.name[:100]}: {exc.messages[0]}")
    return checked


@login_required
@require_http_methods(["GET", "POST"])
def supply(request, code: str):
    dossier = own_dossier_or_404(request.user, code)
    request_row = dossier.supplement_requests.filter(supplied_at__isnull=True).order_by("-number").first()
    if dossier.status != Status.SUPPLEMENT_REQUESTED or request_row is None:
        messages.info(request, _("This dossier is not waiting for a supplement."))
        return redirect("portal:dossier", code=dossier.code)
    form = SupplyForm(request.POST if request.method == "POST" else None)
    documents = list(reusable_documents(request.user)[:100])
    if request.method == "POST" and form.is_valid():
        uploads = [f for f in request.FILES.getlist("files") if f]
        chosen = {int(v) for v in request.POST.getlist("documents") if v.isdigit()}
        checked = _check_supply(form, uploads, chosen, {d.pk for d in documents})
        if not form.errors:
            try:
                with transaction.atomic():
                    for document_id in sorted(chosen):
                        reuse_in_dossier(document_id, dossier, None, request.user)
                    version = Dossier.objects.values_list("version", flat=True).get(pk=dossier.pk)
                    perform(dossier, Action.SUPPLY, request.user, expected_version=version,
                            reason=form.cleaned_data["note"], files=checked)
            except Problem as problem:
                add_problem_to_form(form, problem)
            else:
                messages.success(request, _("Your papers were sent to the agency."))
                return redirect("portal:dossier", code=dossier.code)
    return render(request, "portal/supply.html", {"dossier": dossier, "request_row": request_row, "form": form,
                                                   "documents": documents})


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, code: str):
    dossier = own_dossier_or_404(request.user, code)
    if dossier.status not in WITHDRAWABLE:
        messages.info(request, _("This dossier can no longer be withdrawn."))
        return redirect("portal:dossier", code=dossier.code)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            perform(dossier, Action.WITHDRAW, request.user, expected_version=_version_from(request, dossier),
                    reason=form.cleaned_data["reason"])
        except Problem as problem:
            add_problem_to_form(form, problem)
        else:
            messages.success(request, _("Your dossier was withdrawn."))
            return redirect("portal:dossier", code=dossier.code)
    return render(request, "portal/withdraw.html", {"dossier": dossier, "form": form})


def _version_from(request, dossier) -> int:
    """The dossier version the page showed: a change in between (the agency acted) is a conflict, not a surprise."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else dossier.version


@login_required
@require_POST
def rate(request, code: str):
    dossier = own_dossier_or_404(request.user, code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose satisfied or not satisfied."))
        return redirect("portal:dossier", code=dossier.code)
    try:
        ratings.rate(dossier, request.user, satisfied=form.cleaned_data["satisfied"],
                     comment=form.cleaned_data["comment"])
    except Problem as problem:
        messages.error(request, str(problem.detail))
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("portal:dossier", code=dossier.code)


