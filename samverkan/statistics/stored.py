"""The anonymous stored counts of a period: monthly counts for its whole months, daily counts for
the days at its edges, figures of earlier years where there are any; one grouped query per table."""

import functools
import operator
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, DateField, F, Q, Sum, When

from samverkan.statistics.facts import cells_of
from samverkan.statistics.figures import CHAT_CONCERNS
from samverkan.statistics.models import DailyCount, HistoricalMonthlyCount, MonthlyCount
from samverkan.statistics.period import Split


def days_filter(split: Split) -> Q:
    return functools.reduce(
        operator.or_, (Q(day__gte=start, day__lte=end) for start, end in split.day_ranges)
    )


@dataclass
class PeriodCounts:
    """The period's stored counts by metric, and chat conversations by concern per month."""

    by_metric: dict[str, tuple[int, int]] = field(default_factory=dict)
    concerns_by_month: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )


CHAT_CONCERN_METRICS = [f"chat.by_concern.{c}" for c in CHAT_CONCERNS]


def period_counts(unit_ids: list[int], split: Split, *, with_history: bool) -> PeriodCounts:
    """One grouped query per table: by metric, and for the chat's concerns also by month or
    day (the chart by month), so both come from the same rows without a second query.
    `with_history`: whether any of the period's months has figures of earlier years."""
    counts = PeriodCounts()
    queries = []  # (rows, the column with their date)
    if split.months:
        queries.append(
            (MonthlyCount.objects.filter(unit_id__in=unit_ids, month__in=split.months), "month")
        )
    if with_history:
        # Figures of months before the application, entered by the coordinator, count like
        # those of records (statistics/history.py); they are whole months only.
        rows = HistoricalMonthlyCount.objects.filter(unit_id__in=unit_ids, month__in=split.months)
        queries.append((rows, "month"))
    if split.day_ranges:
        rows = DailyCount.objects.filter(days_filter(split), unit_id__in=unit_ids)
        queries.append((rows, "day"))
    for query, date_field in queries:
        # NULL for every other metric, so that each of them stays one group.
        concern_date = Case(
            When(metric__in=CHAT_CONCERN_METRICS, then=F(date_field)), output_field=DateField()
        )
        grouped = (
            query.values("metric", date=concern_date)
            .annotate(n=Sum("n"), total=Sum("total"))
            .values_list("metric", "date", "n", "total")
        )
        for metric, date, n, total in grouped:
            before = counts.by_metric.get(metric, (0, 0))
            counts.by_metric[metric] = (before[0] + n, before[1] + total)
            if date is not None:
                counts.concerns_by_month[f"{date:%Y-%m}"][metric.rsplit(".", 1)[1]] += n
    return counts


def with_marginals(stored: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Add the totals and one-way breakdowns that are sums of the stored finest cells: the
    margins each fact group declares (statistics/facts.py), with the measured sums of those
    that measure one (ages)."""
    derived: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for metric, (n, total) in stored.items():
        found = cells_of(metric)
        if found is None:
            continue
        cells, values = found
        for margin in cells.margin_metrics(values):
            entry = derived[margin]
            entry[0] += n
            if cells.measure:
                entry[1] += total
    return {**stored, **{metric: (n, total) for metric, (n, total) in derived.items()}}
