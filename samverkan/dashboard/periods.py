"""The overview's periods: the one a reader asks for, the one a year before, the partnership's
reporting periods and the default a page opens on."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Partnership
from samverkan.statistics.engine import INTERNAL, PUBLIC
from samverkan.statistics.models import MonthlyCount
from samverkan.statistics.release import is_public_period, last_public_day


@dataclass(frozen=True)
class Period:
    date_from: datetime.date
    date_to: datetime.date

    def __post_init__(self) -> None:
        if self.date_to < self.date_from:
            raise SamverkanError(_("The period ends before it starts."))

    def year_before(self) -> Period:
        return Period(_one_year_back(self.date_from), _one_year_back(self.date_to))


def _one_year_back(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class ReportingPeriod:
    """A period the partnership reports on: a committee document's, or one of the agreement's
    reporting obligations (activity reports, annual compilations)."""

    label: str
    period: Period


REPORTING_OBLIGATIONS = ("activity-report", "annual-compilation", "interim-report")
"""The obligations whose periods the figures are reported for (not the financial report)."""


DocumentPeriods = Callable[
    [Partnership, datetime.date], Iterable[tuple[str, datetime.date, datetime.date]]
]
"""(label, first day, last day) of a partnership's documents whose periods end by the day."""

DOCUMENT_PERIODS: list[DocumentPeriods] = []
"""Where the committee documents' periods come from: filled by the app that keeps the documents
(`reports`, a layer above the overview, in its `ready`), so the overview lists them without
reading that app's models."""


def reporting_periods(
    partnership: Partnership, today: datetime.date, disclosure: str = PUBLIC
) -> list[ReportingPeriod]:
    """The reporting periods that have ended, newest first; for the public level only those
    of whole months that have been released (statistics.release), which it alone answers."""
    from samverkan.governance.models import ObligationItem  # noqa: PLC0415

    last = today - datetime.timedelta(days=1) if disclosure == INTERNAL else last_public_day(today)
    found: dict[tuple[datetime.date, datetime.date], str] = {}
    for source in DOCUMENT_PERIODS:
        for label, date_from, date_to in source(partnership, last):
            found.setdefault((date_from, date_to), label)
    items = ObligationItem.objects.filter(
        obligation__agreement__partnership=partnership,
        obligation__kind__in=REPORTING_OBLIGATIONS,
        period_end__lte=last,
    ).order_by()
    for title, date_from, date_to in items.values_list(
        "obligation__title", "period_start", "period_end"
    ):
        found.setdefault((date_from, date_to), title)
    periods = [
        ReportingPeriod(label, Period(date_from, date_to))
        for (date_from, date_to), label in found.items()
        if date_from <= date_to
        and (disclosure == INTERNAL or is_public_period(date_from, date_to, today))
    ]
    # Newest first: the latest end, and of periods ending the same day the shortest (the
    # half-year before the year).
    return sorted(periods, key=lambda p: (p.period.date_to, p.period.date_from), reverse=True)


def months_with_data(partnership: Partnership, today: datetime.date) -> list[datetime.date]:
    """The months with registered counts up to today, once for the default period and the
    presets."""
    # The distinct months, then their years in Python: `.dates(..., "year")` makes SQLite call
    # a Python function for every monthly row, the larger part of the page's database time.
    return list(
        MonthlyCount.objects.filter(unit__in=partnership.units.all(), month__lte=today)
        .order_by()
        .values_list("month", flat=True)
        .distinct()
    )


def with_figures(
    periods: list[ReportingPeriod], months: list[datetime.date]
) -> list[ReportingPeriod]:
    """The reporting periods with any registered figures (not those still ahead of the data)."""
    return [
        reporting
        for reporting in periods
        if any(
            reporting.period.date_from.replace(day=1) <= month <= reporting.period.date_to
            for month in months
        )
    ]


def default_period(
    partnership: Partnership,
    today: datetime.date,
    disclosure: str = PUBLIC,
    *,
    periods: list[ReportingPeriod] | None = None,
    months: list[datetime.date] | None = None,
) -> Period:
    """The latest reporting period of the agreement that has ended and has figures: the period
    the steering group and the committee read about, rather than a current year that is nearly
    empty in a partnership that reports on last year. For the public level its whole months
    must have been released (statistics.release). The coordinator's exact figures open on this
    year up to today when anything has been registered this year, so that what was registered
    today is on the page (the reporting periods are one click away). Without a reporting
    period, the calendar year of the latest month with data (its released months at the public
    level)."""
    if periods is None:
        periods = reporting_periods(partnership, today, disclosure)
    if months is None:
        months = months_with_data(partnership, today)
    this_year = datetime.date(today.year, 1, 1)
    if disclosure == INTERNAL and any(month >= this_year for month in months):
        return Period(this_year, today)
    with_data = with_figures(periods, months)
    if with_data:
        return with_data[0].period
    year = max(months).year if months else today.year
    if disclosure == INTERNAL:
        return Period(datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today))
    return year_period(year, today)


def year_period(year: int, today: datetime.date) -> Period:
    """The whole year, or its months that have ended; the year before if none has."""
    end = min(datetime.date(year, 12, 31), last_public_day(today))
    if end < datetime.date(year, 1, 1):
        return Period(datetime.date(year - 1, 1, 1), datetime.date(year - 1, 12, 31))
    return Period(datetime.date(year, 1, 1), end)


def years_with_data(
    partnership: Partnership, today: datetime.date, months: list[datetime.date] | None = None
) -> list[int]:
    """This year and the latest years with registered data, newest first."""
    if months is None:
        months = months_with_data(partnership, today)
    years = {today.year, *(month.year for month in months)}
    return sorted(years, reverse=True)[:5]
