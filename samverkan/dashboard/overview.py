"""The dashboard's content: key figures for a period beside the same period a year earlier.

Plain functions over the statistics engine, testable without a request. Who sees which level of
disclosure is decided here, not in the template:
- the partnership coordinator compiles the reports and sees exact (internal) figures;
- steering-group members and unit managers see the public level — disclosure control applied —
  since a small exact number from another organisation's unit could point at a young person.

Its parts: the periods (`dashboard.periods`), what the tables show (`dashboard.sections`) and how
a figure is written (`dashboard.figures`); here, the filters and the overview from the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from samverkan.accounts.permissions import disclosure_for as disclosure_for
from samverkan.accounts.permissions import partnerships_for_user as partnerships_for_user
from samverkan.core.errors import SamverkanError
from samverkan.dashboard.figures import Figure, Section
from samverkan.dashboard.periods import Period
from samverkan.dashboard.sections import (
    CHAT,
    CLINIC,
    KEY_FIGURES,  # noqa: F401 - imported from here by reports.content
    SECTIONS,
    SUPPORT_CENTRE,
    Line,
    support_centre_referrals,
)
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
from samverkan.statistics.release import public_note


def _value(stats: dict[str, Any], path: str) -> int | float | None:
    return read(stats, path)


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
            lines = (*lines, *support_centre_referrals(services))
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
