"""The figures of a period as the engine builds them: counts and statistics by dotted path,
with the relations between counts that disclosure control must know; the choices' values and the
levels of disclosure, once."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from samverkan.records.models import (
    CameVia,
    ChatConcern,
    ClinicConcern,
    Gender,
    ScreeningAnswer,
    SupportCategory,
    ViolenceForm,
)
from samverkan.statistics.disclosure import Relation, Statistic

# The choices' values, once: Django's `Choices.values` is a property that builds a new list at
# every use, which the figures of every month of a public period would otherwise pay for.
CHAT_CONCERNS = tuple(ChatConcern.values)
GENDERS = tuple(Gender.values)
VIOLENCE_FORMS = tuple(ViolenceForm.values)
SUPPORT_CATEGORIES = tuple(SupportCategory.values)
SCREENING_ANSWERS = tuple(ScreeningAnswer.values)
CLINIC_CONCERNS = tuple(ClinicConcern.values)
CAME_VIA = tuple(CameVia.values)

SCHEMA_VERSION = 1


class DisclosureLevel(StrEnum):
    """Exact figures for those who may read them, or the published level (statistics.release).
    A StrEnum: it is the string in the contract, in URLs and on the command line."""

    INTERNAL = "internal"
    PUBLIC = "public"


INTERNAL, PUBLIC = DisclosureLevel.INTERNAL, DisclosureLevel.PUBLIC
DISCLOSURE_LEVELS = tuple(DisclosureLevel)

HIDDEN_MARK = ".."
"""How a hidden figure is written for a reader (tables, text, exports): the statistics offices'
mark, never 0 or a small number."""

MEAN_GENDERS = (Gender.GIRL, Gender.BOY)


@dataclass
class Figures:
    """Collects figures by dotted path, with what disclosure control must know about them."""

    values: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)

    def count(self, path: str, value: int) -> None:
        self.counts[path] = value
        self.values[path] = value

    def parts(self, total: str, parts: dict[str, int]) -> None:
        """Counts at total.<key> that add up to the count at `total`... or to another total."""
        for path, value in parts.items():
            self.count(path, value)
        # A breakdown by something not configured (a partnership without referral destinations
        # yet) has no cells: nothing adds up, so there is no relation to declare.
        if parts:
            self.relations.append(Relation(total=total, parts=tuple(parts)))

    def statistic(
        self, path: str, value: float | int | None, base: int, kind: str = "mean"
    ) -> None:
        self.values[path] = value
        self.statistics.append(Statistic(path=path, base=base, kind=kind))

    def tree(self, hidden: set[str]) -> dict[str, Any]:
        root: dict[str, Any] = {}
        for path, value in self.values.items():
            node = root
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = None if path in hidden else value
        return root


def read(stats: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of the figures `statistics_compute` returns, e.g.
    `read(stats, "chat.residents.by_gender.girl")`: a number; None for a figure disclosure
    control hid (`disclosure.suppressed` says why) and for a path the figures do not have; a
    dict for a path that names a breakdown rather than one figure (e.g. "chat.by_month").

    The one way to read the figures by path: the charts, the reports' sentences and the
    dashboard all read through it, so the paths' shape is written in one place."""
    node: Any = stats
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def mean_of(total: int, n: int) -> float | None:
    return round(total / n, 1) if n else None
