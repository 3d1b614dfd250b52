"""Turning a notification and its wording (MessageTemplate) into the subject, plain text and HTML to send.

Message templates are data edited in the admin, so they run in a separate template engine: Django's built-in tags
and filters plus `local_date` / `local_datetime`, no loaders (no `{% include %}` or `{% extends %}` of files).
The plain-text part is rendered without escaping; the HTML part is rendered from the same body WITH escaping (so
text typed by applicants or officers, e.g. a reason, can never inject markup), then split into paragraphs with
clickable links and put into the layout `notifications/email.html`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from congso.notifications.models import MessageTemplate
from congso.notifications.templatefilters import parse_moment

ENGINE = Engine(loaders=[], builtins=["congso.notifications.templatefilters"], string_if_invalid="",
                autoescape=True)


class RenderError(Exception):
    """The notification cannot be rendered (no wording for it, or a broken template)."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    template: MessageTemplate


def check_syntax(source: str) -> str:
    """'' when `source` compiles and renders in the message engine, else the error (for the admin form)."""
    try:
        ENGINE.from_string(source or "").render(Context({}, autoescape=True))
    except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
        return _("Template error: %(error)s") % {"error": exc}
    return ""


def find_template(key: str, channel: str, language: str, at) -> MessageTemplate | None:
    """The newest active version of the wording valid at `at`, in `language`, else in the default language."""
    candidates = MessageTemplate.objects.filter(key=key, channel=channel, active=True, valid_from__lte=at)
    for lang in dict.fromkeys([language, settings.LANGUAGE_CODE, "vi"]):
        found = candidates.filter(language=lang).order_by("-valid_from", "-pk").first()
        if found is not None:
            return found
    return None


def render(notification) -> Rendered:
    at = notification.created_at or timezone.now()
    wording = find_template(notification.template, notification.channel, notification.language, at)
    if wording is None:
        raise RenderError(f"no active template {notification.template!r} for channel {notification.channel!r} "
                          f"valid at {at.isoformat()}")
    return render_with(wording, notification.context or {}, language=wording.language)


def render_with(wording: MessageTemplate, context: dict, *, language: str = "vi") -> Rendered:
    values = {key: _revive(value) for key, value in (context or {}).items()}
    values.setdefault("site_url", settings.SITE_URL)
    try:
        subject_template = ENGINE.from_string(wording.subject or "")
        body_template = ENGINE.from_string(wording.body or "")
        with translation.override(language), timezone.override(settings.TIME_ZONE):
            subject = " ".join(subject_template.render(Context(values, autoescape=False)).split())
            text = _tidy(body_template.render(Context(values, autoescape=False)))
            escaped = _tidy(body_template.render(Context(values, autoescape=True)))
    except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
        raise RenderError(f"template {wording.key!r} (#{wording.pk}) cannot be rendered: {exc}") from exc
    with translation.override(language):
        html = render_to_string("notifications/email.html", {
            "subject": subject, "body": _paragraphs(escaped), "language": language,
        })
    return Rendered(subject=subject[:255], text=text, html=html, template=wording)


def _revive(value):
    """ISO date strings from the stored JSON context back to dates, so `{{ x|date:"d/m/Y" }}` also works."""
    if isinstance(value, str):
        return parse_moment(value)
    if isinstance(value, list):
        return [_revive(v) for v in value]
    if isinstance(value, dict):
        return {k: _revive(v) for k, v in value.items()}
    return value


def _tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row (template tags leave empty lines behind)."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _paragraphs(escaped: str) -> SafeString:
    """Already-escaped text → <p> per paragraph, <br> per line, links made clickable."""
    blocks = [block for block in re.split(r"\n\s*\n", escaped.strip()) if block.strip()]
    html = []
    for block in blocks:
        linked = urlize(mark_safe(block), nofollow=True, autoescape=False)  # noqa: S308 - input escaped above
        html.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return mark_safe("\n".join(html))  # noqa: S308 - built from escaped text only
