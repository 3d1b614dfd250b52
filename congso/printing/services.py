"""Printing a form: pick the template version in force, fill it from the dossier, render the PDF.

Other apps call `render_form` (bytes) or `form_attachment` (file name, bytes, content type) — e.g. to attach a
receipt to an e-mail. Nothing here changes the database.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.dossiers.models import Dossier
from congso.printing import context as contexts
from congso.printing.choices import FORM_SLUGS, FormKind
from congso.printing.context import FormData, FormNotApplicable
from congso.printing.engine import render_body
from congso.printing.models import FormTemplate
from congso.printing.pdf import document, qr_svg, write_pdf

PDF_CONTENT_TYPE = "application/pdf"


class NoTemplate(FormNotApplicable):
    """No published version of the form exists (the seed migration was reverted, or every version withdrawn)."""


def template_for(kind: str, at: dt.datetime) -> FormTemplate:
    found = FormTemplate.objects.in_force(kind, at)
    if found is None:
        raise NoTemplate(_("There is no published template for this form."))
    return found


def build(kind: str, dossier: Dossier | None = None, *, printed_at: dt.datetime | None = None, **extra) -> FormData:
    printed_at = printed_at or timezone.now()
    if kind == FormKind.REGISTER:
        dossiers = extra.get("dossiers")
        if dossiers is None:
            dossiers = Dossier.objects.for_user(extra["user"]) if extra.get("user") else Dossier.objects.all()
        return contexts.register(extra["agency"], extra["start"], extra["end"], dossiers, printed_at)
    if dossier is None:
        raise FormNotApplicable(_("This form is printed for a dossier."))
    return contexts.for_dossier(kind, dossier, printed_at, number=extra.get("number"))


def render_html(kind: str, dossier: Dossier | None = None, *, template: FormTemplate | None = None,
                printed_at: dt.datetime | None = None, **extra) -> str:
    """The complete HTML document of the form (what WeasyPrint turns into the PDF)."""
    data = build(kind, dossier, printed_at=printed_at, **extra)
    template = template or template_for(kind, data.instant)
    values = dict(data.context)
    values["title"] = template.title
    values["form"] = {**values["form"], "title": template.title, "template_id": template.pk}
    values["qr"] = qr_svg(contexts.tracking_url(data.dossier_code)) if data.dossier_code else ""
    body = render_body(template.body, values, time_zone=settings.TIME_ZONE)
    return document(body, title=template.title, css=template.css, paper_size=template.paper_size,
                    orientation=template.orientation)


def render_form(kind: str, dossier: Dossier | None = None, **extra) -> bytes:
    """The PDF of form `kind` for `dossier` (or, for the register, `agency`, `start`, `end` and optionally `user`
    to scope the dossiers listed). Raises FormNotApplicable when the form does not apply to the dossier."""
    return write_pdf(render_html(kind, dossier, **extra))


def filename_for(kind: str, dossier: Dossier | None = None, *, start: dt.date | None = None,
                 end: dt.date | None = None, agency=None) -> str:
    slug = FORM_SLUGS[kind]
    if kind == FormKind.REGISTER:
        return f"{slug}-{agency.code if agency else ''}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
    return f"{slug}-{dossier.code}.pdf"


def form_attachment(kind: str, dossier: Dossier | None = None, **extra) -> tuple[str, bytes, str]:
    """(file name, PDF bytes, content type), ready for EmailMessage.attach(*form_attachment(...))."""
    pdf = render_form(kind, dossier, **extra)
    name = filename_for(kind, dossier, start=extra.get("start"), end=extra.get("end"), agency=extra.get("agency"))
    return name, pdf, PDF_CONTENT_TYPE
