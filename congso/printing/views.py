"""PDF downloads of the printed forms, for staff only (applicants get their documents through the portal).

Per-dossier forms: GET /in/<form slug>/<dossier code>.pdf, the dossier looked up through
`Dossier.objects.for_user` (someone else's dossier is a 404, as if it did not exist). The register:
GET /in/so-theo-doi.pdf?agency=<code>&from=<dd/mm/yyyy>&to=<dd/mm/yyyy>, for an agency the user may see.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from congso.accounts.models import AccountType
from congso.dossiers.models import Dossier
from congso.org.models import Agency
from congso.printing.choices import KIND_BY_SLUG, FormKind
from congso.printing.context import FormNotApplicable
from congso.printing.services import PDF_CONTENT_TYPE, filename_for, render_form

MAX_REGISTER_DAYS = 366
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def _require_staff(user) -> None:
    # A citizen or organisation account gets the same 404 as a missing page: no hint that the URL exists.
    if not (user.is_superuser or user.account_type == AccountType.STAFF):
        raise Http404


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # personal data
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _error(request, message: str, status: int) -> HttpResponse:
    html = render_to_string("printing/error.html", {"message": message, "status": status}, request=request)
    return HttpResponse(html, status=status)


@require_GET
@login_required
def dossier_form(request, slug: str, code: str):
    _require_staff(request.user)
    kind = KIND_BY_SLUG.get(slug)
    if kind is None or kind == FormKind.REGISTER:
        raise Http404
    dossier = get_object_or_404(Dossier.objects.for_user(request.user), code=code)
    number = request.GET.get("so", "").strip()
    if number and (not number.isdigit() or not 1 <= int(number) <= 1000):
        return _error(request, _("“so” must be the number of the supplement request or apology (1, 2, …)."), 400)
    try:
        pdf = render_form(kind, dossier, number=int(number) if number else None)
    except FormNotApplicable as exc:
        return _error(request, exc.message, 409)
    return _pdf_response(pdf, filename_for(kind, dossier))


def parse_day(value: str) -> dt.date | None:
    text = (value or "").strip()
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@require_GET
@login_required
def register(request):
    _require_staff(request.user)
    code = request.GET.get("agency", "").strip()
    if not code:
        return _error(request, _("Choose the agency whose register to print (agency=<code>)."), 400)
    start, end = parse_day(request.GET.get("from", "")), parse_day(request.GET.get("to", ""))
    if start is None or end is None:
        return _error(request, _("Give the period as dates in the form dd/mm/yyyy: from=01/10/2025&to=31/10/2025."),
                      400)
    if end < start:
        return _error(request, _("The end of the period is before its start."), 400)
    if (end - start).days >= MAX_REGISTER_DAYS:
        return _error(request, _("The period may be at most %(n)d days long.") % {"n": MAX_REGISTER_DAYS}, 400)
    agency = get_object_or_404(Agency.objects.for_user(request.user), code=code)
    try:
        pdf = render_form(FormKind.REGISTER, agency=agency, start=start, end=end, user=request.user)
    except FormNotApplicable as exc:
        return _error(request, exc.message, 409)
    return _pdf_response(pdf, filename_for(FormKind.REGISTER, agency=agency, start=start, end=end))
