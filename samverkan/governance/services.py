"""Writes of the governance app: keyword-only, one transaction, checked before saving, each with
its audit entry (accounts.audit) in the same transaction."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import Role, User
from samverkan.core.errors import Forbidden, SamverkanError
from samverkan.governance.agreement_calendar import ENDED, agreement_on
from samverkan.governance.models import (
    COST_CATEGORIES,
    INCOME_CATEGORIES,
    Decision,
    FinancialReport,
    FinancialReportLine,
    Meeting,
    Notice,
    Obligation,
    ObligationItem,
    Payment,
)
from samverkan.partnership.models import (
    Agreement,
    Group,
    GroupMember,
    Organisation,
    _add_months,
)


def _require_coordinator(by: User | None) -> None:
    if by is not None and by.role != Role.COORDINATOR:
        raise Forbidden(_("Only the partnership's coordinator can do this."))


@transaction.atomic
def notice_register(
    *,
    agreement: Agreement,
    given_by: Organisation,
    given_on: datetime.date,
    by: User | None = None,
) -> Notice:
    """Register a party's notice; the calendar and the reports due follow from it."""
    _require_coordinator(by)
    if not agreement.partnership.organisations.filter(pk=given_by.pk).exists():
        raise SamverkanError(_("Only a party to the agreement can give notice."))
    if given_on > timezone.localdate():
        raise SamverkanError(_("Register a notice once it has been given."))
    if agreement_on(agreement, given_on).status == ENDED:
        raise SamverkanError(_("The agreement had already ended on that day."))
    notice = Notice.objects.create(
        agreement=agreement, given_by=given_by, given_on=given_on, registered_by=by
    )
    obligation_items_sync(agreement=agreement, today=timezone.localdate())
    log_action("governance.notice.registered", user=by, target=notice)
    return notice


def obligation_periods(
    obligation: Obligation, until: datetime.date
) -> list[tuple[datetime.date, datetime.date, datetime.date]]:
    """(period start, period end, due on) of each report starting on or before `until`."""
    periods = []
    number = 0
    while True:
        start = _add_months(obligation.first_period_starts_on, obligation.period_months * number)
        if start > until:
            return periods
        next_start = _add_months(
            obligation.first_period_starts_on, obligation.period_months * (number + 1)
        )
        end = next_start - datetime.timedelta(days=1)
        periods.append((start, end, end + datetime.timedelta(days=obligation.due_days_after)))
        number += 1


def obligation_items_sync(*, agreement: Agreement, today: datetime.date) -> None:
    """Make the reports due of every obligation up to the agreement's end as it stands today.

    Idempotent (a unique period per obligation); after a notice, reports on periods after the
    new end that were not submitted are removed. Not one transaction, on purpose: each write is
    a statement of its own, so on SQLite no transaction reads and then waits to write (which
    fails at once when another process wrote in between, as two runs of run-due do).
    """
    ends_on = agreement_on(agreement, today).ends_on
    until = ends_on or (today + datetime.timedelta(days=366))
    for obligation in agreement.obligations.all():
        wanted = obligation_periods(obligation, until)
        ObligationItem.objects.bulk_create(
            [
                ObligationItem(obligation=obligation, period_start=s, period_end=e, due_on=d)
                for s, e, d in wanted
            ],
            ignore_conflicts=True,
        )
        obligation.items.filter(period_start__gt=until, submitted_on__isnull=True).delete()


@transaction.atomic
def obligation_item_submit(
    *, item: ObligationItem, submitted_on: datetime.date, by: User | None = None
) -> ObligationItem:
    _require_coordinator(by)
    if submitted_on > timezone.localdate():
        raise SamverkanError(_("A report is marked as submitted once it has been submitted."))
    item = ObligationItem.objects.select_for_update().get(pk=item.pk)
    if item.submitted_on is not None:
        raise SamverkanError(_("This report is already marked as submitted."))
    item.submitted_on = submitted_on
    item.submitted_by = by
    item.save(update_fields=["submitted_on", "submitted_by"])
    log_action("governance.obligation_item.submitted", user=by, target=item)
    return item


@transaction.atomic
def meeting_create(
    *,
    group: Group,
    held_on: datetime.date,
    attendees: list[GroupMember],
    decisions: list[str],
    notes: str = "",
    by: User | None = None,
) -> Meeting:
    """A meeting with who was present and its decisions, numbered in order (§1, §2, ...)."""
    _require_coordinator(by)
    if any(member.group_id != group.pk for member in attendees):
        raise SamverkanError(_("Only members of the group can be present."))
    meeting = Meeting.objects.create(
        group=group, held_on=held_on, notes=notes.strip(), registered_by=by
    )
    meeting.attendees.set(attendees)
    Decision.objects.bulk_create(
        [
            Decision(meeting=meeting, number=number, text=text.strip())
            for number, text in enumerate((t for t in decisions if t.strip()), start=1)
        ]
    )
    log_action("governance.meeting.created", user=by, target=meeting)
    return meeting


@transaction.atomic
def payment_create(
    *,
    agreement: Agreement,
    year: int,
    paid_on: datetime.date,
    amount: Decimal,
    reference: str = "",
    by: User | None = None,
) -> Payment:
    _require_coordinator(by)
    if amount <= 0:
        raise SamverkanError(_("A payment is more than 0 kronor."))
    payment = Payment.objects.create(
        agreement=agreement, year=year, paid_on=paid_on, amount=amount, reference=reference
    )
    log_action("governance.payment.created", user=by, target=payment)
    return payment


def is_foundation_manager(user: User, agreement: Agreement) -> bool:
    """A unit manager of a unit of a non-profit party: the foundation, which reports the funds."""
    return bool(
        user.is_active
        and user.role == Role.UNIT_MANAGER
        and user.unit_id
        and user.unit.organisation.kind == Organisation.Kind.NON_PROFIT
        and agreement.partnership.organisations.filter(pk=user.unit.organisation_id).exists()
    )


@transaction.atomic
def financial_report_save(
    *,
    agreement: Agreement,
    year: int,
    lines: dict[tuple[str, str], tuple[Decimal, Decimal]],
    comment: str = "",
    submit: bool = False,
    by: User | None = None,
) -> FinancialReport:
    """Save the foundation's report for a year: {(kind, category): (budget, outcome)}.

    Only the foundation changes it, and only until it is submitted.
    """
    if by is not None and not is_foundation_manager(by, agreement):
        raise Forbidden(_("The foundation's unit managers enter the financial report."))
    report, _created = FinancialReport.objects.select_for_update().get_or_create(
        agreement=agreement, year=year
    )
    if report.status != FinancialReport.Status.DRAFT:
        raise SamverkanError(_("The report has been submitted and can no longer be changed."))
    allowed = {(FinancialReportLine.Kind.INCOME, c) for c in INCOME_CATEGORIES} | {
        (FinancialReportLine.Kind.COST, c) for c in COST_CATEGORIES
    }
    for (kind, category), (budget, outcome) in lines.items():
        if (kind, category) not in allowed:
            raise SamverkanError(_("Unknown line of the financial report."))
        if budget < 0 or outcome < 0:
            raise SamverkanError(_("Amounts cannot be negative."))
        FinancialReportLine.objects.update_or_create(
            report=report,
            kind=kind,
            category=category,
            defaults={"budget": budget, "outcome": outcome},
        )
    report.comment = comment.strip()
    if submit:
        report.status = FinancialReport.Status.SUBMITTED
        report.submitted_by = by
        report.submitted_on = timezone.localdate()
    report.save()
    action = "submitted" if submit else "saved"
    log_action(f"governance.financial_report.{action}", user=by, target=report)
    return report


@transaction.atomic
def financial_report_approve(*, report: FinancialReport, by: User | None = None) -> None:
    _require_coordinator(by)
    report = FinancialReport.objects.select_for_update().get(pk=report.pk)
    if report.status != FinancialReport.Status.SUBMITTED:
        raise SamverkanError(_("Only a submitted report can be approved."))
    report.status = FinancialReport.Status.APPROVED
    report.approved_by = by
    report.approved_on = timezone.localdate()
    report.save(update_fields=["status", "approved_by", "approved_on"])
    log_action("governance.financial_report.approved", user=by, target=report)


@transaction.atomic
def financial_report_return(*, report: FinancialReport, by: User | None = None) -> None:
    """Send a submitted report back to the foundation as a draft, to be corrected."""
    _require_coordinator(by)
    report = FinancialReport.objects.select_for_update().get(pk=report.pk)
    if report.status != FinancialReport.Status.SUBMITTED:
        raise SamverkanError(_("Only a submitted report can be returned."))
    report.status = FinancialReport.Status.DRAFT
    report.save(update_fields=["status"])
    log_action("governance.financial_report.returned", user=by, target=report)


MEMBER_FIELDS = (
    "group",
    "organisation",
    "function",
    "name",
    "role",
    "member_from",
    "member_until",
    "user",
)


@transaction.atomic
def group_member_save(
    *, agreement: Agreement, member: GroupMember | None = None, by: User | None = None, **fields
) -> GroupMember:
    """Add a member to one of the partnership's groups, or change one (fields: MEMBER_FIELDS)."""
    _require_coordinator(by)
    if set(fields) - set(MEMBER_FIELDS):
        raise ValueError(f"unknown fields: {set(fields) - set(MEMBER_FIELDS)}")
    partnership = agreement.partnership
    group = fields.get("group") or (member.group if member else None)
    if group is None or group.partnership_id != partnership.pk:
        raise SamverkanError(_("Choose one of the partnership's groups."))
    organisation = fields.get("organisation") or (member.organisation if member else None)
    if organisation is None or not partnership.organisations.filter(pk=organisation.pk).exists():
        raise SamverkanError(_("A member represents one of the parties."))
    start, end = fields.get("member_from"), fields.get("member_until")
    if start and end and end < start:
        raise SamverkanError(_("A membership cannot end before it starts."))
    action = "changed" if member is not None else "created"
    member = member or GroupMember()
    for name, value in fields.items():
        setattr(member, name, value.strip() if isinstance(value, str) else value)
    member.save()
    log_action(f"governance.group_member.{action}", user=by, target=member, fields=sorted(fields))
    return member
