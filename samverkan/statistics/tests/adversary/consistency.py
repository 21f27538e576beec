"""What "consistent with every earlier release" means, as checks over readings."""

from __future__ import annotations

from samverkan.statistics.tests.adversary.attacker import (
    cell_of,
    is_additive,
    month_period,
    months_between,
)
from samverkan.statistics.tests.adversary.readers import Period, Reading


def not_sums_of_months(
    runs: dict[Period, Reading], months: dict[Period, Reading], threshold: int
) -> list[str]:
    """Each published figure of a run of months is the sum of its months' published figures
    (a hidden month counting 0: it was published as 0); a hidden one has months summing below
    the threshold. A month inside a run's chart by month is that month's published figure."""
    wrong = []
    for period, run in runs.items():
        if run.refused:
            continue
        for path, value in run.counts().items():
            if path.startswith(("chart.", "clinic.")):
                continue
            target, cell_period = cell_of(path, period)
            if not is_additive(target) and target == path:
                continue
            parts = [
                months[month_period(m)].values.get(target) or 0
                for m in months_between(*cell_period)
            ]
            total = sum(parts)
            if (value is None and total >= threshold) or (value is not None and value != total):
                wrong.append(f"{path} for {period[0]}..{period[1]}: {value}, its months {parts}")
    return wrong


def changed(before: Reading, after: Reading) -> list[str]:
    return [
        f"{path}: {value} then {after.values.get(path)}"
        for path, value in before.values.items()
        if after.values.get(path) != value
    ] + [f"{path} refused" for path in ([] if before.refused == after.refused else ["all"])]
