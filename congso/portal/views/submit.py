"""Online submission: choose the agency, fill in the form (prefilled from the profile), attach or reuse papers,
save as a draft or submit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from congso.core.problems import Problem
from congso.core.text import fold
from congso.portal.forms import ApplicantForm
from congso.portal.models import Draft, DraftFile
from congso.portal.services import submission
from congso.portal.views.common import download
from congso.portal.views.public import _version_or_404

MAX_FILES = 50


def _component_inputs(request, version) -> tuple[dict, set, dict]:
    uploads, remove, reuse = {}, set(), {}
    for component in version.components.all():
        upload = request.FILES.get(f"component-{component.pk}")
        if upload:
            uploads[component.pk] = upload
        if request.POST.get(f"remove-{component.pk}"):
            remove.add(component.pk)
        raw = request.POST.get(f"reuse-{component.pk}", "")
        reuse[component.pk] = int(raw) if raw.isdigit() else None
    return uploads, remove, reuse


def _suggested_component(version, document) -> int | None:
    """The component a document from the data store most likely is (its type named in the component's name)."""
    wanted = fold(document.document_type or document.title)
    for component in version.components.all():
        name = fold(component.name)
        if wanted and (wanted in name or name in wanted):
            return component.pk
    return None


def _render_form(request, *, version, implementation, form, draft=None, reuse=None, status=200):
    documents = list(submission.reusable_documents(request.user)[:200])
    draft_files = {f.component_id: f for f in draft.files.all()} if draft else {}
    reuse = reuse if reuse is not None else {int(k): v for k, v in ((draft.data.get("reuse") or {}) if draft
                                                                     else {}).items()}
    rows = []
    for component in version.components.all():
        rows.append({"component": component, "draft_file": draft_files.get(component.pk),
                     "reuse": reuse.get(component.pk), "error": form.errors.get(f"component-{component.pk}")})
    fees = [(fee, submission.online_fee(fee)) for fee in version.fees.all()]
    context = {"version": version, "implementation": implementation, "form": form, "draft": draft, "rows": rows,
               "documents": documents, "fees": fees, "fee_total": sum(a or 0 for _f, a in fees),
               "duration": version.duration_for("online")}
    return render(request, "portal/submit.html", context, status=status)


def _apply_errors(form, problem: Problem) -> None:
    """Engine errors next to the fields they name: applicant fields, the component rows, or the whole form."""
    errors = getattr(problem, "errors", None) or {}
    if not errors:
        form.add_error(None, str(problem.detail))
    for field, field_messages in errors.items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
        elif field.startswith("component-"):
            form.errors[field] = form.error_class(field_messages)
        else:
            for message in field_messages:
                form.add_error(None, message)


def _save_and_maybe_submit(request, *, version, implementation, draft):
    form = ApplicantForm(request.POST)
    uploads, remove, reuse = _component_inputs(request, version)
    submitting = "submit" in request.POST
    if len(uploads) > MAX_FILES:
        form.add_error(None, _("Too many files."))
    valid = form.is_valid()
    if submitting and valid and not form.cleaned_data.get("declaration"):
        form.add_error("declaration", _("Confirm the declaration to submit."))
        valid = False
    if not valid:
        return _render_form(request, version=version, implementation=implementation, form=form, draft=draft,
                            reuse=reuse, status=400)
    try:
        draft = submission.save_draft(request.user, implementation=implementation, data=form.cleaned_data,
                                      uploads=uploads, remove=remove, reuse=reuse, draft=draft)
    except Problem as problem:
        _apply_errors(form, problem)
        return _render_form(request, version=version, implementation=implementation, form=form, draft=draft,
                            reuse=reuse, status=400)
    if not submitting:
        messages.success(request, _("Your draft was saved. You can finish it later under “My dossiers”."))
        return redirect("portal:draft", pk=draft.pk)
    try:
        dossier = submission.submit_draft(request.user, draft)
    except Problem as problem:
        _apply_errors(form, problem)
        return _render_form(request, version=version, implementation=implementation, form=form, draft=draft,
                            status=400)
    messages.success(request, _("Your dossier was submitted. Its code is %(code)s.") % {"code": dossier.code})
    return redirect("portal:dossier", code=dossier.code)


@login_required
@require_http_methods(["GET", "POST"])
def start(request, code: str):
    version = _version_or_404(code)
    if not submission.may_submit_online(request.user):
        return render(request, "portal/submit_staff.html", {"version": version}, status=403)
    implementations = list(submission.online_implementations(version))
    if not implementations:
        return render(request, "portal/submit_not_online.html", {"version": version}, status=404)
    chosen = request.POST.get("agency") or request.GET.get("co-quan", "")
    if len(implementations) == 1:
        implementation = implementations[0]
    else:
        implementation = next((i for i in implementations if i.agency.code == chosen), None)
        if implementation is None:
            return render(request, "portal/submit_agency.html",
                          {"version": version, "implementations": implementations,
                           "reuse_document": request.GET.get("dung", "")[:12]})
    if request.method == "POST":
        return _save_and_maybe_submit(request, version=version, implementation=implementation, draft=None)
    reuse = {}
    document_id = request.GET.get("dung", "")
    if document_id.isdigit():
        document = submission.reusable_documents(request.user).filter(pk=int(document_id)).first()
        target = _suggested_component(version, document) if document else None
        if target:
            reuse[target] = document.pk
    form = ApplicantForm(initial=submission.prefill(request.user))
    return _render_form(request, version=version, implementation=implementation, form=form, reuse=reuse)


def _own_draft(request, pk: int) -> Draft:
    return get_object_or_404(Draft.objects.select_related("procedure", "agency"), pk=pk, owner=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def draft(request, pk: int):
    draft_row = _own_draft(request, pk)
    version = draft_row.procedure.current_version
    if version is None:
        raise Http404
    implementation = submission.online_implementations(version).filter(agency=draft_row.agency).first()
    if implementation is None:
        messages.error(request, _("This agency no longer takes this procedure online. Delete the draft."))
        return redirect("portal:my-dossiers")
    if request.method == "POST":
        return _save_and_maybe_submit(request, version=version, implementation=implementation, draft=draft_row)
    initial = {key: draft_row.data.get(key, "") for key in submission.APPLICANT_FIELDS}
    form = ApplicantForm(initial=initial)
    return _render_form(request, version=version, implementation=implementation, form=form, draft=draft_row)


@login_required
@require_POST
def delete_draft(request, pk: int):
    submission.delete_draft(request.user, _own_draft(request, pk))
    messages.success(request, _("The draft was deleted."))
    return redirect("portal:my-dossiers")


@login_required
def draft_file(request, pk: int, file_id: int):
    record = get_object_or_404(DraftFile, pk=file_id, draft=_own_draft(request, pk))
    return download(record.file, record.original_name, record.content_type)
