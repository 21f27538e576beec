"""Tests for statistical disclosure control.

Safety is checked independently of the implementation: each hidden count is minimised and
maximised over integer solutions with `scipy.optimize.milp`, which is exactly what an attacker
who knows the published counts and the relations can do.
"""

import random
import time
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from samverkan.statistics.disclosure import (
    PRIMARY,
    SECONDARY,
    SMALL_BASE,
    DisclosureError,
    Relation,
    Statistic,
    Suppression,
    protect,
    recoverable,
)

Counts = dict[str, int]
Table = tuple[Counts, list[Relation]]


def integer_extreme(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    hidden: set[str],
    path: str,
    sense: int,
) -> float:
    """The greatest (sense=1) or least (sense=-1) integer value the hidden count `path` can take
    given the published counts, the relations and non-negativity."""
    unknown = sorted(hidden & counts.keys())
    index = {cell: i for i, cell in enumerate(unknown)}
    rows, rhs = [], []
    for relation in relations:
        row = np.zeros(len(unknown))
        value = 0
        for cell, sign in ((relation.total, -1), *((p, 1) for p in relation.parts)):
            if cell in index:
                row[index[cell]] += sign
            else:
                value -= sign * counts[cell]
        if row.any():
            rows.append(row)
            rhs.append(value)
    objective = np.zeros(len(unknown))
    objective[index[path]] = -sense  # milp minimises
    # A finite upper bound avoids relying on the solver's unboundedness report; it is above
    # every true value, so "can grow" still shows as a larger maximum.
    ceiling = sum(counts.values()) + 1
    result = milp(
        objective,
        integrality=np.ones(len(unknown)),
        bounds=Bounds(0, ceiling),
        constraints=LinearConstraint(np.array(rows), rhs, rhs) if rows else (),
    )
    assert result.status == 0, result.message
    return -sense * result.fun


def integer_range(
    counts: Mapping[str, int], relations: Sequence[Relation], hidden: set[str], path: str
) -> tuple[float, float]:
    return (
        integer_extreme(counts, relations, hidden, path, -1),
        integer_extreme(counts, relations, hidden, path, 1),
    )


def is_recoverable(
    counts: Mapping[str, int], relations: Sequence[Relation], hidden: set[str], path: str
) -> bool:
    """Whether the attacker can tell the hidden count's value: no integer solution differs."""
    value = counts[path]
    highest = integer_extreme(counts, relations, hidden, path, 1)
    assert highest >= value
    if highest > value + 0.5:
        return False  # skip the second solve: the cell can already take two values
    lowest = integer_extreme(counts, relations, hidden, path, -1)
    assert lowest <= value
    return lowest > value - 0.5


def assert_protected(
    counts: Counts,
    relations: list[Relation],
    threshold: int,
    statistics: Sequence[Statistic] = (),
) -> list[Suppression]:
    before = dict(counts)
    result = protect(counts, relations, statistics, threshold)
    # (c) published counts are the input values: protect only says what to hide.
    assert counts == before
    paths = [s.path for s in result]
    assert paths == sorted(set(paths))
    hidden = set(paths)
    rules = {s.path: s.rule for s in result}
    # (a) every small positive count is hidden as primary, and nothing else is.
    for path, value in counts.items():
        if 1 <= value < threshold:
            assert rules.get(path) == PRIMARY, path
        else:
            assert rules.get(path) in (None, SECONDARY), path
    for statistic in statistics:
        assert (rules.get(statistic.path) == SMALL_BASE) == (statistic.base < threshold)
    # (b) no hidden count is recoverable by an attacker reasoning over integers.
    for path in sorted(hidden & counts.keys()):
        assert not is_recoverable(counts, relations, hidden, path), f"{path} is recoverable"
    return result


def rules_of(result: list[Suppression]) -> dict[str, str]:
    return {s.path: s.rule for s in result}


def one_dimensional(values: Sequence[int], total: str = "total", cell: str = "c") -> Table:
    counts = {f"{cell}{i}": v for i, v in enumerate(values)}
    counts[total] = sum(values)
    return counts, [Relation(total, tuple(f"{cell}{i}" for i in range(len(values))))]


def two_dimensional(grid: Sequence[Sequence[int]]) -> Table:
    """Cells r<i>c<j>, row totals r<i>, column totals c<j>, grand total `all`."""
    n_rows, n_cols = len(grid), len(grid[0])
    counts = {f"r{i}c{j}": grid[i][j] for i in range(n_rows) for j in range(n_cols)}
    relations = []
    for i in range(n_rows):
        counts[f"r{i}"] = sum(grid[i])
        relations.append(Relation(f"r{i}", tuple(f"r{i}c{j}" for j in range(n_cols))))
    for j in range(n_cols):
        counts[f"c{j}"] = sum(row[j] for row in grid)
        relations.append(Relation(f"c{j}", tuple(f"r{i}c{j}" for i in range(n_rows))))
    counts["all"] = sum(map(sum, grid))
    relations.append(Relation("all", tuple(f"r{i}" for i in range(n_rows))))
    relations.append(Relation("all", tuple(f"c{j}" for j in range(n_cols))))
    return counts, relations


def hierarchy(groups: Sequence[Sequence[int]]) -> Table:
    """Cells g<i>c<j> add up to group totals g<i>, which add up to `all`."""
    counts: Counts = {}
    relations = []
    for i, cells in enumerate(groups):
        for j, value in enumerate(cells):
            counts[f"g{i}c{j}"] = value
        counts[f"g{i}"] = sum(cells)
        relations.append(Relation(f"g{i}", tuple(f"g{i}c{j}" for j in range(len(cells)))))
    counts["all"] = sum(map(sum, groups))
    relations.append(Relation("all", tuple(f"g{i}" for i in range(len(groups)))))
    return counts, relations


# --- Hand-computed examples -------------------------------------------------------------------


def test_one_dimensional_hides_smallest_positive_partner() -> None:
    # 3 alone would be 10 - 7 - 0. The zero would protect it too (x + y = 3), but a hidden zero
    # only lets 3 move down and empty categories are often guessable, so 7 is preferred.
    counts = {"total": 10, "a": 3, "b": 7, "c": 0}
    relations = [Relation("total", ("a", "b", "c"))]
    result = assert_protected(counts, relations, 5)
    assert result == [Suppression("a", PRIMARY), Suppression("b", SECONDARY)]


def test_total_below_threshold_with_its_parts() -> None:
    # Total and both positive parts are primary; with all three hidden nothing is pinned.
    counts, relations = one_dimensional([1, 3, 0])
    result = assert_protected(counts, relations, 5)
    assert rules_of(result) == {"total": PRIMARY, "c0": PRIMARY, "c1": PRIMARY}


def test_total_below_threshold_inside_a_larger_total() -> None:
    # g0 = 4 is primary (as are its parts) but all - g1 gives it away. Hiding the grand total
    # alone would do, but the headline figure is kept: the subtotal g1 and then its smaller
    # cell are hidden instead.
    counts, relations = hierarchy([[1, 3], [12, 8]])
    result = assert_protected(counts, relations, 5)
    assert rules_of(result) == {
        "g0": PRIMARY,
        "g0c0": PRIMARY,
        "g0c1": PRIMARY,
        "g1": SECONDARY,
        "g1c1": SECONDARY,
    }


def test_count_equal_to_threshold_is_published() -> None:
    counts, relations = one_dimensional([5, 7])
    assert protect(counts, relations, [], 5) == []
    assert protect(counts, relations, [], 6) == [
        Suppression("c0", PRIMARY),
        Suppression("c1", SECONDARY),
    ]


def test_zero_counts_are_published() -> None:
    counts, relations = one_dimensional([0, 10, 0])
    assert protect(counts, relations, [], 5) == []


def test_counts_in_no_relation_need_no_partner() -> None:
    assert protect({"lonely": 2, "other": 9}, [], [], 5) == [Suppression("lonely", PRIMARY)]


def test_statistics_with_small_base_are_hidden() -> None:
    statistics = [
        Statistic("age.mean", 4),
        Statistic("age.youngest", 0),
        Statistic("age.mean_girls", 5),
        Statistic("share", 100),
    ]
    result = protect({"n": 4}, [], statistics, 5)
    assert result == [
        Suppression("age.mean", SMALL_BASE),
        Suppression("age.youngest", SMALL_BASE),
        Suppression("n", PRIMARY),
    ]


def test_two_dimensional_table_closes_a_rectangle() -> None:
    # One small cell in a table with margins: hiding a partner in its row leaves it given away
    # by its column, so the classic 4-cell rectangle of inner cells is needed, no margins.
    grid = [
        [2, 10, 20],
        [8, 6, 30],
        [15, 12, 40],
    ]
    counts, relations = two_dimensional(grid)
    result = assert_protected(counts, relations, 5)
    assert rules_of(result) == {
        "r0c0": PRIMARY,
        "r0c1": SECONDARY,
        "r1c0": SECONDARY,
        "r1c1": SECONDARY,
    }


def test_two_dimensional_table_reuses_other_small_cells() -> None:
    # Two small cells in different rows and columns: their rectangle needs two more cells only.
    grid = [
        [2, 10, 20],
        [8, 3, 30],
        [15, 12, 40],
    ]
    counts, relations = two_dimensional(grid)
    result = assert_protected(counts, relations, 5)
    assert rules_of(result) == {
        "r0c0": PRIMARY,
        "r1c1": PRIMARY,
        "r0c1": SECONDARY,
        "r1c0": SECONDARY,
    }


def test_subtotal_gives_away_a_cell_in_a_fully_hidden_relation() -> None:
    # Each relation has at least two hidden cells, yet c = total - subtotal.
    counts = {"total": 20, "a": 6, "b": 7, "c": 7, "ab": 13}
    relations = [Relation("total", ("a", "b", "c")), Relation("ab", ("a", "b"))]
    assert recoverable(counts, relations, {"a", "b", "c"}) == ["c"]
    assert recoverable(counts, relations, {"a", "b"}) == []


def test_bounds_give_away_cells_that_each_share_relations_with_another_hidden_one() -> None:
    # t + s = 7, s + q = 4, t + r = 3: every relation has two hidden cells, so a naive "two per
    # relation" rule passes, but s <= 4 forces t >= 3 and r >= 0 forces t <= 3. Only the
    # non-negativity bounds pin the values down, which the linear programme finds.
    counts = {"T": 7, "t": 3, "s": 4, "S": 4, "q": 0, "R": 3, "r": 0}
    relations = [Relation("T", ("t", "s")), Relation("S", ("s", "q")), Relation("R", ("t", "r"))]
    hidden = {"t", "s", "q", "r"}
    assert recoverable(counts, relations, hidden) == ["q", "r", "s", "t"]
    for path in hidden:
        low, high = integer_range(counts, relations, hidden, path)
        assert low == high == counts[path]
    # Publishing the larger totals with one more hidden cell fixes it; protect finds a way.
    assert recoverable(counts, relations, hidden | {"T"}) == []
    assert_protected(counts, relations, 3)


def test_fractional_solutions_do_not_count_as_uncertainty() -> None:
    # With x + a + b = 3, a + c = 1, b + c = 1 and x + f = 2, the relaxation lets x reach 2
    # (at c = 1/2, a = b = 1/2, f = 0), a whole unit above its true value, yet the only integer
    # solution is the true one: c must be 0 because f = 1 - 2c >= 0.
    counts = {"x": 1, "a": 1, "b": 1, "c": 0, "f": 1, "T1": 3, "T2": 1, "T3": 1, "T4": 2}
    relations = [
        Relation("T1", ("x", "a", "b")),
        Relation("T2", ("a", "c")),
        Relation("T3", ("b", "c")),
        Relation("T4", ("x", "f")),
    ]
    hidden = {"x", "a", "b", "c", "f"}
    assert recoverable(counts, relations, hidden) == ["a", "b", "c", "f", "x"]
    assert all(is_recoverable(counts, relations, hidden, path) for path in hidden)
    assert_protected(counts, relations, 2)


def test_relations_may_share_a_total() -> None:
    # The same total broken down two ways (e.g. by gender and by concern).
    counts = {"n": 20, "girl": 3, "boy": 17, "a": 10, "b": 10}
    relations = [Relation("n", ("girl", "boy")), Relation("n", ("a", "b"))]
    result = assert_protected(counts, relations, 5)
    assert rules_of(result) == {"girl": PRIMARY, "boy": SECONDARY}


def test_relation_parts_may_be_a_list() -> None:
    relation = Relation("total", ["a", "b"])  # type: ignore[arg-type]
    assert relation.parts == ("a", "b")
    assert protect({"total": 9, "a": 2, "b": 7}, [relation], [], 5) == [
        Suppression("a", PRIMARY),
        Suppression("b", SECONDARY),
    ]


# --- Errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "relations", "statistics", "threshold", "message"),
    [
        ({"t": 3, "a": 3}, [Relation("t", ("a", "b"))], [], 5, r"t = a \+ b.*names b"),
        ({"t": 4, "a": 3}, [Relation("t", ("a",))], [], 5, r"t = a.*add up to 3.*total is 4"),
        ({"t": 3, "a": -1}, [], [], 5, "count a must be a non-negative integer"),
        ({"t": 3, "a": 1.5}, [], [], 5, "count a must be a non-negative integer"),
        ({"t": 3}, [Relation("t", ())], [], 5, "total t has no parts"),
        ({"t": 6, "a": 3}, [Relation("t", ("a", "a"))], [], 5, "names a path twice"),
        ({"t": 3, "a": 3}, [Relation("t", ("t", "a"))], [], 5, "names a path twice"),
        ({}, [], [Statistic("mean", -1)], 5, "base of mean"),
        ({"t": 3}, [], [], 1, "threshold"),
        ({"t": 3}, [], [], True, "threshold"),
    ],
)
def test_invalid_input_is_refused(
    counts: Counts,
    relations: list[Relation],
    statistics: list[Statistic],
    threshold: int,
    message: str,
) -> None:
    with pytest.raises(DisclosureError, match=message):
        protect(counts, relations, statistics, threshold)


def test_disclosure_error_is_a_value_error() -> None:
    assert issubclass(DisclosureError, ValueError)


# --- Size ------------------------------------------------------------------------------------


def random_count(rng: random.Random) -> int:
    """About a fifth small, the rest zero or comfortably above the threshold."""
    if rng.random() < 0.2:
        return rng.randint(1, 4)
    return rng.choice([0, rng.randint(5, 40)])


def test_month_by_concern_table_is_fast() -> None:
    # 24 months x 4 concerns with row and column margins and a grand total: the largest table
    # the reports have, with about a fifth of the cells small.
    protect(*one_dimensional([3, 7]), [], 5)  # warm up imports and HiGHS
    slowest = 0.0
    for seed in range(5):
        rng = random.Random(seed)
        grid = [[random_count(rng) for _ in range(4)] for _ in range(24)]
        counts, relations = two_dimensional(grid)
        start = time.perf_counter()
        result = protect(counts, relations, [], 5)
        slowest = max(slowest, time.perf_counter() - start)
        assert recoverable(counts, relations, {s.path for s in result}) == []
    assert slowest < 0.2


# --- Properties ------------------------------------------------------------------------------

# Small counts, with plenty just under a typical threshold and some zeros.
small_counts = st.one_of(st.integers(1, 4), st.just(0), st.integers(0, 15))
thresholds = st.integers(3, 6)


@st.composite
def one_dimensional_tables(draw: st.DrawFn) -> Table:
    return one_dimensional(draw(st.lists(small_counts, min_size=1, max_size=8)))


@st.composite
def two_dimensional_tables(draw: st.DrawFn) -> Table:
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 4))
    row = st.lists(small_counts, min_size=n_cols, max_size=n_cols)
    return two_dimensional(draw(st.lists(row, min_size=n_rows, max_size=n_rows)))


@st.composite
def hierarchies(draw: st.DrawFn) -> Table:
    group = st.lists(small_counts, min_size=1, max_size=4)
    return hierarchy(draw(st.lists(group, min_size=1, max_size=4)))


@st.composite
def shared_totals(draw: st.DrawFn) -> Table:
    """A 2-D table whose grand total is also broken down another way (like gender x concern
    plus districts), which is not a network structure."""
    counts, relations = draw(two_dimensional_tables())
    remaining = counts["all"]
    n_other = draw(st.integers(1, 4))
    other = []
    for _ in range(n_other - 1):
        value = draw(st.integers(0, remaining))
        other.append(value)
        remaining -= value
    other.append(remaining)
    for k, value in enumerate(other):
        counts[f"d{k}"] = value
    relations.append(Relation("all", tuple(f"d{k}" for k in range(n_other))))
    return counts, relations


@st.composite
def relation_systems(draw: st.DrawFn) -> Table:
    """Sums of random subsets, whose totals may be parts of later sums: shapes no table has,
    including ones whose relaxation has fractional vertices."""
    counts = {f"c{i}": draw(small_counts) for i in range(draw(st.integers(2, 8)))}
    relations = []
    for k in range(draw(st.integers(1, 6))):
        parts = draw(st.lists(st.sampled_from(sorted(counts)), min_size=1, max_size=4, unique=True))
        counts[f"t{k}"] = sum(counts[p] for p in parts)
        relations.append(Relation(f"t{k}", tuple(parts)))
    return counts, relations


def assert_deterministic(
    counts: Counts,
    relations: list[Relation],
    threshold: int,
    expected: list[Suppression],
    data: st.DataObject,
) -> None:
    """The same input gives the same output, whatever order the caller lists it in."""
    shuffled_relations = data.draw(st.permutations(relations))
    shuffled_counts = dict(data.draw(st.permutations(list(counts.items()))))
    assert protect(shuffled_counts, shuffled_relations, [], threshold) == expected


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)


@PROPERTY_SETTINGS
@given(
    table=one_dimensional_tables(),
    threshold=thresholds,
    bases=st.lists(st.integers(0, 10), max_size=3),
    data=st.data(),
)
def test_one_dimensional_tables_are_protected(
    table: Table, threshold: int, bases: list[int], data: st.DataObject
) -> None:
    counts, relations = table
    statistics = [Statistic(f"mean{i}", base) for i, base in enumerate(bases)]
    result = assert_protected(counts, relations, threshold, statistics)
    expected = [s for s in result if s.rule != SMALL_BASE]
    assert_deterministic(counts, relations, threshold, expected, data)


@PROPERTY_SETTINGS
@given(table=two_dimensional_tables(), threshold=thresholds, data=st.data())
def test_two_dimensional_tables_are_protected(
    table: Table, threshold: int, data: st.DataObject
) -> None:
    counts, relations = table
    result = assert_protected(counts, relations, threshold)
    assert_deterministic(counts, relations, threshold, result, data)


@PROPERTY_SETTINGS
@given(table=hierarchies(), threshold=thresholds, data=st.data())
def test_hierarchies_are_protected(table: Table, threshold: int, data: st.DataObject) -> None:
    counts, relations = table
    result = assert_protected(counts, relations, threshold)
    assert_deterministic(counts, relations, threshold, result, data)


@settings(max_examples=50, deadline=None)
@given(table=shared_totals(), threshold=thresholds)
def test_tables_sharing_a_total_are_protected(table: Table, threshold: int) -> None:
    counts, relations = table
    assert_protected(counts, relations, threshold)


@settings(max_examples=50, deadline=None)
@given(table=relation_systems(), threshold=st.integers(2, 6))
def test_general_relation_systems_are_protected(table: Table, threshold: int) -> None:
    counts, relations = table
    assert_protected(counts, relations, threshold)
