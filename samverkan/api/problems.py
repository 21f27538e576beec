"""Every error of the API as an RFC 9457 problem: `application/problem+json`, in one place.

A problem has `type`, `title`, `status` and `detail`, and, when the request had something wrong
with it, `errors`: one `{"pointer": "#/field", "detail": "..."}` per problem, as in the RFC's
example of an extension member, so a partner system can show its user which field to correct.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from samverkan.core.errors import Forbidden, NotFound, RateLimited, SamverkanError

PROBLEM = "application/problem+json"
TYPES = {
    400: "urn:samverkan:problem:invalid",
    401: "urn:samverkan:problem:unauthenticated",
    403: "urn:samverkan:problem:forbidden",
    404: "urn:samverkan:problem:not-found",
    409: "urn:samverkan:problem:conflict",
    422: "urn:samverkan:problem:rule",
    429: "urn:samverkan:problem:rate-limited",
}


class Conflict(exceptions.APIException):
    """The same `ref` with other content: the record stays as it is."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class RuleBroken(exceptions.APIException):
    """A domain rule of the services (a district of another partnership, an expired code)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "rule"

    def __init__(
        self, detail: str, pointer: str | None = None, errors: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(detail)
        self.errors = errors or ([{"pointer": pointer, "detail": detail}] if pointer else [])


def from_domain(error: SamverkanError, pointer: str | None = None) -> exceptions.APIException:
    if isinstance(error, RateLimited):
        return exceptions.Throttled(wait=error.retry_after, detail=str(error))
    if isinstance(error, Forbidden):
        return exceptions.PermissionDenied(str(error))
    if isinstance(error, NotFound) and pointer is None:
        return exceptions.NotFound(str(error))
    return RuleBroken(str(error), pointer)


def _flatten(detail: Any, path: str = "#") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        return [
            error
            for key, value in detail.items()
            for error in _flatten(value, path if key == "non_field_errors" else f"{path}/{key}")
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"pointer": path, "detail": str(item)} for item in detail]
        return [
            error
            for index, item in enumerate(detail)
            for error in _flatten(item, f"{path}/{index}")
        ]
    return [{"pointer": path, "detail": str(detail)}]


def problem_response(
    status_code: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers=None,  # noqa: ANN001
) -> Response:
    body: dict[str, Any] = {
        "type": TYPES.get(status_code, "about:blank"),
        "title": _title(status_code),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM)


def _title(status_code: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status_code).phrase


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SamverkanError):
        exc = from_domain(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)  # DRF's: WWW-Authenticate, Retry-After headers
    if response is None:
        return None
    headers = {
        name: value
        for name, value in response.items()
        if name in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = _("The request has %(count)d problem(s); see errors.") % {"count": len(errors)}
    else:
        errors = list(getattr(exc, "errors", []))
        detail = str(exc.detail) if not isinstance(exc.detail, dict | list) else exc.default_detail
    return problem_response(response.status_code, str(detail), errors, headers)


class ProblemError(serializers.Serializer):
    pointer = serializers.CharField(help_text="JSON Pointer to the field, e.g. #/age.")
    detail = serializers.CharField()


class Problem(serializers.Serializer):
    """The body of every error response (RFC 9457)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = ProblemError(many=True, required=False)
