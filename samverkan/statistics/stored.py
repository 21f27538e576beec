"""The anonymous stored counts of a period: monthly counts for its whole months, daily counts for
the days at its edges, figures of earlier years where there are any; one grouped query per table."""

import functools
import operator
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, DateField, F, IntegerField, Q, Sum, Value, When

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
    return periods_counts(unit_ids, [split], with_history=[with_history])[0]


def periods_counts(
    unit_ids: list[int], splits: list[Split], *, with_history: list[bool]
) -> list[PeriodCounts]:
    """`period_counts` of several periods that share no month nor day (the overview's period
    and the same period a year earlier), still one grouped query per table: each row is told
    to its period by a CASE over the periods' months or days, which the query groups by."""
    results = [PeriodCounts() for _split in splits]
    several = len(splits) > 1
    queries = []  # (rows, the column with their date, the period of each row)
    with_months = [(i, split) for i, split in enumerate(splits) if split.months]
    if with_months:
        months = [month for _i, split in with_months for month in split.months]
        part = Case(
            *(When(month__in=split.months, then=Value(i)) for i, split in with_months),
            output_field=IntegerField(),
        )
        rows = MonthlyCount.objects.filter(unit_id__in=unit_ids, month__in=months)
        queries.append((rows, "month", part))
        history = [(i, split) for i, split in with_months if with_history[i]]
        if history:
            # Figures of months before the application, entered by the coordinator, count like
            # those of records (statistics/history.py); they are whole months only.
            months = [month for _i, split in history for month in split.months]
            rows = HistoricalMonthlyCount.objects.filter(unit_id__in=unit_ids, month__in=months)
            queries.append((rows, "month", part))
    with_days = [(i, split) for i, split in enumerate(splits) if split.day_ranges]
    if with_days:
        days = functools.reduce(operator.or_, (days_filter(split) for _i, split in with_days))
        part = Case(
            *(When(days_filter(split), then=Value(i)) for i, split in with_days),
            output_field=IntegerField(),
        )
        rows = DailyCount.objects.filter(days, unit_id__in=unit_ids)
        queries.append((rows, "day", part))
    for query, date_field, part in queries:
        # NULL for every other metric, so that each of them stays one group.
        concern_date = Case(
            When(metric__in=CHAT_CONCERN_METRICS, then=F(date_field)), output_field=DateField()
        )
        if several:
            grouped = (
                query.values("metric", date=concern_date, part=part)
                .annotate(n=Sum("n"), total=Sum("total"))
                .values_list("part", "metric", "date", "n", "total")
            )
        else:  # the one period's: no CASE to group by
            grouped = (
                (0, *row)
                for row in query.values("metric", date=concern_date)
                .annotate(n=Sum("n"), total=Sum("total"))
                .values_list("metric", "date", "n", "total")
            )
        for i, metric, date, n, total in grouped:
            counts = results[i]
            before = counts.by_metric.get(metric, (0, 0))
            counts.by_metric[metric] = (before[0] + n, before[1] + total)
            if date is not None:
                counts.concerns_by_month[f"{date:%Y-%m}"][metric.rsplit(".", 1)[1]] += n
    return results


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
