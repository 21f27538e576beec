"""Committee documents in the staff application: thin views over reports.services/content/render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samverkan.dashboard.overview import disclosure_for, partnerships_for_user
from samverkan.reports.content import PROSE_SECTIONS, report_document
from samverkan.reports.forms import ReportForm, SectionForm
from samverkan.reports.models import Report
from samverkan.reports.render import FORMATS
from samverkan.reports.render import render as render_document
from samverkan.reports.services import REPORT_WRITERS, report_create, section_save
from samverkan.statistics.engine import DISCLOSURE_LEVELS, INTERNAL, PUBLIC
from samverkan.statistics.release import PublicPeriodError, check_public_period

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _reports(user):  # noqa: ANN001, ANN202
    return Report.objects.filter(partnership__in=partnerships_for_user(user))


def _report(user, report_id: int) -> Report:  # noqa: ANN001
    report = _reports(user).filter(pk=report_id).select_related("partnership").first()
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
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = report_create(partnership=partnerships[0], by=request.user, **form.cleaned_data)
        messages.success(request, _("The document is created; its texts start from the last one."))
        return redirect("reports:detail", report.pk)
    return render(request, "reports/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(request.user, report_id)
    sections = {section.key: section for section in report.sections.prefetch_related("versions")}
    rows = [
        (
            key,
            heading,
            sections.get(key),
            SectionForm(initial={"text": getattr(sections.get(key), "text", "")}, prefix=key),
        )
        for key, heading in PROSE_SECTIONS.items()
    ]
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "rows": rows,
            "can_write": request.user.role in REPORT_WRITERS,
            "levels": DISCLOSURE_LEVELS if disclosure_for(request.user) == INTERNAL else [PUBLIC],
            "formats": FORMATS,
            "public_problem": _public_problem(report),
        },
    )


def _public_problem(report: Report) -> str:
    """Why the report cannot be written with figures for publication, or ""."""
    try:
        check_public_period(report.date_from, report.date_to)
    except PublicPeriodError as error:
        return str(error)
    return ""


@login_required
@require_POST
def section_edit(request: HttpRequest, report_id: int, key: str) -> HttpResponse:
    report = _report(request.user, report_id)
    if request.user.role not in REPORT_WRITERS or key not in PROSE_SECTIONS:
        raise Http404
    form = SectionForm(request.POST, prefix=key)
    if form.is_valid():
        section_save(report=report, key=key, text=form.cleaned_data["text"], by=request.user)
        messages.success(request, _("“%(section)s” is saved.") % {"section": PROSE_SECTIONS[key]})
    return redirect(f"{report.get_absolute_url()}#section-{key}")


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
