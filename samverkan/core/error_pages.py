"""The application's own "not found", "not allowed" and "bad request" pages, in the user's
language (Swedish unless they chose English) and in the layout of every other page.

Django's defaults answer these in English and without the layout once DEBUG is off ("Not
Found"), and the views raise Http404 for both missing and forbidden records. The handlers are
named in samverkan/urls.py; the server error (500) and the bad request (400) go through
samverkan.production.middleware first, which turns a database outage into its own page.
Under /api/ the answer stays a problem document (samverkan.api.problems).
"""

import json

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

PROBLEM = "application/problem+json"


def _api_problem(status: int, detail: str) -> HttpResponse:
    from http import HTTPStatus

    body = {
        "type": f"urn:samverkan:problem:{'not-found' if status == 404 else 'forbidden'}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM)


def _page(
    request: HttpRequest, template: str, status: int, context: dict | None = None
) -> HttpResponse:
    page = render_to_string(template, context or {}, request=request)
    response = HttpResponse(page, status=status)
    response["Cache-Control"] = "no-store"
    return response


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: a page that does not exist, or a record the user may not see (the views
    answer both alike so as to reveal nothing)."""
    if request.path.startswith("/api/"):
        return _api_problem(404, _("There is nothing at this address."))
    return _page(request, "errors/404.html", 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: something the user's role may not do."""
    if request.path.startswith("/api/"):
        return _api_problem(403, _("You may not do this."))
    return _page(request, "errors/403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page that is too old (its session ended, or the
    user signed in again in another window). Nothing was saved; the reason stays out of it."""
    return _page(request, "errors/403_form.html", 403)
