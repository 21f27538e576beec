"""Staff pages of the web import: upload and preview, confirm, and empty template files."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from samverkan.core.errors import SamverkanError
from samverkan.records.imports import ImportFailed, Upload
from samverkan.records.kinds import FILES, KINDS
from samverkan.records.pages import own_unit
from samverkan.records.uploads import (
    MAX_BYTES,
    PAGE_IMPORT_KINDS,
    template_csv,
    template_xlsx,
    upload_confirm,
    upload_preview,
)


class UploadForm(forms.Form):
    what = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8, comma-separated) or XLSX, with the template's header row."
        ),
    )

    def __init__(self, *args, kinds: list[str], **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["what"].choices = [(kind, kind) for kind in kinds]
        self.fields["what"].initial = kinds[0]


class ConfirmForm(forms.Form):
    what = forms.CharField(widget=forms.HiddenInput)
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)


class InMemoryUploadHandler(MemoryFileUploadHandler):
    """Keeps an upload in memory whatever its size (up to MAX_BYTES): a file of records is
    never written to a temporary file on disk."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: ANN001, ANN201, N803
        self.activated = content_length <= MAX_BYTES


@csrf_exempt  # so the upload handlers can be set before the form is read; checked below
@login_required
@require_http_methods(["GET", "POST"])
def record_import(request: HttpRequest, kind: str) -> HttpResponse:
    request.upload_handlers = [InMemoryUploadHandler(request)]
    return _record_import(request, kind)


@csrf_protect
def _record_import(request: HttpRequest, kind: str) -> HttpResponse:
    unit = own_unit(request, KINDS[kind])
    kinds = PAGE_IMPORT_KINDS[kind]
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    preview = None
    status = 200
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BYTES:
            form.add_error(
                "file", _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES >> 20}
            )
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            preview = upload_preview(
                user=request.user,
                kind=form.cleaned_data["what"],
                upload=Upload(upload.name, upload.read()),
            )
        if preview is None or not preview.ok:
            status = 400
    context = {
        "unit": unit,
        "kind": kind,
        "form": form,
        "preview": preview,
        "confirm": ConfirmForm(
            initial={"what": preview.kind, "sha256": preview.sha256, "key": preview.key}
        )
        if preview and preview.ok
        else None,
        "templates": [(what, FILES[what].names) for what in kinds],
    }
    return render(request, "records/import.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def record_import_confirm(request: HttpRequest, kind: str) -> HttpResponse:
    unit = own_unit(request, KINDS[kind])
    form = ConfirmForm(request.POST)
    if not form.is_valid() or form.cleaned_data["what"] not in PAGE_IMPORT_KINDS[kind]:
        raise Http404
    try:
        result = upload_confirm(
            user=request.user,
            kind=form.cleaned_data["what"],
            sha256=form.cleaned_data["sha256"],
            key=form.cleaned_data["key"],
        )
    except ImportFailed as failed:
        context = {
            "unit": unit,
            "kind": kind,
            "form": UploadForm(kinds=PAGE_IMPORT_KINDS[kind]),
            "preview": None,
            "failed": failed.errors,
            "templates": [(what, FILES[what].names) for what in PAGE_IMPORT_KINDS[kind]],
        }
        return render(request, "records/import.html", context, status=400)
    except SamverkanError as error:
        messages.error(request, str(error))
        return redirect(f"records:{kind}_import")
    messages.success(
        request,
        _("%(added)d record(s) imported; %(skipped)d were already there.")
        % {"added": result.rows_added, "skipped": result.rows_skipped},
    )
    return redirect(f"records:{kind}_list")


@login_required
def record_import_template(request: HttpRequest, kind: str) -> HttpResponse:
    own_unit(request, KINDS[kind])
    what = request.GET.get("what") or PAGE_IMPORT_KINDS[kind][0]
    if what not in PAGE_IMPORT_KINDS[kind]:
        raise Http404
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            template_xlsx(what),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"{what}.xlsx"
    else:
        response = HttpResponse(template_csv(what), content_type="text/csv; charset=utf-8")
        name = f"{what}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
