"""The dashboard's content: key figures for a period beside the same period a year earlier.

Plain functions over the statistics engine, testable without a request. Who sees which level of
disclosure is decided here, not in the template:
- the partnership coordinator compiles the reports and sees exact (internal) figures;
- steering-group members and unit managers see the public level — disclosure control applied —
  since a small exact number from another organisation's unit could point at a young person.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.utils.formats import get_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.permissions import disclosure_for as disclosure_for
from samverkan.accounts.permissions import partnerships_for_user as partnerships_for_user
from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Partnership, Unit
from samverkan.statistics import charts
from samverkan.statistics.engine import (
    INTERNAL,
    PUBLIC,
    Configuration,
    configuration_for,
    statistics_compute,
)
from samverkan.statistics.figures import read
from samverkan.statistics.models import MonthlyCount
from samverkan.statistics.release import is_public_period, last_public_day, public_note

# The committee report's table of key figures (reports.content): (statistics path, label,
# indented under the figure before it). The overview shows these and more, by population
# (SECTIONS below).
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
class ReportingPeriod:
    """A period the partnership reports on: a committee document's, or one of the agreement's
    reporting obligations (activity reports, annual compilations)."""

    label: str
    period: Period


REPORTING_OBLIGATIONS = ("activity-report", "annual-compilation", "interim-report")
"""The obligations whose periods the figures are reported for (not the financial report)."""


def reporting_periods(
    partnership: Partnership, today: datetime.date, disclosure: str = PUBLIC
) -> list[ReportingPeriod]:
    """The reporting periods that have ended, newest first; for the public level only those
    of whole months that have been released (statistics.release), which it alone answers."""
    from samverkan.governance.models import ObligationItem  # noqa: PLC0415
    from samverkan.reports.models import Report  # noqa: PLC0415

    last = today - datetime.timedelta(days=1) if disclosure == INTERNAL else last_public_day(today)
    found: dict[tuple[datetime.date, datetime.date], str] = {}
    reports = Report.objects.filter(partnership=partnership, date_to__lte=last).order_by()
    for kind, date_from, date_to in reports.values_list("kind", "date_from", "date_to"):
        label = str(Report.Kind(kind).label)
        found.setdefault((date_from, date_to), label[:1].upper() + label[1:])
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


def _value(stats: dict[str, Any], path: str) -> int | float | None:
    return read(stats, path)


# --- What the overview shows: every figure the committee report prints, by population ---------

COUNT, MEAN, MEDIAN = "count", "mean", "median"
HIDDEN = ".."
"""A figure disclosure control hides, in tables as in Swedish official statistics."""
CHAT, CLINIC, SUPPORT_CENTRE = Unit.Kind.CHAT, Unit.Kind.CLINIC, Unit.Kind.SUPPORT_CENTRE


@dataclass(frozen=True)
class Line:
    """A row of a section: a figure's path, its label, and whether it is a part of the row above
    (indented) or a mean or median rather than a count."""

    path: str
    label: Any
    indented: bool = False
    kind: str = COUNT


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: Any
    population: Any
    """Whom the section's figures count: stated on the page, so that a figure of all chat
    conversations and one of the residents' never read as two answers to one question."""
    unit_kind: str
    """The kind of unit whose records the figures are (the unit filter)."""
    lines: tuple[Line, ...]


def _by_gender(prefix: str, indented: bool = True) -> tuple[Line, ...]:
    return (
        Line(f"{prefix}.girl", _("girls"), indented),
        Line(f"{prefix}.boy", _("boys"), indented),
    )


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "chat",
        _("The chat: all conversations"),
        _(
            "Every chat conversation, whether or not the young person lives in the "
            "municipality. The committee report's sentences count the residents (next table)."
        ),
        CHAT,
        (
            Line("chat.conversations", _("Chat conversations")),
            Line("chat.by_concern.victim", _("of which about being subjected to violence"), True),
            Line("chat.by_concern.perpetrator", _("of which with someone who uses violence"), True),
            Line("chat.by_concern.friend", _("of which about a friend"), True),
            Line("chat.by_concern.other", _("of which about something else"), True),
        ),
    ),
    SectionSpec(
        "chat-residents",
        _("The chat: residents of the municipality"),
        _(
            "Conversations with young people who live in the municipality: the population of "
            "the committee report's figures about the chat."
        ),
        CHAT,
        (
            Line("chat.residents.conversations", _("Conversations with residents")),
            Line("chat.residents.by_gender.girl", _("of which girls"), True),
            Line("chat.residents.by_gender.boy", _("of which boys"), True),
            Line("chat.residents.by_gender.other", _("of which another gender identity"), True),
            Line(
                "chat.residents.by_concern.victim",
                _("of which about being subjected to violence"),
                True,
            ),
            Line(
                "chat.residents.by_concern.perpetrator",
                _("of which with someone who uses violence"),
                True,
            ),
            Line("chat.residents.by_concern.friend", _("of which about a friend"), True),
            Line("chat.residents.by_concern.other", _("of which about something else"), True),
            Line("chat.residents.mean_age", _("Mean age, years"), kind=MEAN),
            Line("chat.residents.mean_age_by_gender.girl", _("girls"), True, MEAN),
            Line("chat.residents.mean_age_by_gender.boy", _("boys"), True, MEAN),
        ),
    ),
    SectionSpec(
        "clinic",
        _("The counselling clinic"),
        _(
            "Clients with a session in the period, and the sessions; the rows below the "
            "residents count the clients who live in the municipality."
        ),
        CLINIC,
        (
            Line("clinic.clients", _("Clinic clients")),
            Line("clinic.sessions", _("Clinic sessions")),
            Line("clinic.residents.clients", _("Clients who are residents")),
            Line(
                "clinic.residents.by_gender_and_concern.girl.victim",
                _("of which girls subjected to violence"),
                True,
            ),
            Line(
                "clinic.residents.by_gender_and_concern.girl.perpetrator",
                _("of which girls who use violence"),
                True,
            ),
            Line(
                "clinic.residents.by_gender_and_concern.boy.perpetrator",
                _("of which boys who use violence"),
                True,
            ),
            Line("clinic.residents.ongoing", _("of which in a series going on at the end"), True),
        ),
    ),
    SectionSpec(
        "support-centre",
        _("The support centre"),
        _(
            "Cases received in the period; the violence in a relationship is what the "
            "screening question found."
        ),
        SUPPORT_CENTRE,
        (
            Line("support_centre.cases", _("Support-centre cases")),
            Line("support_centre.by_gender.girl", _("of which girls"), True),
            Line("support_centre.by_gender.boy", _("of which boys"), True),
            Line("support_centre.mean_age_by_gender.girl", _("Mean age of the girls"), kind=MEAN),
            Line("support_centre.mean_age_by_gender.boy", _("Mean age of the boys"), kind=MEAN),
            Line("support_centre.screened", _("Asked the screening question")),
            Line(
                "support_centre.partner_violence.victims.count",
                _("Victims of violence in a relationship, found by screening"),
            ),
            *_by_gender("support_centre.partner_violence.victims.by_gender"),
            Line(
                "support_centre.partner_violence.perpetrators.count",
                _("Users of violence in a relationship, found by screening"),
            ),
            *_by_gender("support_centre.partner_violence.perpetrators.by_gender"),
        ),
    ),
    SectionSpec(
        "referral-codes",
        _("Referral codes"),
        _(
            "Codes the chat gave in the period, and how many of them have arrived at the "
            "service so far, whenever they arrived."
        ),
        CHAT,
        (
            Line("referrals.issued.count", _("Referral codes issued")),
            Line("referrals.arrived.count", _("of which arrived at the destination so far"), True),
            Line(
                "referrals.median_days_to_arrival",
                _("Days from code to arrival (median)"),
                kind=MEDIAN,
            ),
        ),
    ),
)


def _support_centre_referrals(services: dict[str, str]) -> tuple[Line, ...]:
    """Referrals from the support centre, one row per service: the report prints them."""
    return tuple(
        Line(
            f"referrals.by_source.support_centre.{key}",
            _("Referred on by the support centre to %(service)s") % {"service": name},
        )
        for key, name in services.items()
    )


@dataclass(frozen=True)
class Figure:
    path: str
    label: str
    indented: bool
    value: int | float | None  # None: hidden by disclosure control
    previous: int | float | None
    kind: str = COUNT
    exact: bool = False
    """An exact figure of the reader's own unit among published ones."""

    @property
    def change(self) -> int | float | None:
        if self.value is None or self.previous is None:
            return None
        if self.kind == COUNT:
            return self.value - self.previous
        return round(self.value - self.previous, 1)

    @property
    def is_mean(self) -> bool:
        return self.kind != COUNT

    def shown(self, count: Callable[[Any], str] | None = None) -> tuple[str, str, str]:
        """The value, the year before's and the change as the page writes them: formatted here
        once rather than by template filters cell by cell (the page's larger cost). `count`:
        the reader's language's `count_format()`, when the caller formats many figures."""
        count = count or count_format()
        return (
            self._format(self.value, count),
            self._format(self.previous, count),
            self._change(count),
        )

    def _format(self, value: int | float | None, count: Callable[[Any], str]) -> str:
        if value is None:
            return HIDDEN
        if self.kind == COUNT:
            return count(value)
        return number_format(value, decimal_pos=1)

    def _change(self, count: Callable[[Any], str]) -> str:
        change = self.change
        if change is None:
            return HIDDEN
        return ("+" if change > 0 else "") + self._format(change, count)


def count_format() -> Callable[[Any], str]:
    """`number_format(value, force_grouping=True)` in the active language, for many counts:
    the language's separator and grouping are looked up once, and a whole number is grouped by
    Python's own formatting (the same string; anything else goes to number_format)."""
    return _count_format(get_language())


@functools.cache
def _count_format(language: str | None) -> Callable[[Any], str]:
    separator = get_format("THOUSAND_SEPARATOR", language)
    grouping = get_format("NUMBER_GROUPING", language)

    def fast(value: Any) -> str:  # noqa: ANN401 - a count, or whatever number_format takes
        if type(value) is int:
            return f"{value:,}".replace(",", separator)
        return number_format(value, force_grouping=True)

    def slow(value: Any) -> str:  # noqa: ANN401
        return number_format(value, force_grouping=True)

    # Python groups by threes with ",": the same as number_format only for a grouping of 3.
    return fast if grouping == 3 else slow


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    population: str
    figures: list[Figure]
    exact: bool = False
    """Exact figures of the reader's own unit (a unit manager's), not the published ones."""


@dataclass(frozen=True)
class Filter:
    """Which part of the partnership's figures to show: one unit's, or one district's."""

    unit: Unit | None = None
    district: tuple[str, str] | None = None
    """(key, name)"""

    @property
    def active(self) -> bool:
        return self.unit is not None or self.district is not None


class FilterNotPublic(SamverkanError):
    """The public level does not publish the figures this filter asks for."""


def unit_is_published(unit: Unit, units: list[Unit]) -> bool:
    """Whether the public level publishes a unit's figures on their own: when it is the
    partnership's only unit of its kind, its figures are whole sections of the partnership's,
    sums of the cells already released. Two units of one kind are published together only, and
    publishing each on its own would add cells a reader could take differences of."""
    return unit.kind in (CHAT, CLINIC, SUPPORT_CENTRE) and (
        sum(1 for other in units if other.kind == unit.kind) == 1
    )


@dataclass(frozen=True)
class Overview:
    partnership: Partnership
    period: Period
    previous_period: Period
    disclosure: str
    threshold: int | None
    sections: list[Section]
    charts: list[charts.Chart]
    hidden: int
    median_days_to_arrival: float | None
    filter: Filter = Filter()
    note: str = ""
    """What a reader of public figures should know about them (statistics.release)."""
    filter_note: str = ""

    @property
    def is_public(self) -> bool:
        return self.disclosure == PUBLIC

    @property
    def figures(self) -> list[Figure]:
        return [figure for section in self.sections for figure in section.figures]


def _section(
    spec_key: str,
    title: Any,
    population: Any,
    lines: tuple[Line, ...],
    stats: dict[str, Any],
    previous: dict[str, Any],
    *,
    exact: bool = False,
) -> Section:
    return Section(
        key=spec_key,
        title=str(title),
        population=str(population),
        figures=[
            Figure(
                path=line.path,
                label=str(line.label),
                indented=line.indented,
                value=_value(stats, line.path),
                previous=_value(previous, line.path),
                kind=line.kind,
                exact=exact,
            )
            for line in lines
        ],
        exact=exact,
    )


def _statistics(
    partnership: Partnership,
    configuration: Configuration,
    period: Period,
    disclosure: str,
    *,
    narrowed: bool = False,
) -> dict[str, Any]:
    """`narrowed`: the configuration is restricted to one unit. Such figures are internal only:
    the public level releases the partnership's months once (ReleasedFigure), and a release of a
    unit's figures under the partnership's cells would be wrong and could never be taken back."""
    if narrowed and disclosure != INTERNAL:
        raise ValueError("A unit's own figures are internal only.")
    return statistics_compute(
        partnership=partnership,
        date_from=period.date_from,
        date_to=period.date_to,
        disclosure=disclosure,
        configuration=configuration,
    )


def dashboard_overview(
    *,
    partnership: Partnership,
    period: Period,
    disclosure: str,
    filter: Filter = Filter(),  # noqa: A002 - the page's word
    own_unit: Unit | None = None,
    units: list[Unit] | None = None,
    districts: dict[str, str] | None = None,
) -> Overview:
    """The overview of a period beside the same period a year earlier.

    At the public level every figure comes from `statistics_compute(disclosure="public")`; a
    unit filter there only selects the sections of a unit the public level publishes on its
    own (`unit_is_published`), a district filter the residents' conversations of the district
    (finest cells of the release), and anything else raises FilterNotPublic. `own_unit`: the
    reader's own unit (a unit manager's), whose sections are its exact figures instead.
    `units` and `districts`: all of the partnership's, in name order, when the caller has read
    them (the page, for its filter); the figures' configuration takes them from there.
    """
    # Units, districts and services once for both periods and the funnel's labels; the units
    # and districts the page has read for its filter are the configuration's too.
    if units is None:
        units = list(partnership.units.all())
    if districts is None:
        districts = dict(partnership.districts.values_list("key", "name"))
    configuration = configuration_for(
        partnership, unit_ids=tuple(unit.pk for unit in units), district_keys=tuple(districts)
    )
    previous_period = period.year_before()
    if filter.unit is not None and (
        filter.unit.pk not in configuration.unit_ids
        or filter.unit.kind not in (CHAT, CLINIC, SUPPORT_CENTRE)
    ):
        raise FilterNotPublic(
            _("%(unit)s keeps no figures of its own in the partnership.")
            % {"unit": filter.unit.name}
        )
    if filter.unit is not None and filter.district is not None and filter.unit.kind != CHAT:
        raise FilterNotPublic(
            _(
                "%(unit)s keeps no figures by district: only the chat asks where a young "
                "person lives. Choose all districts, or the chat."
            )
            % {"unit": filter.unit.name}
        )
    if own_unit is not None and own_unit.pk not in configuration.unit_ids:
        own_unit = None
    if filter.unit is not None and disclosure == PUBLIC and filter.unit != own_unit:
        if not unit_is_published(filter.unit, units):
            raise FilterNotPublic(
                _(
                    "%(unit)s's figures are not published on their own: the partnership has "
                    "several units of its kind, whose figures are published together. Choose "
                    "all units, or ask the partnership's coordinator."
                )
                % {"unit": filter.unit.name}
            )
    services = dict(configuration.services)

    # The published figures, unless the reader sees only their own unit.
    only_own = filter.unit is not None and filter.unit == own_unit
    stats = previous = None
    if not only_own:
        if disclosure == INTERNAL and filter.unit is not None:
            narrowed = replace(configuration, unit_ids=(filter.unit.pk,))
        else:
            narrowed = configuration
        one_unit = narrowed is not configuration
        stats = _statistics(partnership, narrowed, period, disclosure, narrowed=one_unit)
        previous = _statistics(
            partnership, narrowed, previous_period, disclosure, narrowed=one_unit
        )
    # A unit manager's own unit, exactly: what their lists show anyway.
    own_stats = own_previous = None
    if own_unit is not None and (only_own or (filter.unit is None and filter.district is None)):
        own = replace(configuration, unit_ids=(own_unit.pk,))
        own_stats = _statistics(partnership, own, period, INTERNAL, narrowed=True)
        own_previous = _statistics(partnership, own, previous_period, INTERNAL, narrowed=True)

    sections: list[Section] = []
    specs = list(SECTIONS)
    for spec in specs:
        lines = spec.lines
        if spec.key == "support-centre":
            lines = (*lines, *_support_centre_referrals(services))
        if filter.unit is not None and spec.unit_kind != filter.unit.kind:
            continue
        if filter.district is not None:
            continue
        mine = own_unit is not None and own_unit.kind == spec.unit_kind and own_stats is not None
        source, before = (own_stats, own_previous) if mine else (stats, previous)
        sections.append(
            _section(spec.key, spec.title, spec.population, lines, source, before, exact=mine)
        )
    filter_note = ""
    main, main_previous = (stats, previous) if stats is not None else (own_stats, own_previous)
    if filter.district is not None:
        key, name = filter.district
        path = f"chat.residents.by_district.{key}"
        sections.append(
            _section(
                "district",
                _("The chat: residents of %(district)s") % {"district": name},
                _(
                    "Chat conversations with young people who said they live in the district. "
                    "Only the chat asks where a young person lives: no other figure is kept by "
                    "district."
                ),
                (Line(path, _("Conversations with residents of the district")),),
                main,
                main_previous,
                exact=only_own,
            )
        )
    district_names = {key: districts.get(key, key) for key in configuration.district_keys}
    chart_list = _charts(main, services, filter, district_names)
    if filter.unit is not None:
        filter_note = _("Figures of %(unit)s only.") % {"unit": filter.unit.name}
    return Overview(
        partnership=partnership,
        period=period,
        previous_period=previous_period,
        disclosure=main["disclosure"]["level"],
        threshold=main["disclosure"]["threshold"],
        sections=sections,
        charts=chart_list,
        median_days_to_arrival=(
            _value(main, "referrals.median_days_to_arrival")
            if filter.unit is None or filter.unit.kind == CHAT
            else None
        ),
        hidden=len(main["disclosure"]["suppressed"]),
        filter=filter,
        note=(
            public_note(main["disclosure"]["threshold"])
            if main["disclosure"]["level"] == PUBLIC
            else ""
        ),
        filter_note=filter_note,
    )


def _only(chart: charts.Chart, keep: list[int]) -> charts.Chart:
    """The chart with some of its categories only."""
    return replace(
        chart,
        categories=[chart.categories[i] for i in keep],
        series=[
            charts.Series(series.label, [series.values[i] for i in keep]) for series in chart.series
        ],
        hidden_cells=sum(1 for series in chart.series for i in keep if series.values[i] is None),
    )


def _charts(
    stats: dict[str, Any],
    services: dict[str, str],
    filter: Filter,  # noqa: A002
    districts: dict[str, str],
) -> list[charts.Chart]:
    if filter.district is not None:
        return []
    gender = charts.gender_breakdown(stats)
    kind = filter.unit.kind if filter.unit is not None else None
    result = []
    if kind in (None, CHAT):
        result.append(charts.conversations_by_month(stats))
    if kind is None:
        result.append(gender)
    else:
        result.append(_only(gender, [{CHAT: 0, CLINIC: 1, SUPPORT_CENTRE: 2}[kind]]))
    if kind in (None, CHAT):
        result.append(charts.referral_funnel(stats, services))
        result.append(charts.residents_by_district(stats, districts))
    return result
