"""One output at a time: facts the reader knows pin hidden cells of a single month's output.

Today each output's suppression is checked against its own sums only. A reader also knows:
residents are among all conversations, ongoing series are among the clinic's clients, victims
and perpetrators found by screening are among the cases of their gender, a published mean or
youngest age means its base is at least the threshold, and in a breakdown whose non-zero cells
are all hidden as small each is at least 1. With these, the ILP attacker on ONE month's output
at a time pins hidden cells. The guarantee holds for single outputs too.
"""

import pytest

from samverkan.statistics.tests.adversary.attacker import (
    build_model,
    feasible_intervals,
    month_period,
    violated,
)
from samverkan.statistics.tests.adversary.common import (
    DEMO_MONTHS,
    cached_command,
    describe_intervals,
)
from samverkan.statistics.tests.adversary.truth import month_cells, small_cells

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_each_month_alone_with_the_reader_facts_pins_no_hidden_cell(
    demo, readings_cache, knowledge, threshold
):
    pinned, narrow, targets_seen = [], [], 0
    for month in DEMO_MONTHS:
        reading = cached_command(readings_cache, month_period(month))
        model = build_model([reading], [month], knowledge)
        truth = month_cells(demo.partnership, [month])
        assert violated(model, truth) == []
        # Only the cells the output hides: a published exact small count is another test's.
        hidden = {
            cell: n
            for cell, n in small_cells(truth, threshold).items()
            if reading.values.get(cell[0]) is None and cell in model.cells
        }
        targets_seen += len(hidden)
        intervals = feasible_intervals(model, hidden)
        pinned += [i for i in intervals if i.exact]
        narrow += [i for i in intervals if not i.exact and i.width < threshold - 2]
    assert (pinned, narrow) == ([], []), (
        f"{targets_seen} hidden month cells from 1 to {threshold - 1}; from single outputs the "
        f"attacker pinned {len(pinned)}:\n"
        + describe_intervals(pinned)
        + f"\nand left {len(narrow)} narrower than {threshold - 2}:\n"
        + describe_intervals(narrow)
    )
