"""Helpers shared by the portal's views."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from congso.core.problems import Problem


def template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def problem_errors(problem: Problem) -> list[str]:
    """The messages of an engine error, for a form's non-field error list."""
    errors = getattr(problem, "errors", None) or {}
    messages = [message for values in errors.values() for message in values]
    return messages or [str(problem.detail)]


def add_problem_to_form(form, problem: Problem) -> None:
    """Put an engine error next to the form's fields it names (or on the whole form)."""
    errors = getattr(problem, "errors", None) or {}
    if not errors:
        form.add_error(None, str(problem.detail))
        return
    for field, messages in errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def download(stored_file, filename: str, content_type: str):
    """An attachment download of a stored file; a file missing from storage is a 404, not a 500."""
    try:
        handle = stored_file.open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
