"""A database that stops answering, or stops accepting changes, gives the user a clear page,
not a server error.

When the database goes away in the middle of a request (a restart, a failover, a lost
connection), the request's transaction is rolled back by the database itself: a record and its
anonymous counts are one transaction, so nothing is half-saved. The user reads that nothing was
saved and that they can try again in a moment (HTTP 503 with a Retry-After that follows the
outage, samverkan.production.outage), and the form's answers are still in their browser's back
history. A database that refuses writes (a standby during a failover, maintenance with
`default_transaction_read_only`) answers the same way, saying so. Under /api/ the answer is the
API's problem document instead of a page. The error is logged by its kind only: its text could
quote values.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from samverkan.production.outage import READ_ONLY, database_trouble, retry_after

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
