"""The dashboard's content: key figures for a period beside the same period a year earlier.

Plain functions over the statistics engine, testable without a request. Who sees which level of
disclosure is decided here, not in the template:
- the partnership coordinator compiles the reports and sees exact (internal) figures;
- steering-group members and unit managers see the public level — disclosure control applied —
  since a small exact number from another organisation's unit could point at a young person.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import Role, User
from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Partnership
from samverkan.statistics import charts
from samverkan.statistics.engine import (
    INTERNAL,
    PUBLIC,
    configuration_for,
    statistics_compute,
)
from samverkan.statistics.models import MonthlyCount
from samverkan.statistics.release import last_public_day, public_note

DASHBOARD_ROLES = frozenset({Role.COORDINATOR, Role.STEERING_MEMBER, Role.UNIT_MANAGER})
INTERNAL_ROLES = frozenset({Role.COORDINATOR})

# (statistics path, label, indented under the figure before it)
KEY_FIGURES = [
    ("chat.conversations", _("Chat conversations"), False),
    ("chat.residents.conversations", _("of which with residents"), True),
    ("chat.by_concern.perpetrator", _("of which with someone who uses violence"), True),
    ("clinic.clients", _("Clinic clients"), False),
    ("clinic.sessions", _("Clinic sessions"), False),
    ("support_centre.cases", _("Support-centre cases"), False),
    ("support_centre.screened", _("of which asked the screening question"), True),
    (
        "support_centre.partner_violence.victims.count",
        _("Victims of violence in a relationship, found by screening"),
        True,
    ),
    (
        "support_centre.partner_violence.perpetrators.count",
        _("Users of violence in a relationship, found by screening"),
        True,
    ),
    ("referrals.issued.count", _("Referral codes issued"), False),
    ("referrals.arrived.count", _("of which arrived at the destination so far"), True),
]


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
class Figure:
    path: str
    label: str
    indented: bool
    value: int | None  # None: hidden by disclosure control
    previous: int | None

    @property
    def change(self) -> int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class Overview:
    partnership: Partnership
    period: Period
    previous_period: Period
    disclosure: str
    threshold: int | None
    figures: list[Figure]
    charts: list[charts.Chart]
    hidden: int
    median_days_to_arrival: float | None
    note: str = ""
    """What a reader of public figures should know about them (statistics.release)."""

    @property
    def is_public(self) -> bool:
        return self.disclosure == PUBLIC


def partnerships_for_user(user: User) -> QuerySet[Partnership]:
    """The partnerships whose aggregates the user may see."""
    if not (user.is_active and user.role in DASHBOARD_ROLES and user.unit_id):
        return Partnership.objects.none()
    unit = user.unit
    return Partnership.objects.filter(Q(units=unit) | Q(organisations=unit.organisation)).distinct()


def disclosure_for(user: User) -> str:
    return INTERNAL if user.role in INTERNAL_ROLES else PUBLIC


def default_period(
    partnership: Partnership, today: datetime.date, disclosure: str = PUBLIC
) -> Period:
    """The calendar year of the latest month with data: where there is something to see,
    rather than an empty current year in a partnership that registers late. For the public
    level its whole months that have been released (statistics.release); for the coordinator's
    exact figures up to today, so that what was registered today is on the page."""
    latest = MonthlyCount.objects.filter(
        unit__in=partnership.units.all(), month__lte=today
    ).aggregate(latest=Max("month"))["latest"]
    year = (latest or today).year
    if disclosure == INTERNAL:
        return Period(datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today))
    return year_period(year, today)


def year_period(year: int, today: datetime.date) -> Period:
    """The whole year, or its months that have ended; the year before if none has."""
    end = min(datetime.date(year, 12, 31), last_public_day(today))
    if end < datetime.date(year, 1, 1):
        return Period(datetime.date(year - 1, 1, 1), datetime.date(year - 1, 12, 31))
    return Period(datetime.date(year, 1, 1), end)


def years_with_data(partnership: Partnership, today: datetime.date) -> list[int]:
    """This year and the latest years with registered data, newest first."""
    # The distinct months, then their years in Python: `.dates(..., "year")` makes SQLite call
    # a Python function for every monthly row, the larger part of the page's database time.
    months = (
        MonthlyCount.objects.filter(unit__in=partnership.units.all(), month__lte=today)
        .values_list("month", flat=True)
        .distinct()
    )
    years = {today.year, *(month.year for month in months)}
    return sorted(years, reverse=True)[:5]


def _value(stats: dict[str, Any], path: str) -> int | None:
    return charts._get(stats, path)  # noqa: SLF001 - the one path lookup over the engine's tree


def dashboard_overview(*, partnership: Partnership, period: Period, disclosure: str) -> Overview:
    # Units, districts and services once for both periods and the funnel's labels.
    configuration = configuration_for(partnership)
    stats = statistics_compute(
        partnership=partnership,
        date_from=period.date_from,
        date_to=period.date_to,
        disclosure=disclosure,
        configuration=configuration,
    )
    previous_period = period.year_before()
    previous = statistics_compute(
        partnership=partnership,
        date_from=previous_period.date_from,
        date_to=previous_period.date_to,
        disclosure=disclosure,
        configuration=configuration,
    )
    figures = [
        Figure(
            path=path,
            label=str(label),
            indented=indented,
            value=_value(stats, path),
            previous=_value(previous, path),
        )
        for path, label, indented in KEY_FIGURES
    ]
    return Overview(
        partnership=partnership,
        period=period,
        previous_period=previous_period,
        disclosure=disclosure,
        threshold=stats["disclosure"]["threshold"],
        figures=figures,
        charts=[
            charts.conversations_by_month(stats),
            charts.gender_breakdown(stats),
            charts.referral_funnel(stats, dict(configuration.services)),
        ],
        median_days_to_arrival=_value(stats, "referrals.median_days_to_arrival"),
        hidden=len(stats["disclosure"]["suppressed"]),
        note=public_note(stats["disclosure"]["threshold"]) if disclosure == PUBLIC else "",
    )
