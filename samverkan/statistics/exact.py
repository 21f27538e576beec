"""The exact figures of a period: built by the section builders (statistics/sections) from the
stored counts (`stored.py`), the clinic's records and the referral codes; of any period, of each
month of one (what the public level perturbs), or their structure alone without a query.

Below both `engine` (the entry point, `statistics_compute`) and `release` (the public level),
which build on it.
"""

import datetime
from collections import Counter
from typing import Any

from django.db.models import Sum

from samverkan.core.time import local_day
from samverkan.statistics.configuration import Configuration
from samverkan.statistics.figures import CHAT_CONCERNS, Figures
from samverkan.statistics.models import HistoricalMonthlyCount, MonthlyCount
from samverkan.statistics.period import ONE_DAY, Split, next_month, split_period
from samverkan.statistics.sections.chat import chat_by_month_figures, chat_figures
from samverkan.statistics.sections.chat_service import chat_service_figures
from samverkan.statistics.sections.clinic import (
    ClinicCounts,
    clinic_counts,
    clinic_counts_by_month,
    clinic_figures,
)
from samverkan.statistics.sections.referrals import (
    ReferralRow,
    read_referral_rows,
    referral_code_figures,
    referral_figures,
)
from samverkan.statistics.sections.support_centre import support_centre_figures
from samverkan.statistics.stored import period_counts, with_marginals


def build_figures(
    configuration: Configuration,
    counts: dict[str, tuple[int, int]],
    concerns_by_month: dict[str, dict[str, int]],
    date_from: datetime.date,
    date_to: datetime.date,
    clinic: ClinicCounts,
    referral_rows: list[ReferralRow],
) -> Figures:
    figures = Figures()
    chat_figures(figures, counts, configuration.district_keys)
    chat_by_month_figures(figures, concerns_by_month, date_from, date_to)
    chat_service_figures(figures, counts)
    clinic_figures(figures, clinic)
    support_centre_figures(figures, counts)
    referral_figures(figures, counts, configuration.service_keys)
    referral_code_figures(figures, configuration, referral_rows)
    return figures


def exact_figures(
    configuration: Configuration,
    date_from: datetime.date,
    date_to: datetime.date,
    referral_rows: list[ReferralRow] | None = None,
) -> tuple[Figures, set[tuple[datetime.date, str]]]:
    """The exact figures of any period, and the (month, unit key) of the figures of earlier
    years they include. `referral_rows`: the period's, when the caller has read them."""
    unit_ids = list(configuration.unit_ids)
    split = split_period(date_from, date_to)
    history = history_in(configuration, split)
    stored = period_counts(unit_ids, split, with_history=bool(history))
    figures = build_figures(
        configuration,
        with_marginals(stored.by_metric),
        stored.concerns_by_month,
        date_from,
        date_to,
        clinic_counts(configuration, date_from, date_to),
        read_referral_rows(configuration, date_from, date_to)
        if referral_rows is None
        else referral_rows,
    )
    return figures, history


def history_in(
    configuration: Configuration, split: "Split | tuple[datetime.date, datetime.date]"
) -> set[tuple[datetime.date, str]]:
    """The (month, unit key) of the figures of earlier years within a period's whole months."""
    if not isinstance(split, Split):
        split = split_period(*split)
    return {(month, unit) for month, unit in configuration.history if month in split.months}


def structure_figures(
    configuration: Configuration, date_from: datetime.date, date_to: datetime.date
) -> Figures:
    """The figures of a period with every count 0 and every statistic empty, without a query:
    their paths, relations and statistics are those of `exact_figures` for the same
    configuration. The public level reads this instead when every value it needs has been
    released already (statistics.release), and takes the values from what was released."""
    return build_figures(configuration, {}, {}, date_from, date_to, (Counter(), 0), [])


def monthly_figures(
    configuration: Configuration,
    months: list[datetime.date],
    referral_rows: list[ReferralRow] | None = None,
) -> dict[datetime.date, Figures]:
    """The exact figures of each of the given calendar months (first days, in order), read
    together: one grouped query for the stored counts, one for the clinic, one for the codes."""
    unit_ids = list(configuration.unit_ids)
    stored: dict[datetime.date, dict[str, tuple[int, int]]] = {month: {} for month in months}
    queries = [MonthlyCount.objects.filter(unit_id__in=unit_ids, month__in=months)]
    if any(month in stored for month, _unit in configuration.history):
        queries.append(
            HistoricalMonthlyCount.objects.filter(unit_id__in=unit_ids, month__in=months)
        )
    for query in queries:
        grouped = query.values("month", "metric").annotate(n=Sum("n"), total=Sum("total"))
        for month, metric, n, total in grouped.values_list("month", "metric", "n", "total"):
            before = stored[month].get(metric, (0, 0))
            stored[month][metric] = (before[0] + n, before[1] + total)
    ends = [next_month(month) - ONE_DAY for month in months]
    clinic = clinic_counts_by_month(configuration, list(zip(months, ends, strict=True)))
    codes: dict[datetime.date, list[ReferralRow]] = {month: [] for month in months}
    if referral_rows is None:
        referral_rows = read_referral_rows(configuration, months[0], ends[-1])
    for row in referral_rows:
        month = local_day(row[2]).replace(day=1)
        if month in codes:  # the caller's rows may cover months not asked for here
            codes[month].append(row)
    result = {}
    for month, end in zip(months, ends, strict=True):
        counts = with_marginals(stored[month])
        concerns = {
            f"{month:%Y-%m}": {
                concern: counts.get(f"chat.by_concern.{concern}", (0, 0))[0]
                for concern in CHAT_CONCERNS
            }
        }
        result[month] = build_figures(
            configuration, counts, concerns, month, end, clinic[month], codes[month]
        )
    return result


def history_note(history: set[tuple[datetime.date, str]]) -> dict[str, Any]:
    """Which months' chat and support-centre figures include figures of earlier years entered
    by the coordinator (statistics/history.py), and of which units."""
    if not history:
        return {}
    return {
        "history": {
            "months": sorted({f"{month:%Y-%m}" for month, _unit in history}),
            "units": sorted({unit for _month, unit in history}),
        }
    }
