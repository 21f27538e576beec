"""A figure of the overview as its tables and exports write it: value, the year before's and
the change, formatted once per page in the reader's language."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.formats import get_format, number_format
from django.utils.translation import get_language

from samverkan.statistics.figures import HIDDEN_MARK

COUNT, MEAN, MEDIAN = "count", "mean", "median"
HIDDEN = HIDDEN_MARK
"""A figure disclosure control hides, in tables as in Swedish official statistics."""


@dataclass(frozen=True)
class Figure:
    path: str
    label: str
    indented: bool
    value: int | float | None  # None: hidden by disclosure control
    previous: int | float | None
    kind: str = COUNT
    exact: bool = False
    """An exact figure of the reader's own unit among published ones."""

    @property
    def change(self) -> int | float | None:
        if self.value is None or self.previous is None:
            return None
        if self.kind == COUNT:
            return self.value - self.previous
        return round(self.value - self.previous, 1)

    @property
    def is_mean(self) -> bool:
        return self.kind != COUNT

    def shown(self, count: Callable[[Any], str] | None = None) -> tuple[str, str, str]:
        """The value, the year before's and the change as the page writes them: formatted here
        once rather than by template filters cell by cell (the page's larger cost). `count`:
        the reader's language's `count_format()`, when the caller formats many figures."""
        count = count or count_format()
        return (
            self._format(self.value, count),
            self._format(self.previous, count),
            self._change(count),
        )

    def _format(self, value: int | float | None, count: Callable[[Any], str]) -> str:
        if value is None:
            return HIDDEN
        if self.kind == COUNT:
            return count(value)
        return number_format(value, decimal_pos=1)

    def _change(self, count: Callable[[Any], str]) -> str:
        change = self.change
        if change is None:
            return HIDDEN
        return ("+" if change > 0 else "") + self._format(change, count)


def count_format() -> Callable[[Any], str]:
    """`number_format(value, force_grouping=True)` in the active language, for many counts:
    the language's separator and grouping are looked up once, and a whole number is grouped by
    Python's own formatting (the same string; anything else goes to number_format)."""
    return _count_format(get_language())


@functools.cache
def _count_format(language: str | None) -> Callable[[Any], str]:
    separator = get_format("THOUSAND_SEPARATOR", language)
    grouping = get_format("NUMBER_GROUPING", language)

    def fast(value: Any) -> str:  # noqa: ANN401 - a count, or whatever number_format takes
        if type(value) is int:
            return f"{value:,}".replace(",", separator)
        return number_format(value, force_grouping=True)

    def slow(value: Any) -> str:  # noqa: ANN401
        return number_format(value, force_grouping=True)

    # Python groups by threes with ",": the same as number_format only for a grouping of 3.
    return fast if grouping == 3 else slow


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    population: str
    figures: list[Figure]
    exact: bool = False
    """Exact figures of the reader's own unit (a unit manager's), not the published ones."""
