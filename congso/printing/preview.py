"""A PDF of any template version (draft included) filled with the sample context, for the admin's preview."""

from __future__ import annotations

from django.conf import settings

from congso.printing.context import sample_context, tracking_url
from congso.printing.engine import render_body
from congso.printing.pdf import document, qr_svg, write_pdf


def preview_pdf(template) -> bytes:
    values = sample_context(template.kind)
    values["title"] = template.title
    values["form"] = {**values["form"], "title": template.title, "template_id": template.pk}
    if template.kind != "register":
        values["qr"] = qr_svg(tracking_url(values["dossier"]["code"]))
    body = render_body(template.body, values, time_zone=settings.TIME_ZONE)
    return write_pdf(document(body, title=template.title, css=template.css, paper_size=template.paper_size,
                              orientation=template.orientation))
