"""Rules across a record's fields, in one place for the forms, the services, the import and the
API: what a support-centre case's routine question can answer, when a clinic's series is closed,
and the age range of each service's target group.

Each kind of record names its rules in `records.kinds`; the import checks every row of a file by
them (in the file's terms: its column names), the services check each record by them before it is
saved (the API's single records go through the services, its batches through the import), and
the form of a support-centre case asks the routine question as one answer, which cannot break
its rule. The database's constraints on the models say the same again, as the last guard.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samverkan.partnership.models import Unit
from samverkan.records.models import ScreeningAnswer

# --- The routine question (support centre) -----------------------------------------------------
# Asked as one question whose answers include "not asked"; stored as whether it was asked and
# what was answered (the counts and the statistics read both), so one answer maps to one pair.
NOT_ASKED = "not-asked"
ASKED_NOT_NOTED = "asked"

SCREENING_CHOICES = [
    (NOT_ASKED, _("Not asked")),
    *ScreeningAnswer.choices,
    (ASKED_NOT_NOTED, _("Asked, the answer was not noted")),
]


def screening_value(screened: bool, answer: str | None) -> str:
    """The one answer of a stored (screened, answer) pair."""
    if not screened:
        return NOT_ASKED
    return answer or ASKED_NOT_NOTED


def screening_fields(value: str) -> tuple[bool, str | None]:
    """The stored (screened, answer) pair of one answer."""
    if value == NOT_ASKED:
        return False, None
    if value == ASKED_NOT_NOTED:
        return True, None
    return True, value


# --- Target groups -----------------------------------------------------------------------------
# The ages each service is for (the agreement, docs: the chat 15-20, the support centre's
# victims 10-21, the partnership's young people 13-23 for the clinic). An age outside is
# possible (a relative, an older sibling) but is confirmed on the form, so a typing error
# (45 for 15) is caught.
TARGET_AGES: dict[str, tuple[int, int]] = {
    Unit.Kind.CHAT: (15, 20),
    Unit.Kind.SUPPORT_CENTRE: (10, 21),
    Unit.Kind.CLINIC: (13, 23),
}


def outside_target(unit_kind: str, age: int | None) -> tuple[int, int] | None:
    """The target range when `age` is outside it, else None."""
    bounds = TARGET_AGES.get(unit_kind)
    if age is None or bounds is None:
        return None
    low, high = bounds
    return None if low <= age <= high else bounds


# --- Rules across fields -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A rule across a record's fields: broken by the values it `reads` (checked only when each
    of them could be read), shown at `field`."""

    field: str
    reads: tuple[str, ...]
    broken: Callable[[Mapping[str, Any]], bool]
    message: Promise
    """In the words of the forms and the API."""
    file_message: Promise
    """In the terms of a file (its column names and values), for the import's row errors."""


SCREENING_RULES = (
    Rule(
        field="screening_answer",
        reads=("screened", "screening_answer"),
        broken=lambda row: bool(row["screening_answer"]) and not row["screened"],
        message=_("An answer is recorded only when the routine question was asked."),
        file_message=_("an answer needs screened = yes (the question was asked)"),
    ),
)

# A clinic's series: closed on a day with a reason (both or neither), not before its first visit.
_SERIES = ("first_visit", "closed_on", "closure")
CLINIC_RULES = (
    Rule(
        field="ref",
        reads=("ref",),
        broken=lambda row: not row["ref"],
        message=_("A clinic client needs the clinic's own reference."),
        file_message=_("a clinic client needs the clinic's reference"),
    ),
    Rule(
        field="closure",
        reads=_SERIES,
        broken=lambda row: bool(row["closed_on"]) and not row["closure"],
        message=_("A closed series needs a reason: completed or ended early."),
        file_message=_("a closed series needs a reason: completed or ended-early"),
    ),
    Rule(
        field="closed_on",
        reads=_SERIES,
        broken=lambda row: bool(row["closure"]) and not row["closed_on"],
        message=_("A closure needs the date the series closed."),
        file_message=_("a closure needs the date the series closed"),
    ),
    Rule(
        field="closed_on",
        reads=_SERIES,
        broken=lambda row: bool(row["closed_on"]) and row["closed_on"] < row["first_visit"],
        message=_("The series cannot close before the first visit."),
        file_message=_("the series cannot close before the first visit"),
    ),
)


def broken(rules: Iterable[Rule], values: Mapping[str, Any]) -> Iterator[Rule]:
    """The rules the values break, of those whose every field is among the values."""
    for rule in rules:
        if all(name in values for name in rule.reads) and rule.broken(values):
            yield rule
