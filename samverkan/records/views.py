"""Staff pages for records: thin views over records.services and records.selectors.

Each kind of record a unit keeps has the same three pages — a list, a registration form and a
record's page — described once in PAGES; the views are shared.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from samverkan.accounts.audit import action_label, log_action, record_history
from samverkan.chat.actions import LiveRecord
from samverkan.core.errors import NotFound, SamverkanError
from samverkan.partnership.models import Unit
from samverkan.records import exports, rules, selectors, services
from samverkan.records.filters import ChatFilterForm, ClinicFilterForm, SupportFilterForm
from samverkan.records.forms import (
    ChatConversationForm,
    ClinicClientForm,
    ClinicCloseForm,
    ClinicSessionForm,
    ExportForm,
    SupportCentreCaseForm,
)
from samverkan.records.models import ClinicSession
from samverkan.records.pagination import BoundedPaginator

PAGE_SIZE = 50


# --- The lists ----------------------------------------------------------------------------------
# A list page shows 50 records of a unit that may keep a million. Its rows are read as values
# (no model instances, no related rows) and turned into the cells the template shows here, in
# one pass: the template then only places strings. Django's per-record way (get_FOO_display,
# the `date` filter and `{% url %}` in each row) cost about a third of a list's server time
# (benchmarks/RESULTS.md, "Staff pages at a third of their cost").


class Labels:
    """The labels of a model's choices in the active language, read once per language: a value
    without a label shows as itself, as get_FOO_display shows it."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model

    def __call__(self, field: str) -> dict[Any, str]:
        return _choice_labels(self.model, field, translation.get_language())


@functools.lru_cache(maxsize=256)
def _choice_labels(model: type[models.Model], field: str, language: str | None) -> dict[Any, str]:
    with translation.override(language):
        # Capitalised as every answer on the page (issue 16: "Inte ställd" beside "inget våld").
        return {
            value: capfirst(str(label)) for value, label in model._meta.get_field(field).flatchoices
        }


@functools.lru_cache(maxsize=16)
def _screening_labels(language: str | None) -> dict[str, str]:
    """The one answer of the routine question, by its value (records.rules)."""
    with translation.override(language):
        return {value: capfirst(str(label)) for value, label in rules.SCREENING_CHOICES}


def _detail_url(kind: str) -> Callable[[int], str]:
    """The page of a record by its id, reversed once for the whole list."""
    sentinel = 918273645
    pattern = reverse(f"records:{kind}_detail", kwargs={"record_id": sentinel})
    before, after = pattern.split(str(sentinel))
    return lambda pk: f"{before}{pk}{after}"


def _minute(moment: datetime.datetime) -> str:
    """As the template's `date:"Y-m-d H:i"`: in the current time zone (Stockholm)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _age(age: int | None) -> int | str:
    return "–" if age is None else age


def _chat_rows(records: Iterable[tuple], labels: Labels, url: Callable[[int], str]) -> list[tuple]:
    concern, gender, resident = labels("concern"), labels("gender"), labels("resident")
    return [
        (url(pk), _minute(at), concern.get(c, c), gender.get(g, g), _age(age), resident.get(r, r))
        for pk, at, c, g, age, r in records
    ]


def _support_rows(
    records: Iterable[tuple], labels: Labels, url: Callable[[int], str]
) -> list[tuple]:
    category, gender = labels("category"), labels("gender")
    screening = _screening_labels(translation.get_language())
    return [
        (
            url(pk),
            received_on.isoformat(),
            category.get(c, c),
            gender.get(g, g),
            _age(age),
            screening.get(rules.screening_value(screened, a)),
        )
        for pk, received_on, c, g, age, screened, a in records
    ]


def _clinic_rows(
    records: Iterable[tuple], labels: Labels, url: Callable[[int], str]
) -> list[tuple]:
    records = list(records)
    # The number of sessions of the page's clients in one query.
    sessions = dict(
        ClinicSession.objects.filter(client_id__in=[record[0] for record in records])
        .order_by()
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    concern = labels("concern")
    ongoing = gettext("ongoing")
    return [
        (
            url(pk),
            ref,
            first_visit.isoformat(),
            concern.get(c, c),
            sessions.get(pk, 0),
            gettext("closed %(date)s") % {"date": closed_on.isoformat()} if closed_on else ongoing,
        )
        for pk, ref, first_visit, c, closed_on in records
    ]


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
    title_new: Promise
    # The list's rows from the values of a page of records (see "The lists" below).
    rows: Callable[[Iterable[tuple], "Labels", Callable[[int], str]], list[tuple]] | None = None
    columns: tuple[str, ...] = ()
    filters: type[forms.Form] | None = None
    title_edit: Promise | None = None
    update: Callable[..., object] | None = None
    initial: Callable[[Any], dict[str, Any]] | None = None
    delete: Callable[..., object] | None = None
    deleted: Promise | None = None
    title_delete: Promise | None = None


PAGES = {
    "chat": RecordPages(
        unit_kind=Unit.Kind.CHAT,
        form=ChatConversationForm,
        create=services.chat_conversation_create,
        records_for_user=selectors.chat_conversations_for_user,
        get_for_user=selectors.get_chat_conversation_for_user,
        order_by="-started_at",
        templates="records/chat",
        rows=_chat_rows,
        columns=("pk", "started_at", "concern", "gender", "age", "resident"),
        created=_("The conversation is registered."),
        title_new=_("Register a chat conversation"),
        filters=ChatFilterForm,
        title_edit=_("Change a chat conversation"),
        update=lambda record, **values: services.chat_conversation_update(
            conversation=record, **values
        ),
        delete=lambda record, by: services.chat_conversation_delete(conversation=record, by=by),
        deleted=_("The conversation is deleted."),
        title_delete=_("Delete a chat conversation"),
        initial=lambda record: {
            "started_at": timezone.localtime(record.started_at),
            "concern": record.concern,
            "resident": record.resident,
            "district": record.district_id,
            "gender": record.gender,
            "age": record.age,
            "violence": record.violence_forms,
            "referred_to": record.referred_to_id,
        },
    ),
    "support": RecordPages(
        unit_kind=Unit.Kind.SUPPORT_CENTRE,
        form=SupportCentreCaseForm,
        create=services.support_centre_case_create,
        records_for_user=selectors.support_centre_cases_for_user,
        get_for_user=selectors.get_support_centre_case_for_user,
        order_by="-received_on",
        templates="records/support",
        rows=_support_rows,
        columns=("pk", "received_on", "category", "gender", "age", "screened", "screening_answer"),
        created=_("The case is registered."),
        title_new=_("Register a support-centre case"),
        filters=SupportFilterForm,
        title_edit=_("Change a support-centre case"),
        update=lambda record, **values: services.support_centre_case_update(case=record, **values),
        initial=lambda record: {
            "received_on": record.received_on,
            "category": record.category,
            "gender": record.gender,
            "age": record.age,
            "screening": rules.screening_value(record.screened, record.screening_answer),
            "referred_to": record.referred_to_id,
        },
        delete=lambda record, by: services.support_centre_case_delete(case=record, by=by),
        deleted=_("The case is deleted."),
        title_delete=_("Delete a support-centre case"),
    ),
    "clinic": RecordPages(
        unit_kind=Unit.Kind.CLINIC,
        form=ClinicClientForm,
        create=services.clinic_client_create,
        records_for_user=selectors.clinic_clients_for_user,
        get_for_user=selectors.get_clinic_client_for_user,
        order_by="-first_visit",
        templates="records/clinic",
        rows=_clinic_rows,
        columns=("pk", "ref", "first_visit", "concern", "closed_on"),
        created=_("The client is registered."),
        title_new=_("Register a client"),
        filters=ClinicFilterForm,
        title_edit=_("Change a client"),
        update=lambda record, **values: services.clinic_client_update(client=record, **values),
        initial=lambda record: {
            "ref": record.ref,
            "first_visit": record.first_visit,
            "concern": record.concern,
            "gender": record.gender,
            "age": record.age,
            "resident": record.resident,
            "came_via": record.came_via or "",
        },
        delete=lambda record, by: services.clinic_client_delete(client=record, by=by),
        deleted=_("The client is deleted, with the sessions."),
        title_delete=_("Delete a client"),
    ),
}


def _saved(
    request: HttpRequest, form: forms.Form, write: Callable[[], object], done: Promise
) -> bool:
    """Run a valid form's write through its service: a domain error goes back onto the form,
    success into a message for the next page."""
    if not form.is_valid():
        return False
    try:
        # One transaction, so what a write does besides its service (the live chat links its
        # referral codes to the new record) stands or falls with it.
        with transaction.atomic():
            write()
    except SamverkanError as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, str(error))
        return False
    messages.success(request, str(done))
    return True


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
    filters = pages.filters(request.GET or None) if pages.filters else None
    known = None
    if filters is not None:
        known = filters.count(records, unit)
        records = filters.apply(records)
    number = request.GET.get("sida")
    page = BoundedPaginator(
        records.values_list(*pages.columns), PAGE_SIZE, number, known_count=known
    ).get_page(number)
    rows = pages.rows(page.object_list, Labels(records.model), _detail_url(kind))
    log_action("records.listed", user=request.user, count=len(rows))
    query = request.GET.copy()
    query.pop("sida", None)
    context = {
        "kind": kind,
        "page": page,
        "rows": rows,
        "unit": unit,
        "filters": filters or pages.filters(),
        "query": query,
        "create_url": f"records:{kind}_create",
        "export_url": f"records:{kind}_export",
        "export_form": ExportForm(exports=exports.PAGE_EXPORTS[kind]),
    }
    return render(request, f"{pages.templates}_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    pages = PAGES[kind]
    unit = _own_unit(request, pages)
    # A post-chat record straight from the live chat's console starts from what was noted there.
    live = LiveRecord.for_user(request.user, request.GET.get("samtal")) if kind == "chat" else None
    if kind == "chat" and "samtal" in request.GET and live is None:
        # Registered already (in another tab) or put aside: a blank form would be a second record.
        messages.info(request, _("That conversation is already registered, or no longer kept."))
        return redirect("chat:console")
    form = pages.form(request.POST or None, unit=unit, initial=live.initial if live else None)

    created: list[Any] = []

    def create() -> object:
        extra = {"first_session": True} if kind == "clinic" else {}
        record = pages.create(unit=unit, by=request.user, **form.cleaned_data, **extra)
        if live is not None:
            live.saved(record, by=request.user)
        created.append(record)
        return record

    if request.method == "POST" and _saved(request, form, create, pages.created):
        if live is not None:
            return redirect("chat:console")
        if kind == "clinic":
            # On the client, whose page offers the next session at once.
            return redirect("records:clinic_detail", record_id=created[0].pk)
        # The next record at once, with a way to the one just saved.
        return redirect(f"{reverse(f'records:{kind}_create')}?sparat={created[0].pk}")
    saved = request.GET.get("sparat", "")
    context = {
        "form": form,
        "unit": unit,
        "title": pages.title_new,
        "kind": kind,
        "saved_url": (
            reverse(f"records:{kind}_detail", kwargs={"record_id": int(saved)})
            if saved.isdigit() and request.method == "GET"
            else None
        ),
    }
    return render(request, f"{pages.templates}_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    pages = PAGES[kind]
    unit = _own_unit(request, pages)
    if pages.update is None or pages.initial is None:
        raise Http404
    try:
        record = pages.get_for_user(request.user, record_id)
    except NotFound:
        raise Http404 from None
    form = pages.form(request.POST or None, unit=unit, initial=pages.initial(record))
    if request.method == "POST" and _saved(
        request,
        form,
        lambda: pages.update(record, by=request.user, **form.cleaned_data),
        _("The change is saved."),
    ):
        return redirect(f"records:{kind}_detail", record_id=record.pk)
    context = {
        "form": form,
        "unit": unit,
        "title": pages.title_edit,
        "record": record,
        "kind": kind,
        "editing": True,
    }
    return render(request, f"{pages.templates}_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_delete(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    """Delete a record registered by mistake: a page that asks, then the deletion (with its
    counts and an audit entry, records.services)."""
    pages = PAGES[kind]
    _own_unit(request, pages)
    if pages.delete is None:
        raise Http404
    try:
        record = pages.get_for_user(request.user, record_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        try:
            with transaction.atomic():
                pages.delete(record, by=request.user)
        except SamverkanError as error:
            messages.error(request, str(error))
            return redirect(f"records:{kind}_detail", record_id=record.pk)
        messages.success(request, str(pages.deleted))
        return redirect(f"records:{kind}_list")
    context = {"record": record, "kind": kind, "title": pages.title_delete}
    return render(request, "records/delete.html", context)


@login_required
def record_detail(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    pages = PAGES[kind]
    _own_unit(request, pages)
    try:
        record = pages.get_for_user(request.user, record_id)
    except NotFound:
        raise Http404 from None
    context = {
        "record": record,
        "history": _history(record),
        "editable": pages.update is not None,
        "deletable": pages.delete is not None,
        "kind": kind,
    }
    if kind == "clinic":
        context.update(_clinic_context(record))
    return render(request, f"{pages.templates}_detail.html", context)


def _clinic_context(
    client: Any, session_form: forms.Form | None = None, close_form: forms.Form | None = None
) -> dict[str, Any]:
    """A client's page: its sessions numbered from 1 (the first visit is session 1), the form
    of the next session and the form that closes the series (or corrects its closing)."""
    today = timezone.localdate()
    sessions = list(client.sessions.all())
    return {
        "sessions": sessions,
        "session_form": session_form or ClinicSessionForm(initial={"date": today}),
        "close_form": close_form
        or ClinicCloseForm(
            initial={
                "closed_on": client.closed_on or (sessions[-1].date if sessions else today),
                "closure": client.closure,
            }
        ),
    }


def _history(record: Any) -> list[dict[str, Any]]:
    """The record's registration and changes, with the changed fields by their names."""
    fields = {field.name: field.verbose_name for field in record._meta.fields}
    return [
        {
            "entry": entry,
            "action": action_label(entry.action),
            "fields": [str(fields.get(name, name)) for name in entry.fields.split(",") if name],
        }
        for entry in record_history(record)
    ]


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
    if _saved(
        request, form, lambda: change(client=client, by=request.user, **form.cleaned_data), done
    ):
        return redirect("records:clinic_detail", record_id=client.pk)
    context = {
        "record": client,
        "history": _history(client),
        "editable": True,
        "deletable": True,
        "kind": "clinic",
        **_clinic_context(
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
    _own_unit(request, PAGES["clinic"])
    try:
        client = selectors.get_clinic_client_for_user(request.user, record_id)
    except NotFound:
        raise Http404 from None
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
    _own_unit(request, PAGES["clinic"])
    try:
        client = selectors.get_clinic_client_for_user(request.user, record_id)
    except NotFound:
        raise Http404 from None
    with transaction.atomic():
        services.clinic_client_reopen(client=client, by=request.user)
    messages.success(request, _("The session series is open again."))
    return redirect("records:clinic_detail", record_id=client.pk)


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
def record_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The unit's records as CSV or XLSX; by POST with a password, an encrypted workbook.

    GET (links, no password) stays for plain exports; a password only ever comes by POST, so it
    never ends up in a URL or a log, and error reports hide it.
    """
    _own_unit(request, PAGES[kind])
    today = timezone.localdate().isoformat()
    offered = exports.PAGE_EXPORTS[kind]
    password = None
    file_format = request.GET.get("format")
    what = request.GET.get("what") or offered[0]
    if request.method == "POST":
        form = ExportForm(request.POST, exports=offered)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(f"records:{kind}_list")
        password = form.cleaned_data["password"] or None
        file_format = "xlsx" if password else form.cleaned_data["format"]
        what = form.cleaned_data.get("what") or offered[0]
    if what not in offered:
        # Plain text: the value is the caller's own and is said back as it came.
        return HttpResponseBadRequest(
            _("There is no export %(what)s on this page.") % {"what": repr(what)[:60]},
            content_type="text/plain; charset=utf-8",
        )
    if file_format == "xlsx":
        response = HttpResponse(
            exports.records_export_xlsx(user=request.user, kind=what, password=password),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        extension = "xlsx"
    else:
        response = StreamingHttpResponse(
            exports.records_export_csv(user=request.user, kind=what),
            content_type="text/csv; charset=utf-8",
        )
        extension = "csv"
    name = f"{what.replace('_', '-')}-{today}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Records must not stay in a shared or proxy cache.
    response["Cache-Control"] = "no-store"
    return response
