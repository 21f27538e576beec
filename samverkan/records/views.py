"""Staff pages for records: thin views over records.services and records.selectors.

Each kind of record a unit keeps has the same pages — a list, a registration form, a record's
page, its change and deletion, an export — built from its declaration (`records.kinds`); the
views are shared. A clinic client's own changes (sessions, closing) are `clinic_views`.
"""

import functools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from samverkan.accounts.audit import log_action
from samverkan.core.errors import NotFound, SamverkanError
from samverkan.records import exports
from samverkan.records.forms import ExportForm
from samverkan.records.kinds import KINDS, RecordKind
from samverkan.records.lists import Labels, detail_url
from samverkan.records.pages import STARTS, clinic_context, history, own_unit, saved
from samverkan.records.pagination import BoundedPaginator

PAGE_SIZE = 50


def _record(request: HttpRequest, kind: RecordKind, record_id: int) -> Any:
    try:
        return kind.get_for_user(request.user, record_id)
    except NotFound:
        raise Http404 from None


@login_required
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    declared = KINDS[kind]
    unit = own_unit(request, declared)
    records = declared.records_for_user(request.user).order_by(declared.order_by, "-pk")
    filters = declared.filters(request.GET or None)
    known = filters.count(records, unit)
    records = filters.apply(records)
    number = request.GET.get("sida")
    page = BoundedPaginator(
        records, PAGE_SIZE, number, known_count=known, fields=declared.list_values
    ).get_page(number)
    rows = declared.list_rows(page.object_list, Labels(records.model), detail_url(kind))
    log_action("records.listed", user=request.user, count=len(rows))
    query = request.GET.copy()
    query.pop("sida", None)
    context = {
        "kind": kind,
        "page": page,
        "rows": rows,
        "unit": unit,
        "filters": filters,
        "query": query,
        "create_url": f"records:{kind}_create",
        "export_url": f"records:{kind}_export",
        # Called by the template only when it renders the form's fields: they are rendered once
        # per process and language (`{% rendered_once %}`), so most pages never build the form.
        "export_form": functools.partial(ExportForm, exports=exports.export_choices(kind)),
    }
    return render(request, f"{declared.templates}_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    declared = KINDS[kind]
    unit = own_unit(request, declared)
    start = STARTS.get(kind)
    prefill = None
    if start is not None and start.parameter in request.GET:
        prefill = start.find(request.user, request.GET.get(start.parameter))
        if prefill is None:
            # Registered already (in another tab) or put aside: a blank form would be a second
            # record.
            messages.info(request, start.gone)
            return redirect(start.back_to)
    form = declared.form(
        request.POST or None, unit=unit, initial=prefill.initial if prefill else None
    )

    created: list[Any] = []

    def create() -> object:
        values = {**form.cleaned_data, **declared.create_extra}
        record = declared.create(unit=unit, by=request.user, **values)
        if prefill is not None:
            prefill.saved(record, by=request.user)
        created.append(record)
        return record

    if request.method == "POST" and saved(request, form, create, declared.created):
        if prefill is not None:
            return redirect(start.back_to)
        if kind == "clinic":
            # On the client, whose page offers the next session at once.
            return redirect("records:clinic_detail", record_id=created[0].pk)
        # The next record at once, with a way to the one just saved.
        return redirect(f"{reverse(f'records:{kind}_create')}?sparat={created[0].pk}")
    just_saved = request.GET.get("sparat", "")
    context = {
        "form": form,
        "unit": unit,
        "title": declared.title_new,
        "kind": kind,
        "saved_url": (
            reverse(f"records:{kind}_detail", kwargs={"record_id": int(just_saved)})
            if just_saved.isdigit() and request.method == "GET"
            else None
        ),
    }
    return render(request, f"{declared.templates}_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    declared = KINDS[kind]
    unit = own_unit(request, declared)
    if declared.update is None or declared.initial is None:
        raise Http404
    record = _record(request, declared, record_id)
    form = declared.form(request.POST or None, unit=unit, initial=declared.initial(record))
    if request.method == "POST" and saved(
        request,
        form,
        lambda: declared.update(record, by=request.user, **form.cleaned_data),
        _("The change is saved."),
    ):
        return redirect(f"records:{kind}_detail", record_id=record.pk)
    context = {
        "form": form,
        "unit": unit,
        "title": declared.title_edit,
        "record": record,
        "kind": kind,
        "editing": True,
    }
    return render(request, f"{declared.templates}_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_delete(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    """Delete a record registered by mistake: a page that asks, then the deletion (with its
    counts and an audit entry, records.services)."""
    declared = KINDS[kind]
    own_unit(request, declared)
    if declared.delete is None:
        raise Http404
    record = _record(request, declared, record_id)
    if request.method == "POST":
        try:
            with transaction.atomic():
                declared.delete(record, by=request.user)
        except SamverkanError as error:
            messages.error(request, str(error))
            return redirect(f"records:{kind}_detail", record_id=record.pk)
        messages.success(request, str(declared.deleted))
        return redirect(f"records:{kind}_list")
    context = {"record": record, "kind": kind, "title": declared.title_delete}
    return render(request, "records/delete.html", context)


@login_required
def record_detail(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    declared = KINDS[kind]
    own_unit(request, declared)
    record = _record(request, declared, record_id)
    context = {
        "record": record,
        "history": history(record),
        "editable": declared.update is not None,
        "deletable": declared.delete is not None,
        "kind": kind,
    }
    if kind == "clinic":
        context.update(clinic_context(record))
    return render(request, f"{declared.templates}_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
def record_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The unit's records as CSV or XLSX; by POST with a password, an encrypted workbook.

    GET (links, no password) stays for plain exports; a password only ever comes by POST, so it
    never ends up in a URL or a log, and error reports hide it.
    """
    own_unit(request, KINDS[kind])
    today = timezone.localdate().isoformat()
    offered = exports.PAGE_EXPORTS[kind]
    password = None
    file_format = request.GET.get("format")
    what = request.GET.get("what") or offered[0]
    if request.method == "POST":
        form = ExportForm(request.POST, exports=exports.export_choices(kind))
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
