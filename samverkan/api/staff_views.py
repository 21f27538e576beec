"""The unit manager's page of API tokens: list, issue (the token shown once), revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samverkan.api.forms import TokenForm
from samverkan.api.tokens import (
    api_token_create,
    api_token_revoke,
    can_manage_tokens,
    tokens_for_user,
)
from samverkan.core.errors import NotFound, SamverkanError


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    if not can_manage_tokens(request.user):
        raise Http404
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_token_create(by=request.user, **form.cleaned_data)
        except SamverkanError as error:
            form.add_error(None, str(error))
        else:
            form = TokenForm()
    context = {
        "form": form,
        # The whole token is in this one response only: not in a message, session or log.
        "issued": issued,
        "tokens": tokens_for_user(request.user),
        "docs_url": reverse("api:docs"),
    }
    response = render(request, "api/tokens.html", context)
    if issued is not None:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["POST"])
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if not can_manage_tokens(request.user):
        raise Http404
    try:
        token = api_token_revoke(by=request.user, token_id=token_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
