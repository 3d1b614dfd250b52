"""The public verification page (/xac-thuc/, no login) and the staff's signing and download endpoints."""

from __future__ import annotations

import hashlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from congso.accounts.models import AccountType
from congso.core.problems import Problem
from congso.core.uploads import check_upload
from congso.dossiers.files import read_upload
from congso.dossiers.models import Dossier
from congso.signing import ratelimit
from congso.signing.certificates import roots_pem
from congso.signing.forms import IssueForm, LookupForm, VerifyForm
from congso.signing.models import IssuedDocument
from congso.signing.services import issue_e_result, visible_dossier
from congso.signing.verification import verify_pdf

MAX_TOKEN = 43
log = logging.getLogger(__name__)


def _issued(token: str) -> IssuedDocument | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    return IssuedDocument.objects.select_related("agency", "dossier", "certificate").filter(token=token).first()


def _not_found(request):
    return render(request, "signing/not_found.html", status=404)


def _verify_upload(request, record: IssuedDocument | None):
    """Handle the upload form: (status, context) for the page."""
    form = VerifyForm(request.POST, request.FILES)
    context = {"form": form, "record": record, "lookup": LookupForm()}
    if not ratelimit.allow(request):
        limit, window = ratelimit.limits()
        context["limited"] = _("You have checked too many files. Try again in %(minutes)d minutes.") % {
            "minutes": max(1, window // 60)}
        return 429, context
    if not form.is_valid():
        return 400, context
    content, name = read_upload(form.cleaned_data["file"])
    try:
        checked = check_upload(content, name)
    except ValidationError as exc:
        form.add_error("file", exc)
        return 400, context
    if checked.content_type != "application/pdf":
        form.add_error("file", _("Only PDF files can be checked: an electronic result is a PDF."))
        return 400, context
    report = verify_pdf(checked.content)
    context["report"] = report
    if record is not None:
        context["matches_record"] = report.sha256 == record.sha256
    return 200, context


@require_http_methods(["GET", "POST"])
def home(request):
    """The verification page: look a document up by its code, or upload a PDF to check it."""
    if request.method == "POST":
        record = _issued(request.POST.get("token", ""))
        status, context = _verify_upload(request, record)
        return render(request, "signing/verify.html", context, status=status)
    lookup = LookupForm(request.GET or None)
    if request.GET and lookup.is_valid():
        return redirect("signing:record", token=lookup.cleaned_data["ma"])
    return render(request, "signing/verify.html", {"form": VerifyForm(), "lookup": lookup},
                  status=400 if request.GET and not lookup.is_valid() else 200)


@require_http_methods(["GET", "POST"])
def record(request, token: str):
    """What congso recorded when it issued the document with this code; no personal data beyond the document's."""
    issued = _issued(token)
    if issued is None:
        return _not_found(request)
    if request.method == "POST":
        status, context = _verify_upload(request, issued)
        return render(request, "signing/record.html", context, status=status)
    return render(request, "signing/record.html", {"record": issued, "form": VerifyForm(initial={"token": token})})


@require_GET
def roots(request):
    """The CA certificates congso trusts, as PEM, for people who want to trust them in their own reader."""
    body = roots_pem()
    if not body:
        return _not_found(request)
    response = HttpResponse(body, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="congso-ca.pem"'
    return response


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _problem_text(problem: Problem) -> str:
    parts = [str(problem.detail)]
    for messages_ in (problem.errors or {}).values():
        parts.extend(str(m) for m in messages_)
    return " ".join(parts)


@login_required
@require_http_methods(["GET", "POST"])
def issue(request, code: str):
    """Sign an uploaded PDF and issue it as the dossier's electronic result (staff of the handling agency)."""
    if request.user.account_type != AccountType.STAFF and not request.user.is_superuser:
        raise Http404
    try:
        dossier = visible_dossier(code, request.user)
    except Problem:
        raise Http404 from None
    here = reverse("signing:issue", kwargs={"code": dossier.code})
    if request.method == "GET":
        return render(request, "signing/issue.html", {"dossier": dossier, "form": IssueForm(
            initial={"next": _back(request, "")})})
    form = IssueForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return redirect(_back(request, here))
    content, name = read_upload(form.cleaned_data["file"])
    try:
        issued = issue_e_result(dossier, request.user, content, name=form.cleaned_data["name"],
                                number=form.cleaned_data["number"],
                                catalog_result_id=form.cleaned_data.get("catalog_result_id"), file_name=name)
    except Problem as problem:
        if problem.status_code == 404:
            raise Http404 from None
        messages.error(request, _problem_text(problem))
        return redirect(_back(request, here))
    if issued.created:
        messages.success(request, _("The signed result “%(name)s” was issued for dossier %(code)s.")
                         % {"name": issued.name, "code": dossier.code})
    else:
        messages.info(request, _("This PDF was already issued for dossier %(code)s.") % {"code": dossier.code})
    return redirect(_back(request, reverse("signing:record", kwargs={"token": issued.token})))


@login_required
@require_GET
def download(request, token: str):
    """The signed file, for staff who may see the dossier and for the applicant who owns it; others get 404."""
    from congso.privacy.choices import AccessAction, AccessChannel
    from congso.privacy.services import log_access

    issued = _issued(token)
    if issued is None or not Dossier.objects.for_user(request.user).filter(pk=issued.dossier_id).exists():
        raise Http404
    stored = issued.file
    try:
        with stored.file.open("rb") as handle:
            content = handle.read()
    except (OSError, ValueError):
        raise Http404 from None
    if hashlib.sha256(content).hexdigest() != issued.sha256:
        # Never hand out a file that is not the one signed and recorded.
        log.error("issued document %s: the stored file does not match its SHA-256", issued.pk)
        return HttpResponse(_("The stored file is damaged; the administrator has been told."), status=500,
                            content_type="text/plain; charset=utf-8")
    log_access(request.user, AccessAction.DOWNLOAD, dossier=issued.dossier, channel=AccessChannel.UI,
               request=request, details={"issued_document": issued.pk})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{issued.dossier.code}-{issued.pk}.pdf"'
    return response
