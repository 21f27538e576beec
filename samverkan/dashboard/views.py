"""The dashboard: thin view over dashboard.overview."""

import datetime
import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.dashboard.forms import PeriodForm
from samverkan.dashboard.overview import (
    dashboard_overview,
    default_period,
    disclosure_for,
    partnerships_for_user,
    year_period,
    years_with_data,
)
from samverkan.statistics.disclosure import DisclosureError
from samverkan.statistics.engine import INTERNAL
from samverkan.statistics.release import PublicPeriodError

logger = logging.getLogger(__name__)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    partnerships = list(partnerships_for_user(request.user))
    if not partnerships:
        raise Http404
    partnership = _chosen(partnerships, request.GET.get("partnership"))
    today = timezone.localdate()
    if "date_from" in request.GET or "date_to" in request.GET:
        form = PeriodForm(request.GET)
    else:
        period = default_period(partnership, today, disclosure_for(request.user))
        form = PeriodForm({"date_from": period.date_from, "date_to": period.date_to})
    result = None
    problem = ""
    suggestion = None
    if form.is_valid():
        try:
            result = dashboard_overview(
                partnership=partnership,
                period=form.period,
                disclosure=disclosure_for(request.user),
            )
        except PublicPeriodError as error:
            # Steering-group members and unit managers see the public level, which answers
            # whole months that have ended: the message names the nearest such period.
            problem, suggestion = str(error), error.suggestion
        except DisclosureError:
            # Figures that do not add up cannot be protected, so none are shown; the cause
            # (e.g. figures of earlier years entered inconsistently) goes to the log.
            logger.exception("The overview's figures could not be protected")
            problem = _(
                "The figures for this period cannot be shown: they do not add up, so they "
                "cannot be protected for publication. The partnership's coordinator has been "
                "told in the log; try another period."
            )
    return render(
        request,
        "dashboard/overview.html",
        {
            "form": form,
            "overview": result,
            "partnership": partnership,
            "partnerships": partnerships,
            "presets": _presets(
                years_with_data(partnership, today), today, disclosure_for(request.user)
            ),
            "problem": problem,
            "suggestion": suggestion,
        },
        status=200 if form.is_valid() else 400,
    )


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
