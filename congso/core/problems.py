"""RFC 7807 problem+json errors with stable codes for the whole API.

Every API error carries `type`, `title`, `status`, `detail`, a stable `code` clients can branch on, the request id,
and for validation errors the field messages under `errors`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from congso.core.middleware import current_request_id

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://congso.local/problems/"

# DRF's own exception classes mapped to congso's stable codes.
_CODES = {
    exceptions.ValidationError: "validation_error",
    exceptions.ParseError: "validation_error",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "not_authenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


class Problem(exceptions.APIException):
    """A domain error with a stable code, e.g. `Problem("conflict", 412, "…")`."""

    def __init__(self, code: str, status_code: int = 400, detail=None, errors: dict | None = None):
        self.status_code = status_code
        self.problem_code = code
        self.errors = errors
        super().__init__(detail=detail or code, code=code)


def problem_body(code: str, status_code: int, title, detail, errors=None) -> dict:
    body = {
        "type": TYPE_BASE + code,
        "title": str(title),
        "status": status_code,
        "detail": str(detail),
        "code": code,
        "request_id": current_request_id(),
    }
    if errors:
        body["errors"] = errors
    return body


def _titles() -> dict:
    return {
        "validation_error": _("Invalid input"),
        "not_authenticated": _("Authentication required"),
        "forbidden": _("Forbidden"),
        "not_found": _("Not found"),
        "method_not_allowed": _("Method not allowed"),
        "not_acceptable": _("Not acceptable"),
        "unsupported_media_type": _("Unsupported media type"),
        "throttled": _("Too many requests"),
        "conflict": _("Conflict"),
        "precondition_required": _("Precondition required"),
        "invalid_transition": _("Action not allowed now"),
        "file_integrity": _("File damaged"),
    }


def problem_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, Problem):
        code, errors = exc.problem_code, exc.errors
        detail = exc.detail
    else:
        code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "error")
        errors = None
        detail = getattr(exc, "detail", "")
        if isinstance(exc, exceptions.ValidationError):
            errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            detail = _("The request has invalid fields; see errors.")
    title = _titles().get(code, _("Error"))
    body = problem_body(code, response.status_code, title, detail, errors)
    headers = {k: v for k, v in response.items() if k.lower() in ("www-authenticate", "retry-after", "allow")}
    new = Response(body, status=response.status_code, headers=headers)
    new.content_type = PROBLEM_CONTENT_TYPE
    return new


def problem_response(code: str, status_code: int, detail, errors=None) -> JsonResponse:
    """A problem+json response for plain Django views (outside DRF)."""
    title = _titles().get(code, _("Error"))
    return JsonResponse(
        problem_body(code, status_code, title, detail, errors),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


__all__ = ["Problem", "problem_exception_handler", "problem_response", "status"]
