"""What a chart is: plain data (title, categories, series, the cells disclosure control hid),
and the palette and hatching every drawing of it uses (statistics/charts.py draws it with
matplotlib for the dashboard and DOCX, statistics/chart_svg.py by hand for the documents)."""

from __future__ import annotations

import hashlib
import json
import textwrap
from dataclasses import dataclass, field

from django.utils.formats import number_format

from samverkan.statistics.figures import HIDDEN_MARK

# Okabe & Ito's palette: told apart by people with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Hatching as a second cue besides colour (WCAG 1.4.1: colour is not the only means).
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int | None]  # None: hidden by disclosure control


@dataclass(frozen=True)
class Chart:
    """What a chart shows; rendering is separate so web and documents share the definition."""

    key: str
    title: str
    category_label: str
    value_label: str
    categories: list[str]
    series: list[Series]
    stacked: bool = True
    note: str = ""
    hidden_cells: int = field(default=0)

    @property
    def is_empty(self) -> bool:
        """Nothing to draw: no category, or no cell above 0 among those shown."""
        return not self.categories or all(
            not value for s in self.series for value in s.values if value is not None
        )

    @property
    def is_protected(self) -> bool:
        """Nothing to draw because disclosure control hid cells: the reader is told so, never
        that nothing was registered (a hidden cell may be 0 or a small count, and the page
        must not say which)."""
        return self.is_empty and bool(self.categories) and self.hidden_cells > 0

    def rows(self) -> list[tuple[str, list[int | None]]]:
        """The numbers as table rows: one per category, one column per series."""
        return [
            (category, [s.values[i] for s in self.series])
            for i, category in enumerate(self.categories)
        ]

    def shown_rows(self) -> list[tuple[str, list[str]]]:
        """The table's rows as written on a page: numbers grouped as in the reader's language,
        ".." for a hidden cell (formatted here once, not by a template filter per cell)."""
        return [
            (
                category,
                [
                    HIDDEN_MARK if value is None else number_format(value, force_grouping=True)
                    for value in values
                ],
            )
            for category, values in self.rows()
        ]

    def digest(self) -> str:
        payload = json.dumps(
            [self.title, self.categories, [(s.label, s.values) for s in self.series], self.stacked],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:24]


def wrap_label(label: str, width: int = 16) -> str:
    """A category label broken over lines between words only: a word longer than the line
    stays whole ("Samtalsmottagningen", never "Samtalsmottagnin" and "gen")."""
    return textwrap.fill(label, width, break_long_words=False, break_on_hyphens=False)
