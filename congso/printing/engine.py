"""The sandboxed template engine of the printed forms, and the check run before a template is saved.

A form template is data (FormTemplate.body and .css, edited in the admin), so it runs in an engine of its own: no
loaders, no libraries to `{% load %}`, only the tags and filters of `templatelibrary`, HTML escaping on. The context
it gets is built by `context.py` from plain values (strings, numbers, dates, lists and dicts), never model
instances, so a template cannot call methods on the database rows behind a form.
"""

from __future__ import annotations

from functools import lru_cache

from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.template.base import VariableDoesNotExist
from django.utils import timezone, translation
from django.utils.translation import gettext as _


class SandboxEngine(Engine):
    # Not even Django's default tags and filters: templatelibrary gives the safe subset of them.
    default_builtins = []


ENGINE = SandboxEngine(loaders=[], libraries={}, builtins=["congso.printing.templatelibrary"], autoescape=True,
                       string_if_invalid="")

# CSS goes inside a <style> element: these would end it early or pull in outside files.
FORBIDDEN_IN_CSS = ("</style", "<", "@import")


@lru_cache(maxsize=64)
def compile_body(source: str):
    # Keyed by the source itself: an edited version is a new string, so a stale compiled template is never used.
    # Compiled templates are safe to share between threads (per-render state lives in the context).
    return ENGINE.from_string(source or "")


def render_body(source: str, context: dict, *, time_zone: str) -> str:
    with translation.override("vi"), timezone.override(time_zone):
        return compile_body(source).render(Context(context, autoescape=True))


def template_errors(body: str, css: str, sample_context: dict, *, time_zone: str) -> dict[str, str]:
    """Field → message for a template that cannot be used: it must compile, render with a sample context, and its
    CSS must stay inside its style element. Empty when the template is fine."""
    errors = {}
    if not (body or "").strip():
        errors["body"] = _("The form body is empty.")
    else:
        try:
            render_body(body, sample_context, time_zone=time_zone)
        except TemplateSyntaxError as exc:
            errors["body"] = _("The template does not compile: %(error)s") % {"error": exc}
        except (TemplateDoesNotExist, VariableDoesNotExist) as exc:
            errors["body"] = _("The template cannot be rendered: %(error)s") % {"error": exc}
        except Exception as exc:  # noqa: BLE001 - any failure in a filter is an error in the template
            errors["body"] = _("The template cannot be rendered: %(error)s") % {"error": exc}
    lowered = (css or "").lower()
    for marker in FORBIDDEN_IN_CSS:
        if marker in lowered:
            errors["css"] = _("The CSS may not contain “%(text)s”.") % {"text": marker}
            break
    return errors
