"""A clinic client's own changes from its page: a session added or deleted, the series closed
or opened again."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from samverkan.core.errors import NotFound, SamverkanError
from samverkan.records import selectors, services
from samverkan.records.forms import ClinicCloseForm, ClinicSessionForm
from samverkan.records.kinds import CLINIC
from samverkan.records.models import ClinicSession
from samverkan.records.pages import clinic_context, history, own_unit, saved


def _client(request: HttpRequest, record_id: int) -> Any:
    own_unit(request, CLINIC)
    try:
        return selectors.get_clinic_client_for_user(request.user, record_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["POST"])
def clinic_session_add(request: HttpRequest, record_id: int) -> HttpResponse:
    return _clinic_change(
        request,
        record_id,
        ClinicSessionForm,
        services.clinic_session_add,
        _("The session is registered."),
    )


@login_required
@require_http_methods(["POST"])
def clinic_client_close(request: HttpRequest, record_id: int) -> HttpResponse:
    return _clinic_change(
        request,
        record_id,
        ClinicCloseForm,
        services.clinic_client_close,
        _("The session series is closed."),
    )


def _clinic_change(
    request: HttpRequest,
    record_id: int,
    form_class: type[forms.Form],
    change: Callable[..., object],
    done: Promise,
) -> HttpResponse:
    """A change to a client from its page; on a problem, the page again with the error."""
    client = _client(request, record_id)
    form = form_class(request.POST)
    if saved(
        request, form, lambda: change(client=client, by=request.user, **form.cleaned_data), done
    ):
        return redirect("records:clinic_detail", record_id=client.pk)
    context = {
        "record": client,
        "history": history(client),
        "editable": True,
        "deletable": True,
        "kind": "clinic",
        **clinic_context(
            client,
            session_form=form if form_class is ClinicSessionForm else None,
            close_form=form if form_class is ClinicCloseForm else None,
        ),
    }
    return render(request, "records/clinic_detail.html", context, status=400)


@login_required
@require_http_methods(["POST"])
def clinic_session_delete(request: HttpRequest, record_id: int, session_id: int) -> HttpResponse:
    """Delete one session registered by mistake (a wrong date: delete, then register)."""
    client = _client(request, record_id)
    session = ClinicSession.objects.filter(client=client, pk=session_id).first()
    if session is None:
        raise Http404
    try:
        with transaction.atomic():
            services.clinic_session_delete(session=session, by=request.user)
    except SamverkanError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The session of %(date)s is deleted.") % {"date": session.date.isoformat()},
        )
    return redirect("records:clinic_detail", record_id=client.pk)


@login_required
@require_http_methods(["POST"])
def clinic_client_reopen(request: HttpRequest, record_id: int) -> HttpResponse:
    client = _client(request, record_id)
    with transaction.atomic():
        services.clinic_client_reopen(client=client, by=request.user)
    messages.success(request, _("The session series is open again."))
    return redirect("records:clinic_detail", record_id=client.pk)
