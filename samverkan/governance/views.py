"""Governance pages: the coordinator edits, steering-group members read, the foundation's unit
managers read the money and enter the financial report. Everyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samverkan.core.refusals import refusal_as_message, refusal_on_form
from samverkan.governance import selectors, services
from samverkan.governance.agreement_calendar import agreement_on
from samverkan.governance.exports import money_export_csv, money_export_xlsx
from samverkan.governance.forms import (
    DecisionSearchForm,
    FinancialReportForm,
    GroupMemberForm,
    MeetingForm,
    NoticeForm,
    PaymentForm,
    SubmittedForm,
)
from samverkan.governance.models import FinancialReport, Meeting, ObligationItem
from samverkan.partnership.models import GroupMember


def _coordinator(request: HttpRequest, *, money: bool = False) -> selectors.Access:
    access = selectors.access_for(request.user, money=money)
    if not access.can_edit:
        raise Http404
    return access


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    access = selectors.access_for(request.user)
    today = timezone.localdate()
    items = selectors.obligation_items(access.agreement).order_by("due_on", "pk")
    context = {
        "access": access,
        "today": today,
        "calendar": agreement_on(access.agreement, today),
        "periods": access.agreement.periods(),
        "notices": access.agreement.notices.select_related("given_by"),
        "items": [(item, item.status_on(today)) for item in items],
        "notice_form": NoticeForm(agreement=access.agreement) if access.can_edit else None,
        "submitted_form": SubmittedForm() if access.can_edit else None,
    }
    return render(request, "governance/overview.html", context)


@login_required
@require_POST
def notice_register(request: HttpRequest) -> HttpResponse:
    access = _coordinator(request)
    form = NoticeForm(request.POST, agreement=access.agreement)
    if form.is_valid():
        with refusal_on_form(form):
            services.notice_register(
                agreement=access.agreement, by=request.user, **form.cleaned_data
            )
        if not form.errors:
            messages.success(request, _("The notice is registered."))
            return redirect("governance:overview")
    return render(request, "governance/notice_form.html", {"form": form}, status=400)


@login_required
@require_POST
def item_submit(request: HttpRequest, pk: int) -> HttpResponse:
    access = _coordinator(request)
    item = get_object_or_404(ObligationItem, pk=pk, obligation__agreement=access.agreement)
    form = SubmittedForm(request.POST)
    if form.is_valid():
        with refusal_as_message(request):
            services.obligation_item_submit(item=item, by=request.user, **form.cleaned_data)
            messages.success(request, _("The report is marked as submitted."))
    else:
        messages.error(request, _("Give the day the report was submitted."))
    return redirect("governance:overview")


@login_required
def groups(request: HttpRequest) -> HttpResponse:
    access = selectors.access_for(request.user)
    groups = access.partnership.groups.prefetch_related("members__organisation")
    meetings = Meeting.objects.filter(group__partnership=access.partnership).select_related("group")
    page = Paginator(meetings, 50).get_page(request.GET.get("sida"))
    context = {"access": access, "groups": groups, "page": page, "today": timezone.localdate()}
    return render(request, "governance/groups.html", context)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.access_for(request.user)
    meeting = get_object_or_404(
        Meeting.objects.select_related("group").prefetch_related(
            "attendees__organisation", "decisions"
        ),
        pk=pk,
        group__partnership=access.partnership,
    )
    present = {member.pk for member in meeting.attendees.all()}
    absent = [
        member
        for member in meeting.group.members.select_related("organisation")
        if member.pk not in present and member.is_member_on(meeting.held_on)
    ]
    return render(request, "governance/meeting.html", {"meeting": meeting, "absent": absent})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    access = _coordinator(request)
    form = MeetingForm(request.POST or None, agreement=access.agreement)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            meeting = services.meeting_create(by=request.user, **form.cleaned_data)
        if not form.errors:
            messages.success(request, _("The meeting is registered."))
            return redirect("governance:meeting_detail", pk=meeting.pk)
    return render(request, "governance/meeting_form.html", {"form": form})


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    access = selectors.access_for(request.user)
    form = DecisionSearchForm(request.GET or None)
    found = selectors.decisions_in(access.partnership)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        found = selectors.decisions_in(
            access.partnership,
            data["date_from"],
            data["date_to"],
            text=data["q"],
            group_kind=data["group"],
        )
    page = Paginator(found, 50).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    query.pop("sida", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "governance/decisions.html", context)


@login_required
def money(request: HttpRequest) -> HttpResponse:
    access = selectors.access_for(request.user, money=True)
    context = {
        "access": access,
        "years": selectors.money_by_year(access.agreement),
        "payments": access.agreement.payments.all(),
    }
    return render(request, "governance/money.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def payment_create(request: HttpRequest) -> HttpResponse:
    access = _coordinator(request)
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            services.payment_create(
                agreement=access.agreement, by=request.user, **form.cleaned_data
            )
        if not form.errors:
            messages.success(request, _("The payment is registered."))
            return redirect("governance:money")
    return render(request, "governance/payment_form.html", {"form": form})


def _report_year(access: selectors.Access, year: int) -> None:
    years = [m.year for m in selectors.money_by_year(access.agreement)]
    if year not in years:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def financial_report(request: HttpRequest, year: int) -> HttpResponse:
    access = selectors.access_for(request.user, money=True)
    _report_year(access, year)
    report = (
        FinancialReport.objects.filter(agreement=access.agreement, year=year)
        .prefetch_related("lines")
        .first()
    )
    editable = access.is_foundation and (
        report is None or report.status == FinancialReport.Status.DRAFT
    )
    if request.method == "POST" and not editable:
        raise Http404
    form = FinancialReportForm(request.POST or None, report=report) if editable else None
    if form is not None and request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        with refusal_on_form(form):
            services.financial_report_save(
                agreement=access.agreement,
                year=year,
                lines=form.line_values(),
                comment=form.cleaned_data["comment"],
                submit=submit,
                by=request.user,
            )
        if not form.errors:
            messages.success(
                request,
                _("The report is submitted for approval.") if submit else _("The report is saved."),
            )
            return redirect("governance:financial_report", year=year)
    lines = []
    if report is not None:
        lines = list(report.lines.all())
    context = {
        "access": access,
        "year": year,
        "report": report,
        "form": form,
        "income": [line for line in lines if line.kind == "income"],
        "costs": [line for line in lines if line.kind == "cost"],
        "can_approve": access.can_edit
        and report is not None
        and report.status == FinancialReport.Status.SUBMITTED,
    }
    return render(request, "governance/financial_report.html", context)


@login_required
@require_POST
def financial_report_decide(request: HttpRequest, year: int) -> HttpResponse:
    access = _coordinator(request)
    report = get_object_or_404(FinancialReport, agreement=access.agreement, year=year)
    with refusal_as_message(request):
        if request.POST.get("action") == "return":
            services.financial_report_return(report=report, by=request.user)
            messages.success(request, _("The report is returned to the foundation."))
        else:
            services.financial_report_approve(report=report, by=request.user)
            messages.success(request, _("The report is approved."))
    return redirect("governance:financial_report", year=year)


@login_required
def money_export(request: HttpRequest) -> HttpResponse:
    access = selectors.access_for(request.user, money=True)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            money_export_xlsx(access.agreement),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = "ekonomi.xlsx"
    else:
        response = HttpResponse(money_export_csv(access.agreement), content_type="text/csv")
        name = "ekonomi.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a member to a group (no pk) or change one."""
    access = _coordinator(request)
    member = None
    if pk is not None:
        member = get_object_or_404(GroupMember, pk=pk, group__partnership=access.partnership)
    initial = {}
    if member is not None:
        initial = {name: getattr(member, name) for name in services.MEMBER_FIELDS}
    form = GroupMemberForm(request.POST or None, agreement=access.agreement, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusal_on_form(form):
            services.group_member_save(
                agreement=access.agreement, member=member, by=request.user, **form.cleaned_data
            )
        if not form.errors:
            messages.success(request, _("The member is saved."))
            return redirect("governance:groups")
    return render(request, "governance/member_form.html", {"form": form, "member": member})
