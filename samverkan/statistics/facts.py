"""What a record counts for, declared once: fact groups with their dimensions and values.

A fact group is a table of finest cells, e.g. the chat's residents by gender and concern: a path
(`chat.residents.by_gender_and_concern`), the dimensions it is broken down by (each a value of the
record and the values it can take), a condition a record must meet to count in it at all (being
a resident), a measured value summed beside the count (the age), and its margins: the totals and
one-way breakdowns that are sums of its cells (`chat.residents.conversations`,
`chat.residents.by_gender`, ...).

From these declarations, and nowhere else:
- the metric of a cell, `<path>.<value>[.<value>]` (`Cells.metric`), and the facts a record
  contributes to the stored counts (`Cells.facts`, the `FactGroup`s of counters.py, which every
  write uses: services, import, recount);
- a stored metric taken apart into its group and values (`cells_of`), and the margins the engine
  adds to the stored finest cells (`stored.with_marginals`);
- every finest cell a unit can have (`cell_names`: the list of metrics the figures of earlier
  years may be entered for, statistics/history.py);
- the values of each breakdown for a reader (`DIMENSIONS`, the labels of statistics/text.py).

Adding a breakdown of chat conversations or cases is one declaration here (and its figures in the
section that shows them, statistics/sections/).
"""

import functools
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Choices

from samverkan.records.models import (
    MAX_AGE,
    ChatConcern,
    Gender,
    ScreeningAnswer,
    SupportCategory,
    ViolenceForm,
)
from samverkan.statistics.figures import (
    CHAT_CONCERNS,
    GENDERS,
    SCREENING_ANSWERS,
    SUPPORT_CATEGORIES,
    VIOLENCE_FORMS,
)

Fact = tuple[str, int]
"""(metric, measured value): the record adds 1 to the metric's count and the value to its sum."""

UNKNOWN = "unknown"
"""The value of a record that has none for a dimension that counts it anyway (a district)."""

CONFIGURED = ("districts", "services")
"""Dimensions whose values are the partnership's configuration, not the records' choices."""


@dataclass(frozen=True)
class Dimension:
    """A value of a record that counts are broken down by.

    `column`: the record's value (as the writers pass it, e.g. a district's key). `values`: the
    values it takes, or the name of a configured set (`CONFIGURED`: the partnership's districts
    or services). `missing`: the value under which a record without one is counted, or None when
    such a record does not count in the group. `many`: the record holds several values (the
    forms of violence) and counts once under each."""

    column: str
    values: tuple[Any, ...] | str
    missing: str | None = None
    many: bool = False
    choices: type[Choices] | None = None
    """The record model's choices the values come from: their labels are the values' labels."""

    def labels(self) -> dict[str, str]:
        """The readers' labels of the values (the choices'), for the breakdowns that show them;
        a configured set (districts, services) is labelled by its names where it is shown."""
        return dict(self.choices.choices) if self.choices is not None else {}

    def domain(self, configured: dict[str, Iterable[str]]) -> list[Any]:
        """Every value a cell of this dimension can have, in a stable order."""
        values = configured[self.values] if isinstance(self.values, str) else self.values
        return [*values, *((self.missing,) if self.missing is not None else ())]


GENDER = Dimension("gender", GENDERS, choices=Gender)
AGES = tuple(range(1, MAX_AGE + 1))


@dataclass(frozen=True)
class Cells:
    """A fact group: a table of finest cells of one kind of record (see the module's docstring).

    `when`: (column, values) a record must have to count here. `measure`: the column summed
    beside the count; a record without it does not count here. `margins`: (path, the dimensions
    it keeps) of each sum of the group's cells the engine adds."""

    record: str
    path: str
    dimensions: tuple[Dimension, ...]
    when: tuple[str, frozenset[Any]] | None = None
    measure: str | None = None
    margins: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The record's values its facts depend on, in the order `facts` takes them."""
        return (*(d.column for d in self.dimensions), *((self.measure,) if self.measure else ()))

    def metric(self, *values: Any) -> str:
        return ".".join((self.path, *(str(value) for value in values)))

    @functools.cached_property
    def facts(self) -> Callable[..., tuple[Fact, ...]]:
        """The facts of a record with these values (`columns`), cached: the values of a group
        are few, whatever the number of records."""

        @functools.lru_cache(maxsize=4096)
        def facts(*values: Any) -> tuple[Fact, ...]:
            measured = 0
            if self.measure:
                *values, measured = values
                if measured is None:
                    return ()
            choices = []
            for dimension, value in zip(self.dimensions, values, strict=True):
                if dimension.many:
                    choices.append(tuple(value))
                elif value:
                    choices.append((value,))
                elif dimension.missing is not None:
                    choices.append((dimension.missing,))
                else:
                    return ()
            return tuple((self.metric(*cell), measured) for cell in itertools.product(*choices))

        return facts

    def names(self, configured: dict[str, Iterable[str]]) -> list[str]:
        """Every finest cell of the group, in a stable order (dimension by dimension)."""
        domains = [dimension.domain(configured) for dimension in self.dimensions]
        return [self.metric(*cell) for cell in itertools.product(*domains)]

    def breakdown(
        self,
        counts: dict[str, tuple[int, int]],
        margin: str | None = None,
        configured: dict[str, Iterable[str]] | None = None,
        **fixed: Any,
    ) -> dict[str, int]:
        """{path: count} of the group's cells, or of one of its margins (by path), over the
        declared values in their order; `fixed` holds some dimensions at one value (e.g.
        gender="girl": the girls' row of a table). What the sections show, read by declaration
        rather than by metric names spelled out."""
        kept = dict(self.margins)[margin] if margin is not None else self.columns_of_dimensions
        path = margin if margin is not None else self.path
        by_column = {d.column: d for d in self.dimensions}
        domains = [
            [fixed[column]] if column in fixed else by_column[column].domain(configured or {})
            for column in kept
        ]
        result = {}
        for cell in itertools.product(*domains):
            metric = ".".join((path, *(str(value) for value in cell)))
            result[metric] = counts.get(metric, (0, 0))[0]
        return result

    def dimension(self, column: str) -> Dimension:
        return next(d for d in self.dimensions if d.column == column)

    @property
    def columns_of_dimensions(self) -> tuple[str, ...]:
        return tuple(d.column for d in self.dimensions)

    def margin_metrics(self, values: tuple[str, ...]) -> list[str]:
        """The margins a cell with these values adds to."""
        index = {d.column: i for i, d in enumerate(self.dimensions)}
        return [
            ".".join((path, *(values[index[column]] for column in kept)))
            for path, kept in self.margins
        ]


RESIDENT = ("resident", frozenset({"yes"}))
SCREENED = ("screened", frozenset({True}))
PARTNER_VIOLENCE_VICTIM = ("screening_answer", frozenset({"victim", "both"}))
PARTNER_VIOLENCE_PERPETRATOR = ("screening_answer", frozenset({"perpetrator", "both"}))

CHAT = "chat"
SUPPORT_CENTRE = "support_centre"

CHAT_BY_CONCERN = Cells(
    CHAT,
    "chat.by_concern",
    (Dimension("concern", CHAT_CONCERNS, choices=ChatConcern),),
    margins=(("chat.conversations", ()),),
)
CHAT_RESIDENTS = Cells(
    CHAT,
    "chat.residents.by_gender_and_concern",
    (GENDER, Dimension("concern", CHAT_CONCERNS, choices=ChatConcern)),
    when=RESIDENT,
    margins=(
        ("chat.residents.conversations", ()),
        ("chat.residents.by_gender", ("gender",)),
        ("chat.residents.by_concern", ("concern",)),
    ),
)
CHAT_RESIDENTS_BY_DISTRICT = Cells(
    CHAT,
    "chat.residents.by_district",
    (Dimension("district", "districts", missing=UNKNOWN),),
    when=RESIDENT,
)
CHAT_RESIDENTS_BY_VIOLENCE = Cells(
    CHAT,
    "chat.residents.by_violence",
    (Dimension("violence", VIOLENCE_FORMS, many=True, choices=ViolenceForm),),
    when=RESIDENT,
)
CHAT_RESIDENTS_AGE = Cells(
    CHAT,
    "chat.residents.age",
    (GENDER,),
    when=RESIDENT,
    measure="age",
    margins=(("chat.residents.age", ()),),
)
CHAT_REFERRALS = Cells(CHAT, "referrals.chat", (Dimension("referred_to", "services"),))
CHAT_CELLS = (
    CHAT_BY_CONCERN,
    CHAT_RESIDENTS,
    CHAT_RESIDENTS_BY_DISTRICT,
    CHAT_RESIDENTS_BY_VIOLENCE,
    CHAT_RESIDENTS_AGE,
    CHAT_REFERRALS,
)

SUPPORT_CENTRE_CASES = Cells(
    SUPPORT_CENTRE,
    "support_centre.by_gender_and_category",
    (GENDER, Dimension("category", SUPPORT_CATEGORIES, choices=SupportCategory)),
    margins=(
        ("support_centre.cases", ()),
        ("support_centre.by_gender", ("gender",)),
        ("support_centre.by_category", ("category",)),
    ),
)
SUPPORT_CENTRE_AGE = Cells(
    SUPPORT_CENTRE,
    "support_centre.age",
    (GENDER,),
    measure="age",
    margins=(("support_centre.age", ()),),
)
SUPPORT_CENTRE_SCREENING = Cells(
    SUPPORT_CENTRE,
    "support_centre.screening",
    (Dimension("screening_answer", SCREENING_ANSWERS, missing=UNKNOWN, choices=ScreeningAnswer),),
    when=SCREENED,
    margins=(("support_centre.screened", ()),),
)
SUPPORT_CENTRE_VICTIMS = Cells(
    SUPPORT_CENTRE,
    "support_centre.partner_violence.victims.by_gender",
    (GENDER,),
    when=PARTNER_VIOLENCE_VICTIM,
)
SUPPORT_CENTRE_VICTIMS_BY_AGE = Cells(
    SUPPORT_CENTRE,
    "support_centre.partner_violence.victims.by_age",
    (Dimension("age", AGES, missing=UNKNOWN),),
    when=PARTNER_VIOLENCE_VICTIM,
)
SUPPORT_CENTRE_PERPETRATORS = Cells(
    SUPPORT_CENTRE,
    "support_centre.partner_violence.perpetrators.by_gender",
    (GENDER,),
    when=PARTNER_VIOLENCE_PERPETRATOR,
)
SUPPORT_CENTRE_REFERRALS = Cells(
    SUPPORT_CENTRE, "referrals.support_centre", (Dimension("referred_to", "services"),)
)
SUPPORT_CENTRE_CELLS = (
    SUPPORT_CENTRE_CASES,
    SUPPORT_CENTRE_AGE,
    SUPPORT_CENTRE_SCREENING,
    SUPPORT_CENTRE_VICTIMS,
    SUPPORT_CENTRE_VICTIMS_BY_AGE,
    SUPPORT_CENTRE_PERPETRATORS,
    SUPPORT_CENTRE_REFERRALS,
)

CELLS_BY_RECORD = {CHAT: CHAT_CELLS, SUPPORT_CENTRE: SUPPORT_CENTRE_CELLS}
_BY_PATH = {cells.path: cells for group in CELLS_BY_RECORD.values() for cells in group}


@functools.lru_cache(maxsize=8192)
def cells_of(metric: str) -> tuple[Cells, tuple[str, ...]] | None:
    """The fact group of a stored metric and the cell's values; None for another metric."""
    for length in (1, 2):
        path, *values = metric.rsplit(".", length)
        cells = _BY_PATH.get(path)
        if cells is not None and len(cells.dimensions) == length:
            return cells, tuple(values)
    return None


def cell_names(record: str, configured: dict[str, Iterable[str]]) -> list[tuple[str, bool]]:
    """(metric, measured) of every finest cell a kind of record counts for, in a stable order:
    `configured` gives the partnership's districts and services."""
    return [
        (name, cells.measure is not None)
        for cells in CELLS_BY_RECORD[record]
        for name in cells.names(configured)
    ]
