"""The public level: the one gate every published figure goes through.

Every way figures leave the partnership at the public level — `samverkan stats --disclosure
public`, the API, the overview for steering-group members and unit managers, campaign
evaluations, committee documents (text, tables, charts) — calls `statistics_compute` with
`disclosure="public"`, which comes here. The guarantee (docs/privacy.md) rests on two rules:

1. **Whole calendar months that have ended.** A public period runs from the first day of a
   month to the last day of a month, no later than the last month that has ended. Days cannot be
   asked for, so they cannot be differenced; the month in progress is not published while it
   fills up. Any other period raises `PublicPeriodError`, whose message names the nearest period
   that can be given.
2. **A period is the sum of its months, each perturbed** (statistics.perturbation). A longer
   period carries nothing that its months do not, so a reader who combines any number of public
   outputs knows no more than the perturbed months, each of which hides its small counts.

On top of that, for the figures that are not counts:
- a published sum below the threshold is hidden (it reads "..", never 0 or a small number:
  zeros and counts from 1 to t-1 look alike), and so is every part of a hidden total (a
  breakdown of a small total is not published);
- means only from at least twice the threshold, rounded to the half year; medians likewise,
  to the whole day; extremes (the youngest age) never.
The exact figures behind a public result are computed once (the statistics, and the structure of
the figures); the months together in three queries (`engine.monthly_figures`).
"""

import datetime
from collections import defaultdict
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError
from samverkan.statistics import engine
from samverkan.statistics.disclosure import check_consistent
from samverkan.statistics.perturbation import disclosure_key, draw, perturb

SMALL, COLLAPSED, SMALL_BASE, NOT_PUBLIC = "small", "collapsed", "small-base", "not-public"
"""Why a public figure is hidden: a count published below the threshold; a part of such a
count; a mean or median of too few; a figure never published (an extreme)."""

BASE_FACTOR = 2
"""A mean or median is published from BASE_FACTOR * threshold records or more."""

DISTINCT_PREFIXES = ("clinic.clients", "clinic.residents.")
"""Counts of distinct clients with a session in the period, and of those whose series goes on at
its end: a client who comes in two months is one client in the two, so these are no sum of months.
They are perturbed as cells of the period itself, and given only for calendar months, quarters,
half-years, years and the months of a year so far (`calendar_span`): a handful of periods hold any
month, so that differencing or averaging many overlapping periods has little to work with."""


def public_note(threshold: int) -> str:
    """What a reader of public figures should know about them, in one paragraph."""
    from samverkan.statistics.perturbation import MAX_NOISE  # noqa: PLC0415

    return _(
        "Protected for publication: each count is the sum of the period's calendar months, and "
        "each month's count has been adjusted at random by at most %(noise)d, counts from 1 to "
        "%(max)d to 0 or %(threshold)d. Counts below %(threshold)d, the parts of such counts, "
        "means and medians of fewer than %(base)d records and extreme values are shown as "
        "%(mark)s; a total may differ slightly from the sum of its parts."
    ) % {
        "noise": MAX_NOISE,
        "max": threshold - 1,
        "threshold": threshold,
        "base": BASE_FACTOR * threshold,
        "mark": "..",
    }


class PublicPeriodError(SamverkanError):
    """The public level cannot answer this period; the message names one it can."""

    def __init__(self, message: str, suggestion: tuple[datetime.date, datetime.date] | None):
        super().__init__(message)
        self.suggestion = suggestion


def _month_end(day: datetime.date) -> datetime.date:
    return engine._next_month(day.replace(day=1)) - engine.ONE_DAY


def last_public_day(today: datetime.date) -> datetime.date:
    """The last day of the last calendar month that has ended."""
    return today.replace(day=1) - engine.ONE_DAY


def is_public_period(
    date_from: datetime.date, date_to: datetime.date, today: datetime.date
) -> bool:
    return (
        date_from.day == 1
        and date_to == _month_end(date_to)
        and date_from <= date_to <= last_public_day(today)
    )


def nearest_public_period(
    date_from: datetime.date, date_to: datetime.date, today: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """The whole ended months of the period; failing that, the months it touches; failing that
    (a period in the future), the last month that has ended."""
    last = last_public_day(today)
    start = date_from if date_from.day == 1 else engine._next_month(date_from)
    end = date_to if date_to == _month_end(date_to) else date_to.replace(day=1) - engine.ONE_DAY
    end = min(end, last)
    if start <= end:
        return start, end
    start, end = date_from.replace(day=1), min(_month_end(date_to), last)
    if start <= end:
        return start, end
    return last.replace(day=1), last


def check_public_period(
    date_from: datetime.date, date_to: datetime.date, today: datetime.date | None = None
) -> None:
    """Raises PublicPeriodError, naming a period that can be given, unless the public level
    answers this one."""
    today = today or timezone.localdate()
    if is_public_period(date_from, date_to, today):
        return
    suggestion = nearest_public_period(date_from, date_to, today)
    message = _(
        "Figures for publication are given for whole calendar months that have ended: from the "
        "first day of a month to the last day of a month, %(last)s at the latest. "
        "%(start)s to %(end)s is not such a period"
    ) % {
        "last": date_format(last_public_day(today), "j F Y"),
        "start": date_from.isoformat(),
        "end": date_to.isoformat(),
    }
    if suggestion is not None:
        message += _("; the nearest is %(start)s to %(end)s.") % {
            "start": suggestion[0].isoformat(),
            "end": suggestion[1].isoformat(),
        }
    else:
        message += "."
    raise PublicPeriodError(message, suggestion)


def calendar_span(date_from: datetime.date, date_to: datetime.date) -> str | None:
    """The name of a period of whole months that is a calendar month, quarter, half-year, year
    or the year so far (January to some month), e.g. "2022-01..2022-05"; None for another."""
    if date_from.day != 1 or date_to != _month_end(date_to) or date_from.year != date_to.year:
        return None
    first, last = date_from.month, date_to.month
    length = last - first + 1
    if (
        length == 1
        or (length == 3 and first % 3 == 1)
        or (length == 6 and first in (1, 7))
        or first == 1
    ):
        return f"{date_from:%Y-%m}..{date_to:%Y-%m}"
    return None


def cell_identity(path: str) -> str:
    """The cell a path counts, so that the same count on two paths gets the same noise: a
    month's column of the chart by month is that month's count by concern."""
    if path.startswith("chat.by_month."):
        concern = path.split(".", 3)[3]
        return "chat.conversations" if concern == "total" else f"chat.by_concern.{concern}"
    return path


def public_figures(
    *,
    configuration: engine.Configuration,
    date_from: datetime.date,
    date_to: datetime.date,
    threshold: int,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The public level of a period of whole ended months: the `disclosure` section and the
    figures, as `statistics_compute` returns them."""
    check_public_period(date_from, date_to, today)
    codes = engine._referral_rows(configuration, date_from, date_to)  # read once, used twice
    exact, history = engine.exact_figures(configuration, date_from, date_to, codes)
    check_consistent(exact.counts, exact.relations, exact.statistics, threshold)
    secret = disclosure_key()
    published: dict[str, int] = defaultdict(int)
    months = engine.month_starts(date_from, date_to)
    for month, figures in engine.monthly_figures(configuration, months, codes).items():
        label = f"{month:%Y-%m}"
        for path, n in figures.counts.items():
            published[path] += perturb(n, draw(secret, cell_identity(path), label, n), threshold)

    rules: dict[str, str] = {}
    values = dict(exact.values)
    whole = calendar_span(date_from, date_to)
    for path, n in exact.counts.items():
        if path.startswith(DISTINCT_PREFIXES):
            # Distinct clients are not a sum of months: perturbed as the period's own cell, and
            # only for the periods of the calendar (see DISTINCT_PREFIXES).
            if whole is None:
                rules[path] = NOT_PUBLIC
                values[path] = None
                continue
            values[path] = perturb(n, draw(secret, path, whole, n), threshold)
        else:
            values[path] = published.get(path, 0)
        if values[path] < threshold:
            rules[path] = SMALL
    # A breakdown of a hidden total is hidden with it, down every level of the breakdown.
    changed = True
    while changed:
        changed = False
        for relation in exact.relations:
            if relation.total in rules:
                for part in relation.parts:
                    if part not in rules:
                        rules[part] = COLLAPSED
                        changed = True
    for statistic in exact.statistics:
        value = exact.values[statistic.path]
        if statistic.kind == "extreme":
            rules[statistic.path] = NOT_PUBLIC
        elif statistic.base < BASE_FACTOR * threshold or value is None:
            rules[statistic.path] = SMALL_BASE
        elif statistic.kind == "median":
            values[statistic.path] = round(value)
        else:
            values[statistic.path] = round(value * 2) / 2

    result_values = engine._Figures(values=values)
    return {
        "disclosure": {
            "level": engine.PUBLIC,
            "threshold": threshold,
            "suppressed": [{"path": path, "rule": rules[path]} for path in sorted(rules)],
        },
        **result_values.tree(set(rules)),
        **engine.history_note(history),
    }
