"""Reads of the governance app: what pages and committee reports need.

For reports (samverkan.reports): `agreement_summary`, `obligations_in`, `meetings_in`,
`decisions_in` and `money_by_year` take a partnership and dates and return plain data.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from samverkan.accounts.models import Role, User
from samverkan.accounts.permissions import GOVERNANCE_READING_ROLES as READING_ROLES
from samverkan.governance.agreement_calendar import AgreementDay, agreement_for, agreement_on
from samverkan.governance.models import (
    Decision,
    FinancialReport,
    FinancialReportLine,
    Meeting,
    ObligationItem,
)
from samverkan.governance.services import is_foundation_manager
from samverkan.partnership.models import Agreement, Partnership


def partnership_for_user(user: User) -> Partnership | None:
    """The partnership the user's unit or organisation takes part in."""
    return Partnership.objects.first_for_user(user)


@dataclass(frozen=True)
class Access:
    partnership: Partnership
    agreement: Agreement
    can_edit: bool  # the coordinator
    is_foundation: bool  # a unit manager of the foundation: enters the financial report


def access_for(user: User, *, money: bool = False) -> Access:
    """What the user may see of the partnership's governance; 404 for everyone else.

    Coordinators and steering-group members read everything; the foundation's unit managers read
    the money pages (money=True) and enter the financial report.
    """
    partnership = partnership_for_user(user)
    if partnership is None:
        raise Http404
    agreement = agreement_for(partnership, timezone.localdate())
    if agreement is None:
        raise Http404
    foundation = is_foundation_manager(user, agreement)
    if not (user.role in READING_ROLES or (money and foundation)):
        raise Http404
    return Access(partnership, agreement, user.role == Role.COORDINATOR, foundation)


def agreement_summary(partnership: Partnership, on: datetime.date) -> AgreementDay | None:
    """The agreement on a day: status, current period, notice deadline, end, notice given."""
    agreement = agreement_for(partnership, on)
    return agreement_on(agreement, on) if agreement else None


def obligation_items(agreement: Agreement) -> QuerySet[ObligationItem]:
    return ObligationItem.objects.filter(obligation__agreement=agreement).select_related(
        "obligation", "submitted_by"
    )


def obligations_in(
    partnership: Partnership, date_from: datetime.date, date_to: datetime.date
) -> list[dict]:
    """Reports due from `date_from` to `date_to`, with their status on `date_to`."""
    items = ObligationItem.objects.filter(
        obligation__agreement__partnership=partnership,
        due_on__gte=date_from,
        due_on__lte=date_to,
    ).select_related("obligation")
    return [
        {
            "title": item.obligation.title,
            "kind": item.obligation.kind,
            "reported_by": item.obligation.reported_by,
            "reported_to": item.obligation.reported_to,
            "period_start": item.period_start,
            "period_end": item.period_end,
            "due_on": item.due_on,
            "submitted_on": item.submitted_on,
            "status": item.status_on(date_to),
        }
        for item in items
    ]


def meetings_in(
    partnership: Partnership, date_from: datetime.date, date_to: datetime.date
) -> QuerySet[Meeting]:
    """Meetings of the partnership's groups in the period, with attendees and decisions."""
    return (
        Meeting.objects.filter(
            group__partnership=partnership, held_on__gte=date_from, held_on__lte=date_to
        )
        .select_related("group")
        .prefetch_related("attendees__organisation", "decisions")
        .order_by("held_on", "pk")
    )


def decisions_in(
    partnership: Partnership,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    *,
    text: str = "",
    group_kind: str = "",
) -> QuerySet[Decision]:
    """The decision log, searchable by words of the decision, group and dates."""
    decisions = Decision.objects.filter(meeting__group__partnership=partnership).select_related(
        "meeting__group"
    )
    if date_from:
        decisions = decisions.filter(meeting__held_on__gte=date_from)
    if date_to:
        decisions = decisions.filter(meeting__held_on__lte=date_to)
    if group_kind:
        decisions = decisions.filter(meeting__group__kind=group_kind)
    for word in text.split():
        decisions = decisions.filter(Q(text__icontains=word) | Q(responsible__icontains=word))
    return decisions


@dataclass(frozen=True)
class YearMoney:
    year: int
    compensation: Decimal  # agreed for the year (the yearly compensation while the agreement ran)
    paid: Decimal
    report: FinancialReport | None
    income_budget: Decimal
    income_outcome: Decimal
    cost_budget: Decimal
    cost_outcome: Decimal


def money_by_year(agreement: Agreement, today: datetime.date | None = None) -> list[YearMoney]:
    """Per calendar year the agreement runs: compensation, payments, the financial report."""
    today = today or timezone.localdate()
    state = agreement_on(agreement, today)
    last_day = state.ends_on or today
    paid = dict(
        agreement.payments.values_list("year").annotate(total=Sum("amount")).order_by("year")
    )
    reports = {r.year: r for r in agreement.financial_reports.all()}
    totals = {
        (row["report__year"], row["kind"]): row
        for row in FinancialReportLine.objects.filter(report__agreement=agreement)
        .values("report__year", "kind")
        .annotate(budget=Sum("budget"), outcome=Sum("outcome"))
    }
    zero = Decimal(0)
    years = []
    for year in range(agreement.starts_on.year, last_day.year + 1):
        income = totals.get((year, FinancialReportLine.Kind.INCOME), {})
        cost = totals.get((year, FinancialReportLine.Kind.COST), {})
        years.append(
            YearMoney(
                year=year,
                compensation=_compensation_in(agreement, year, last_day),
                paid=paid.get(year, zero),
                report=reports.get(year),
                income_budget=income.get("budget", zero),
                income_outcome=income.get("outcome", zero),
                cost_budget=cost.get("budget", zero),
                cost_outcome=cost.get("outcome", zero),
            )
        )
    return years


def _compensation_in(agreement: Agreement, year: int, last_day: datetime.date) -> Decimal:
    """The yearly compensation for a calendar year: the full amount for a year the agreement
    runs in, nothing otherwise. (A first or last period over the turn of a year is paid for the
    year in which most of it falls; the document's 15 December start counts for the next year.)"""
    first_year = agreement.starts_on.year + (1 if agreement.starts_on.month == 12 else 0)
    last_year = last_day.year - (1 if last_day.month == 1 else 0)
    if first_year <= year <= last_year:
        return agreement.yearly_compensation
    return Decimal(0)


def money_summary(partnership: Partnership, year: int) -> YearMoney | None:
    """One year's money, for a report (None if the partnership has no agreement that year)."""
    agreement = agreement_for(partnership, datetime.date(year, 12, 31))
    if agreement is None:
        return None
    return next((m for m in money_by_year(agreement) if m.year == year), None)


def menu_entry(user: User) -> tuple[str, str] | None:
    """The governance page the main menu links to for the user, if any: (kind, URL name)."""
    if not (user.role in READING_ROLES or user.role == Role.UNIT_MANAGER):
        return None  # most users: no query at all
    try:
        access = access_for(user, money=True)
    except Http404:
        return None
    if user.role in READING_ROLES:
        return ("governance", "governance:overview")
    return ("money", "governance:money") if access.is_foundation else None
