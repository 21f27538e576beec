"""The truth the attacks are judged against: exact (internal) figures, read the way the
coordinator reads them. The attacker never sees these."""

from __future__ import annotations

import datetime

from django.db.models import Sum

from samverkan.statistics.engine import INTERNAL, statistics_compute
from samverkan.statistics.models import DailyCount
from samverkan.statistics.tests.adversary.attacker import (
    Cell,
    is_additive,
    month_period,
)
from samverkan.statistics.tests.adversary.readers import Period, flatten, is_statistic


def exact(partnership, period: Period) -> dict:  # noqa: ANN001
    """The exact figures of a period, flat by path."""
    return flatten(
        statistics_compute(
            partnership=partnership, date_from=period[0], date_to=period[1], disclosure=INTERNAL
        )
    )


def month_cells(partnership, months: list[datetime.date]) -> dict[Cell, int]:  # noqa: ANN001
    """Each month's true count of every count path (chart-by-month paths left out: they are
    the months' chat.by_concern)."""
    cells: dict[Cell, int] = {}
    for month in months:
        for path, value in exact(partnership, month_period(month)).items():
            if is_statistic(path) or path.startswith("chat.by_month.") or value is None:
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                cells[(path, month)] = value
    return cells


def small_cells(cells: dict[Cell, int], threshold: int) -> dict[Cell, int]:
    return {cell: n for cell, n in cells.items() if 0 < n < threshold}


def age_base(partnership, metric: str, period: Period) -> int:  # noqa: ANN001
    """How many records with a known age a mean of the period is computed from (metric
    e.g. "chat.residents.age." + gender, summed over its cells)."""
    return (
        DailyCount.objects.filter(
            unit__in=partnership.units.all(),
            day__gte=period[0],
            day__lte=period[1],
            metric__startswith=metric,
        ).aggregate(n=Sum("n"))["n"]
        or 0
    )


__all__ = ["age_base", "exact", "is_additive", "month_cells", "small_cells"]


def resident_chats_on(partnership, first: datetime.date, last: datetime.date) -> list[dict]:  # noqa: ANN001
    """The resident chat records of the days (Stockholm time): the truth of a lone record."""
    from samverkan.core.time import local_day
    from samverkan.records.models import ChatConversation

    found = []
    for record in ChatConversation.objects.filter(
        unit__in=partnership.units.all(), resident="yes"
    ).select_related("district"):
        day = local_day(record.started_at)
        if first <= day <= last:
            found.append(
                {
                    "day": day,
                    "gender": record.gender,
                    "concern": record.concern,
                    "district": record.district.key if record.district else "unknown",
                    "age": record.age,
                    "violence": sorted(
                        form
                        for form in (
                            "physical",
                            "psychological",
                            "sexual",
                            "digital",
                            "economic",
                            "other",
                        )
                        if getattr(record, f"violence_{form}")
                    ),
                }
            )
    return found
