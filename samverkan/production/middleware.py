"""A database that stops answering, or stops accepting changes, gives the user a clear page,
not a server error.

When the database goes away in the middle of a request (a restart, a failover, a lost
connection), the request's transaction is rolled back by the database itself: a record and its
anonymous counts are one transaction, so nothing is half-saved. The user reads that nothing was
saved and that they can try again in a moment (HTTP 503 with a Retry-After that follows the
outage, samverkan.core.outage), and the form's answers are still in their browser's back
history. A database that refuses writes (a standby during a failover, maintenance with
`default_transaction_read_only`) answers the same way, saying so. Under /api/ the answer is the
API's problem document instead of a page. The error is logged by its kind only: its text could
quote values.
"""

import json
import logging
import sys

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from samverkan.core.outage import READ_ONLY, database_trouble, retry_after

logger = logging.getLogger("samverkan.database")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:  # noqa: ANN001
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        trouble = database_trouble(exception)
        if trouble is None:
            return None
        logger.error("database %s: %s", trouble, type(exception).__name__)
        wait = retry_after(trouble)
        if request.path.startswith("/api/"):
            from samverkan.api.problems import database_problem

            return database_problem(trouble, wait)
        page = render_to_string(
            "errors/database_unavailable.html",
            {"request": request, "read_only": trouble == READ_ONLY},
        )
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(wait)
        response["Cache-Control"] = "no-store"
        return response


def _database_cause(exception: BaseException | None) -> BaseException | None:
    """The database error behind an exception, through what it was raised from or during."""
    for _ in range(6):
        if exception is None:
            return None
        if database_trouble(exception) is not None:
            return exception
        exception = exception.__cause__ or exception.__context__
    return None


def _unavailable(request: HttpRequest, exception: BaseException | None) -> HttpResponse | None:
    cause = _database_cause(exception)
    if cause is None:
        return None
    return DatabaseUnavailableMiddleware(lambda r: None).process_exception(request, cause)


def server_error(request: HttpRequest) -> HttpResponse:
    """The project's handler500: an exception that escaped the views and their middleware is
    still a 503 when the database is behind it, and under /api/ still a problem document."""
    exception = sys.exc_info()[1]
    response = _unavailable(request, exception)
    if response is not None:
        return response
    if request.path.startswith("/api/"):
        from samverkan.api.problems import internal_problem

        response = internal_problem(exception or RuntimeError("unknown"))
        return HttpResponse(
            json.dumps(response.data), status=500, content_type="application/problem+json"
        )
    return defaults.server_error(request, template_name="errors/500.html")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's handler400: a session that could not be saved after the view because the
    database refuses writes (Django says "session interrupted", a 400) is a 503."""
    response = _unavailable(request, exception)
    if response is not None:
        return response
    return defaults.bad_request(request, exception, template_name="errors/400.html")
