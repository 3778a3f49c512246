"""Every API error has one shape: RFC 9457 problem details, served as application/problem+json.

    {"type": "urn:salescrm:problem:conflict", "title": "...", "status": 409, "detail": "...",
     "errors": {"field": ["message", ...]}, "current": {...}}

`errors` is there for 400/422 (per field, "__all__" for the whole request); `current` for 409 (the row
as it is now, as the screens show the other user's changes). The `type` URNs are listed in PROBLEM_TYPES
and in README's "REST API" section."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

PROBLEM_CONTENT_TYPE = "application/problem+json"

# status -> (type slug, title)
PROBLEM_TYPES: dict[int, tuple[str, Any]] = {
    400: ("bad-request", _("Bad request")),
    401: ("unauthorized", _("A valid API token is required")),
    403: ("forbidden", _("Not allowed with this token")),
    404: ("not-found", _("Not found")),
    405: ("method-not-allowed", _("Method not allowed")),
    409: ("conflict", _("Conflict")),
    422: ("invalid", _("The request has invalid values")),
    429: ("rate-limited", _("Too many requests")),
}


class ApiProblem(Exception):
    """Raise to answer with a problem: the status, a detail, field errors, the current row (409)."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        errors: dict[str, list[str]] | None = None,
        current: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = str(detail)
        self.errors = errors
        self.current = current
        self.headers = headers or {}


def problem_response(
    status: int,
    detail: str = "",
    *,
    errors: dict[str, list[str]] | None = None,
    current: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    slug, title = PROBLEM_TYPES.get(status, ("error", _("Error")))
    body: dict[str, Any] = {
        "type": f"urn:salescrm:problem:{slug}",
        "title": str(title),
        "status": status,
        "detail": str(detail),
    }
    if errors is not None:
        body["errors"] = errors
    if current is not None:
        body["current"] = current
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def form_errors(form) -> dict[str, list[str]]:
    """A Django form's errors as the problem's `errors` (non-field errors under "__all__")."""
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


def _pydantic_errors(exc: NinjaValidationError) -> dict[str, list[str]]:
    """Pydantic's errors by the parameter or body field they are about."""
    out: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "amount") -> "amount"; ("query", "limit") -> "limit"
        name = ".".join(loc[2:] if len(loc) > 2 and loc[0] == "body" else loc[1:]) or "__all__"
        out.setdefault(name, []).append(str(error.get("msg", "")))
    return out


def install_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default error bodies with problem details."""

    def handle(exc_class, to_response) -> None:
        api.add_exception_handler(exc_class, lambda request, exc: to_response(request, exc))

    handle(
        ApiProblem,
        lambda r, e: problem_response(
            e.status, e.detail, errors=e.errors, current=e.current, headers=e.headers
        ),
    )
    handle(
        AuthenticationError,
        lambda r, e: problem_response(
            401,
            str(_("Send a personal API token: Authorization: Bearer <token>.")),
            headers={"WWW-Authenticate": 'Bearer realm="salescrm"'},
        ),
    )
    handle(
        NinjaValidationError,
        lambda r, e: problem_response(422, str(_("See errors.")), errors=_pydantic_errors(e)),
    )
    handle(Http404, lambda r, e: problem_response(404))
    handle(PermissionDenied, lambda r, e: problem_response(403))
    handle(BadRequest, lambda r, e: problem_response(400, str(e)))
    handle(
        DjangoValidationError,
        lambda r, e: problem_response(
            422,
            str(_("See errors.")),
            errors=e.message_dict if hasattr(e, "error_dict") else {"__all__": list(e.messages)},
        ),
    )
    handle(HttpError, lambda r, e: problem_response(e.status_code, str(e)))


def not_found_problem(request: HttpRequest) -> HttpResponse:
    return problem_response(404)
