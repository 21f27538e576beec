"""A database that stops answering gives the user a clear page, not a server error.

When the database goes away in the middle of a request (a restart, a failover, a lost
connection), the request's transaction is rolled back by the database itself: a record and its
anonymous counts are one transaction, so nothing is half-saved. The user reads that nothing was
saved and that they can try again in a moment (HTTP 503 with Retry-After), and the form's
answers are still in their browser's back history. The error is logged by its kind only: its
text could quote values.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("samverkan.database")

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:  # noqa: ANN001
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable: %s", type(exception).__name__)
        page = render_to_string("errors/database_unavailable.html", {"request": request})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
