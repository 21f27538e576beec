"""The dashboard: thin view over dashboard.overview, and its tables as CSV or XLSX."""

import datetime
import logging
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import Role
from samverkan.dashboard.cache import Revision
from samverkan.dashboard.exports import overview_csv, overview_xlsx
from samverkan.dashboard.forms import PeriodForm
from samverkan.dashboard.overview import (
    Filter,
    FilterNotPublic,
    Overview,
    dashboard_overview,
    disclosure_for,
    partnerships_for_user,
    unit_is_published,
)
from samverkan.dashboard.periods import (
    default_period,
    months_with_data,
    reporting_periods,
    with_figures,
    year_period,
    years_with_data,
)
from samverkan.statistics.disclosure import DisclosureError
from samverkan.statistics.engine import INTERNAL, PUBLIC
from samverkan.statistics.release import PublicPeriodError

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    partnerships = list(partnerships_for_user(request.user))
    if not partnerships:
        raise Http404
    partnership = _chosen(partnerships, request.GET.get("partnership"))
    today = timezone.localdate()
    disclosure = disclosure_for(request.user)
    # What the page computes is kept under the data revision, read once here (dashboard.cache).
    revision = Revision()
    common = (partnership.pk, disclosure, today.isoformat(), get_language())
    lists = revision.cached("lists", common, lambda: _lists(partnership, today, disclosure))
    units, districts, periods, years, default = lists
    own_unit = request.user.unit if request.user.role == Role.UNIT_MANAGER else None
    if "date_from" in request.GET or "date_to" in request.GET:
        form = PeriodForm(request.GET, units=units, districts=districts)
    else:
        period = default
        form = PeriodForm(
            {
                "date_from": period.date_from,
                "date_to": period.date_to,
                "unit": request.GET.get("unit", ""),
                "district": request.GET.get("district", ""),
            },
            units=units,
            districts=districts,
        )
    result = None
    figures = ""
    exact = False
    problem = ""
    suggestion = None
    export = request.GET.get("format")
    if export not in ("csv", "xlsx"):
        export = None
    query = _query(partnership.key, form)
    if form.is_valid():
        district = form.cleaned_data.get("district") or None
        chosen = form.chosen_unit
        parts = (
            *common,
            form.period.date_from.isoformat(),
            form.period.date_to.isoformat(),
            chosen.pk if chosen is not None else "",
            district or "",
            own_unit.pk if own_unit is not None else "",
        )
        # The figures as the page shows them (whether any are the reader's own unit's exact
        # figures, and their HTML), without the overview itself when they are kept already.
        page = None if export else revision.get("page", parts)
        if page is not None:
            exact, figures = page
        else:
            try:
                result = revision.cached(
                    "figures",
                    parts,
                    lambda: dashboard_overview(
                        partnership=partnership,
                        period=form.period,
                        disclosure=disclosure,
                        filter=Filter(
                            unit=chosen,
                            district=(district, districts[district]) if district else None,
                        ),
                        own_unit=own_unit,
                        units=units,
                        districts=districts,
                    ),
                )
            except PublicPeriodError as error:
                # Steering-group members and unit managers see the public level, which
                # answers whole months that have ended: the message names the nearest one.
                problem, suggestion = str(error), error.suggestion
            except FilterNotPublic as error:
                problem = str(error)
            except DisclosureError:
                # Figures that do not add up cannot be protected, so none are shown; the cause
                # (e.g. figures of earlier years entered inconsistently) goes to the log.
                logger.exception("The overview's figures could not be protected")
                problem = _(
                    "The figures for this period cannot be shown: they do not add up, so they "
                    "cannot be protected for publication. The partnership's coordinator has "
                    "been told in the log; try another period."
                )
            if result is not None:
                exact = any(section.exact for section in result.sections)
                if not export:
                    figures = render_to_string(
                        "dashboard/overview_figures.html", {"overview": result, "query": query}
                    )
                    revision.keep("page", parts, (exact, figures))
    if exact:
        # A unit manager read their own unit's exact figures: as a read of the unit's records,
        # whether the figures were computed for this request or kept.
        log_action("statistics.own_unit.viewed", user=request.user, target=own_unit)
    if result is not None and export:
        return _export(result, export)
    return render(
        request,
        "dashboard/overview.html",
        {
            "form": form,
            "overview": bool(figures),
            "figures": mark_safe(figures),  # noqa: S308 - written by the template above
            "partnership": partnership,
            "partnerships": partnerships,
            "reporting": _reporting_links(periods[:8], partnership.key, form),
            "presets": _presets(years, today, disclosure),
            "problem": problem,
            "suggestion": suggestion,
            "query": query,
            "unpublished_units": [
                unit.name
                for unit in units
                if disclosure == PUBLIC and unit != own_unit and not unit_is_published(unit, units)
            ],
        },
        status=200 if form.is_valid() else 400,
    )


def _lists(partnership, today: datetime.date, disclosure: str) -> tuple:  # noqa: ANN001
    """The page's lists: the partnership's units and districts (the filter's choices), its
    reporting periods with figures, the years with data and the period the page opens on."""
    units = list(partnership.units.order_by("name"))
    districts = dict(partnership.districts.values_list("key", "name"))
    months = months_with_data(partnership, today)
    periods = with_figures(reporting_periods(partnership, today, disclosure), months)
    default = default_period(partnership, today, disclosure, periods=periods, months=months)
    years = years_with_data(partnership, today, months)
    return units, districts, periods, years, default


def _query(partnership: str, form: PeriodForm, **extra: str) -> str:
    """The page's choices as a query string, for the export links."""
    data = form.cleaned_data if form.is_valid() else {}
    values = {"partnership": partnership}
    if data:
        values["date_from"] = data["date_from"].isoformat()
        values["date_to"] = data["date_to"].isoformat()
        if data.get("unit"):
            values["unit"] = data["unit"]
        if data.get("district"):
            values["district"] = data["district"]
    values.update(extra)
    return urlencode(values)


def _reporting_links(periods, partnership: str, form: PeriodForm) -> list[tuple[str, str, bool]]:  # noqa: ANN001
    """(label, query, current) of the latest reporting periods, keeping the filter."""
    data = form.cleaned_data if form.is_valid() else {}
    links = []
    for reporting in periods:
        values = {
            "partnership": partnership,
            "date_from": reporting.period.date_from.isoformat(),
            "date_to": reporting.period.date_to.isoformat(),
        }
        for name in ("unit", "district"):
            if data.get(name):
                values[name] = data[name]
        current = bool(data) and form.period == reporting.period
        label = f"{reporting.label} {_span(reporting.period.date_from, reporting.period.date_to)}"
        links.append((label, urlencode(values), current))
    return links


def _span(first: datetime.date, last: datetime.date) -> str:
    from django.utils.formats import date_format  # noqa: PLC0415

    if first.year == last.year:
        return f"{date_format(first, 'M')}–{date_format(last, 'M Y')}".lower()
    return f"{date_format(first, 'M Y')}–{date_format(last, 'M Y')}".lower()


def _export(result: Overview, kind: str) -> HttpResponse:
    name = f"oversikt-{result.period.date_from:%Y-%m-%d}-{result.period.date_to:%Y-%m-%d}"
    if kind == "xlsx":
        response = HttpResponse(overview_xlsx(result), content_type=XLSX)
    else:
        response = HttpResponse(overview_csv(result), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def _chosen(partnerships: list, key: str | None):  # noqa: ANN001, ANN202
    for partnership in partnerships:
        if partnership.key == key:
            return partnership
    return partnerships[0]


def _presets(
    years: list[int], today: datetime.date, disclosure: str
) -> list[tuple[int, datetime.date, datetime.date]]:
    """Whole calendar years, as links: for the public level in their released months, for
    exact figures this year up to today."""
    if disclosure == INTERNAL:
        return [
            (year, datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today))
            for year in years
        ]
    presets = []
    for year in years:
        period = year_period(year, today)
        if period.date_from.year == year:
            presets.append((year, period.date_from, period.date_to))
    return presets
