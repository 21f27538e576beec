"""Rules across a record's fields, in one place for the forms, the services and the API.

The first steps towards issue 18's `records/kinds.py`: what a support-centre case's routine
question can answer, and the age range of each service's target group.
"""

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
