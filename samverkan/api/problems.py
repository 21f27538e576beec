"""Every error of the API as an RFC 9457 problem: `application/problem+json`, in one place.

A problem has `type`, `title`, `status` and `detail`, and, when the request had something wrong
with it, `errors`: one `{"pointer": "#/field", "detail": "..."}` per problem, as in the RFC's
example of an extension member, so a partner system can show its user which field to correct.
"""

import json
import logging
import traceback
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from samverkan.core.errors import Forbidden, NotFound, RateLimited, SamverkanError
from samverkan.core.outage import READ_ONLY, database_trouble, retry_after

logger = logging.getLogger("samverkan.api")

PROBLEM = "application/problem+json"
TYPES = {
    400: "urn:samverkan:problem:invalid",
    401: "urn:samverkan:problem:unauthenticated",
    403: "urn:samverkan:problem:forbidden",
    404: "urn:samverkan:problem:not-found",
    409: "urn:samverkan:problem:conflict",
    422: "urn:samverkan:problem:rule",
    429: "urn:samverkan:problem:rate-limited",
    500: "urn:samverkan:problem:internal",
    503: "urn:samverkan:problem:unavailable",
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


def _database_body(trouble: str, wait: int) -> dict[str, Any]:
    if trouble == READ_ONLY:
        detail = _(
            "The database accepts no changes at the moment; nothing was saved. "
            "Send the same request again after Retry-After seconds."
        )
    else:
        detail = _(
            "The database cannot be reached at the moment; nothing was saved. "
            "Send the same request again after Retry-After seconds."
        )
    return {
        "type": TYPES[503],
        "title": _title(503),
        "status": 503,
        "detail": detail,
        "retry_after": wait,
    }


def database_problem(trouble: str, wait: int) -> HttpResponse:
    """The 503 problem of a database that is gone or read-only, outside DRF's views too (the
    middleware answers with it for any exception under /api/)."""
    response = HttpResponse(
        json.dumps(_database_body(trouble, wait)), status=503, content_type=PROBLEM
    )
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response


def internal_problem(exc: BaseException) -> Response:
    """A 500 that says nothing internal: a trace id the operator finds in the log, where the
    exception's kind and where it happened are written (not its text, which could quote
    values)."""
    trace = uuid.uuid4().hex[:16]
    where = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("API request failed (trace %s): %s\n%s", trace, type(exc).__name__, where)
    body = {
        "type": TYPES[500],
        "title": _title(500),
        "status": 500,
        "detail": _(
            "Something went wrong on the server; the request may not have been carried out. "
            "A request with a ref can safely be sent again. Give the trace to the system "
            "administrator if it keeps happening."
        ),
        "trace": trace,
    }
    return Response(body, status=500, content_type=PROBLEM, headers={"Cache-Control": "no-store"})


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    trouble = database_trouble(exc)
    if trouble is not None:
        set_rollback()
        logger.error("database %s: %s", trouble, type(exc).__name__)
        wait = retry_after(trouble)
        return Response(
            _database_body(trouble, wait),
            status=503,
            content_type=PROBLEM,
            headers={"Retry-After": str(wait), "Cache-Control": "no-store"},
        )
    if isinstance(exc, SamverkanError):
        exc = from_domain(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)  # DRF's: WWW-Authenticate, Retry-After headers
    if response is None:
        set_rollback()
        return internal_problem(exc)
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
    retry_after = serializers.IntegerField(
        required=False, help_text="503 only: the seconds to wait, as in Retry-After."
    )
    trace = serializers.CharField(
        required=False, help_text="500 only: give it to the administrator; the log has it."
    )
