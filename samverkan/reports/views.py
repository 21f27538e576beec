"""Committee documents in the staff application: thin views over reports.services/content/render.

The editor (`report_detail`) edits every text of a document in one form, beside a preview that is
the document's own HTML (the HTML the PDF is made from), shown in a frame of this site. Without
JavaScript the "Preview" button posts the unsaved texts into that frame; with it, the preview
follows the typing (reports.js) and the page warns before unsaved texts are left.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods

from samverkan.core.errors import SamverkanError
from samverkan.dashboard.overview import disclosure_for, partnerships_for_user
from samverkan.reports.content import PROSE_SECTIONS, report_document
from samverkan.reports.forms import ReportForm, ReportTextsForm
from samverkan.reports.models import Report
from samverkan.reports.render import FORMATS, document_html
from samverkan.reports.render import render as render_document
from samverkan.reports.services import REPORT_WRITERS, report_create, report_save
from samverkan.statistics.engine import DISCLOSURE_LEVELS, INTERNAL, PUBLIC
from samverkan.statistics.release import PublicPeriodError, check_public_period

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
PREVIEW_FRAME = "report-preview"


def _reports(user):  # noqa: ANN001, ANN202
    return Report.objects.filter(partnership__in=partnerships_for_user(user))


def _report(user, report_id: int) -> Report:  # noqa: ANN001
    report = _reports(user).filter(pk=report_id).select_related("partnership", "based_on").first()
    if report is None:
        raise Http404
    return report


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    partnerships = list(partnerships_for_user(request.user))
    if not partnerships:
        raise Http404
    return render(
        request,
        "reports/list.html",
        {
            "reports": _reports(request.user).select_related("partnership"),
            "can_write": request.user.role in REPORT_WRITERS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    partnerships = list(partnerships_for_user(request.user))
    if request.user.role not in REPORT_WRITERS or not partnerships:
        raise Http404
    form = ReportForm(request.POST or None, partnership=partnerships[0])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        based_on = data.pop("based_on")
        report = report_create(
            partnership=partnerships[0],
            by=request.user,
            # Not asked (a form without the choice): the latest earlier report, as proposed.
            based_on=based_on if "based_on" in request.POST else True,
            **data,
        )
        based_on = report.based_on
        if based_on is not None:
            messages.success(
                request,
                _("The document is created; its texts start from “%(report)s”.")
                % {"report": based_on},
            )
        else:
            messages.success(request, _("The document is created with empty texts."))
        return redirect("reports:detail", report.pk)
    return render(request, "reports/new.html", {"form": form}, status=400 if form.errors else 200)


def _levels(user) -> list[str]:  # noqa: ANN001
    return list(DISCLOSURE_LEVELS) if disclosure_for(user) == INTERNAL else [PUBLIC]


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request.user, report_id)
    can_write = request.user.role in REPORT_WRITERS
    sections = {section.key: section for section in report.sections.prefetch_related("versions")}
    saved = {key: getattr(sections.get(key), "text", "") for key in PROSE_SECTIONS}
    if request.method == "POST":
        if not can_write:
            raise Http404
        form = ReportTextsForm(request.POST)
        if form.is_valid():
            try:
                changed = report_save(report=report, texts=_posted(form, request), by=request.user)
            except SamverkanError as error:
                form.add_error(None, str(error))
            else:
                if changed:
                    messages.success(
                        request,
                        ngettext(
                            "The texts are saved: %(count)d section changed (%(sections)s).",
                            "The texts are saved: %(count)d sections changed (%(sections)s).",
                            len(changed),
                        )
                        % {
                            "count": len(changed),
                            "sections": ", ".join(str(PROSE_SECTIONS[key]) for key in changed),
                        },
                    )
                else:
                    messages.info(request, _("Nothing was changed: the texts are as saved."))
                return redirect(report.get_absolute_url())
        status = 400
    else:
        form = ReportTextsForm(initial=saved)
        status = 200
    level = PUBLIC
    public_problem = _public_problem(report)
    if public_problem and INTERNAL in _levels(request.user):
        level = INTERNAL  # the coordinator still sees the figures, marked as exact
    figures = _figures(report, level)
    rows = [
        (
            form[key],
            sections.get(key),
            figures.get(key, []),
        )
        for key in PROSE_SECTIONS
    ]
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "form": form,
            "rows": rows,
            "can_write": can_write,
            "levels": _levels(request.user),
            "preview_level": level,
            "formats": FORMATS,
            "public_problem": public_problem,
            "preview_frame": PREVIEW_FRAME,
            "unsaved": status == 400,
        },
        status=status,
    )


def _posted(form: ReportTextsForm, request: HttpRequest) -> dict[str, str]:
    """The texts the request sent (a section left out of the request is left as it is)."""
    return {key: text for key, text in form.cleaned_data.items() if key in request.POST}


def _figures(report: Report, level: str) -> dict[str, list[str]]:
    """The sentences the document writes from the figures, by the text they follow."""
    try:
        return report_document(report, disclosure=level).generated
    except PublicPeriodError:
        return {}


def _public_problem(report: Report) -> str:
    """Why the report cannot be written with figures for publication, or ""."""
    try:
        check_public_period(report.date_from, report.date_to)
    except PublicPeriodError as error:
        return str(error)
    return ""


@login_required
@require_http_methods(["GET", "POST"])
@xframe_options_sameorigin
def report_preview(request: HttpRequest, report_id: int) -> HttpResponse:
    """The document as HTML, in the editor's frame: GET the saved texts, POST unsaved ones."""
    report = _report(request.user, report_id)
    data = request.POST if request.method == "POST" else request.GET
    level = data.get("disclosure", PUBLIC)
    if level not in _levels(request.user):
        raise Http404
    drafts = None
    if request.method == "POST":
        if request.user.role not in REPORT_WRITERS:
            raise Http404
        form = ReportTextsForm(request.POST)
        if form.is_valid():
            drafts = dict(report.sections.values_list("key", "text"))
            drafts.update(_posted(form, request))
    try:
        document = report_document(
            report, disclosure=level, language=request.LANGUAGE_CODE, drafts=drafts
        )
    except PublicPeriodError as error:
        html = render_to_string(
            "reports/preview_problem.html",
            {"message": str(error), "can_choose": INTERNAL in _levels(request.user)},
            request=request,
        )
    else:
        html = document_html(document)
    response = HttpResponse(html, content_type=CONTENT_TYPES["html"])
    # Framed by the editor of this site only (every other page refuses any frame).
    response._csp_replace = {"frame-ancestors": ["'self'"]}  # noqa: SLF001
    response["Cache-Control"] = "no-store"
    return response


@login_required
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request.user, report_id)
    fmt = request.GET.get("format", "html")
    level = request.GET.get("disclosure", PUBLIC)
    if fmt not in FORMATS or level not in DISCLOSURE_LEVELS:
        raise Http404
    if level == INTERNAL and disclosure_for(request.user) != INTERNAL:
        raise Http404  # exact figures only for those who may read them
    try:
        document = report_document(report, disclosure=level, language=request.LANGUAGE_CODE)
    except PublicPeriodError as error:
        # Shown on the report's page, which says which period can be published instead.
        messages.error(request, str(error))
        return redirect(report.get_absolute_url())
    response = HttpResponse(render_document(document, fmt), content_type=CONTENT_TYPES[fmt])
    name = f"{report.kind}-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}-{level}.{fmt}"
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response
