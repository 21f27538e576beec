"""Staff pages for records: thin views over records.services and records.selectors.

Each kind of record a unit keeps has the same three pages — a list, a registration form and a
record's page — described once in PAGES; the views are shared.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from samverkan.accounts.audit import log_action
from samverkan.core.errors import NotFound, SamverkanError
from samverkan.partnership.models import Unit
from samverkan.records import exports, selectors, services
from samverkan.records.forms import (
    ChatConversationForm,
    ClinicClientForm,
    ClinicCloseForm,
    ClinicSessionForm,
    SupportCentreCaseForm,
)

PAGE_SIZE = 50


@dataclass(frozen=True)
class RecordPages:
    unit_kind: str
    form: type[forms.Form]
    create: Callable[..., object]
    records_for_user: Callable[..., object]
    get_for_user: Callable[..., object]
    order_by: str
    templates: str
    created: Promise


PAGES = {
    "chat": RecordPages(
        unit_kind=Unit.Kind.CHAT,
        form=ChatConversationForm,
        create=services.chat_conversation_create,
        records_for_user=selectors.chat_conversations_for_user,
        get_for_user=selectors.get_chat_conversation_for_user,
        order_by="-started_at",
        templates="records/chat",
        created=_("The conversation is registered."),
    ),
    "support": RecordPages(
        unit_kind=Unit.Kind.SUPPORT_CENTRE,
        form=SupportCentreCaseForm,
        create=services.support_centre_case_create,
        records_for_user=selectors.support_centre_cases_for_user,
        get_for_user=selectors.get_support_centre_case_for_user,
        order_by="-received_on",
        templates="records/support",
        created=_("The case is registered."),
    ),
    "clinic": RecordPages(
        unit_kind=Unit.Kind.CLINIC,
        form=ClinicClientForm,
        create=services.clinic_client_create,
        records_for_user=selectors.clinic_clients_for_user,
        get_for_user=selectors.get_clinic_client_for_user,
        order_by="-first_visit",
        templates="records/clinic",
        created=_("The client is registered."),
    ),
}


def _own_unit(request: HttpRequest, pages: RecordPages) -> Unit:
    """The user's own unit when it keeps this kind of record, or 404: others have no such
    pages to find."""
    user = request.user
    if not selectors.can_work_with_records(user) or user.unit.kind != pages.unit_kind:
        raise Http404
    return user.unit


@login_required
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    pages = PAGES[kind]
    unit = _own_unit(request, pages)
    records = pages.records_for_user(request.user).order_by(pages.order_by, "-pk")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("sida"))
    log_action("records.listed", user=request.user, count=len(page.object_list))
    return render(request, f"{pages.templates}_list.html", {"page": page, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    pages = PAGES[kind]
    unit = _own_unit(request, pages)
    form = pages.form(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            pages.create(unit=unit, by=request.user, **form.cleaned_data)
        except SamverkanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, str(pages.created))
            return redirect(f"records:{kind}_list")
    return render(request, f"{pages.templates}_form.html", {"form": form, "unit": unit})


@login_required
def record_detail(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    pages = PAGES[kind]
    _own_unit(request, pages)
    try:
        record = pages.get_for_user(request.user, record_id)
    except NotFound:
        raise Http404 from None
    context = {"record": record}
    if kind == "clinic":
        context["session_form"] = ClinicSessionForm(initial={"date": timezone.localdate()})
        context["close_form"] = ClinicCloseForm(initial={"closed_on": timezone.localdate()})
    return render(request, f"{pages.templates}_detail.html", context)


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
    _own_unit(request, PAGES["clinic"])
    try:
        client = selectors.get_clinic_client_for_user(request.user, record_id)
    except NotFound:
        raise Http404 from None
    form = form_class(request.POST)
    if form.is_valid():
        try:
            change(client=client, by=request.user, **form.cleaned_data)
        except SamverkanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, str(done))
            return redirect("records:clinic_detail", record_id=client.pk)
    context = {
        "record": client,
        "session_form": form if form_class is ClinicSessionForm else ClinicSessionForm(),
        "close_form": form if form_class is ClinicCloseForm else ClinicCloseForm(),
    }
    return render(request, "records/clinic_detail.html", context, status=400)


@login_required
def record_export(request: HttpRequest, kind: str) -> HttpResponse:
    _own_unit(request, PAGES[kind])
    today = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.records_export_xlsx(user=request.user, kind=kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"{kind}-{today}.xlsx"
    else:
        response = StreamingHttpResponse(
            exports.records_export_csv(user=request.user, kind=kind),
            content_type="text/csv; charset=utf-8",
        )
        name = f"{kind}-{today}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
