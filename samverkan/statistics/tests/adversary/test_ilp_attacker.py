"""The strongest reader: integer linear programming over every public output of a span.

The attacker reads every run of whole months of January-June 2022 from the command (what the
public level will keep answering), and writes down everything it knows: each published value's
meaning under the public level's published rule (`attacker.Knowledge`), that a period is the
sum of its months, that totals are sums of their parts in every month, the facts of the domain
(residents are among all, ...), that a published mean or youngest age has its base behind it,
and that counts are non-negative integers. For each month cell whose true count is 1 to 4 it
then asks the solver for the smallest and largest value consistent with all of that.

The guarantee: no such cell is pinned (min = max), and none has an interval narrower than
t - 2 (a reader cannot tell 1 from 4).
"""

import pytest

from samverkan.statistics.tests.adversary.attacker import (
    build_model,
    feasible_intervals,
    runs_of_months,
    violated,
)
from samverkan.statistics.tests.adversary.common import (
    DEMO_MONTHS,
    cached_command,
    describe_intervals,
)
from samverkan.statistics.tests.adversary.truth import month_cells, small_cells

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def attack(partnership, readings, months, knowledge, threshold):  # noqa: ANN001, ANN201
    model = build_model(readings, months, knowledge)
    truth = month_cells(partnership, months)
    # A model the truth breaks would be a wrong model of the reader, not an attack.
    assert violated(model, truth) == []
    targets = {cell: n for cell, n in small_cells(truth, threshold).items() if cell in model.cells}
    return feasible_intervals(model, targets), targets


def test_ilp_attacker_pins_no_small_month_cell(demo, readings_cache, knowledge, threshold):
    readings = [cached_command(readings_cache, p) for p in runs_of_months(DEMO_MONTHS)]
    intervals, targets = attack(demo.partnership, readings, DEMO_MONTHS, knowledge, threshold)
    assert targets, "the demo has small month cells to protect"
    pinned = [i for i in intervals if i.exact]
    narrow = [i for i in intervals if i.width < threshold - 2]
    assert (pinned, narrow) == ([], []), (
        f"{len(targets)} month cells from 1 to {threshold - 1}; the attacker ({knowledge.name} "
        f"rule) pinned {len(pinned)} exactly and left {len(narrow)} narrower than "
        f"{threshold - 2}:\n"
        + describe_intervals(pinned)
        + "\nnarrow but not pinned:\n"
        + describe_intervals([i for i in narrow if not i.exact])
    )
