"""Small tools for drawing the demo's records: the days and months of a span, a table's exact
multiset, and ages nudged to a target mean."""

import random
from collections.abc import Callable, Hashable, Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def months_between(first: date, last: date) -> list[tuple[int, int]]:
    return sorted({(day.year, day.month) for day in days_between(first, last)})


def expand(table: dict[K, int]) -> list[K]:
    """Every key as many times as its count: the exact multiset the report period must hold."""
    return [key for key, count in table.items() for _ in range(count)]


def nudge_ages(
    rng: random.Random,
    records: Sequence[Any],
    target_mean: float,
    bounds: Callable[[Any], tuple[int, int]],
) -> None:
    """Move ages one year at a time until their sum is the target mean's, rounded.

    The sum is then within half a year of target_mean * n, so the mean is target_mean to within
    0.5 / n: exact enough to land safely inside the document's "just over" or "just under".
    """
    aged = [record for record in records if record.age is not None]
    if not aged:
        return
    gap = round(target_mean * len(aged)) - sum(record.age for record in aged)
    step = 1 if gap > 0 else -1
    while gap:
        movable = [
            record for record in aged if bounds(record)[0] <= record.age + step <= bounds(record)[1]
        ]
        if not movable:
            raise ValueError(f"cannot reach mean age {target_mean} within the age bounds")
        rng.choice(movable).age += step
        gap -= step
