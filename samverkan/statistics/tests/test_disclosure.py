"""Tests for statistical disclosure control.

Safety is checked independently of the implementation, with `scipy.optimize.milp` over the
integer program of everything the attacker knows: the published counts, the relations and the
rule published with each hidden count (a primary count is from 1 to threshold-1, any other
hidden count 0 or at least the threshold, through one binary each). A hidden count is safe when
its least and greatest values differ, that is when some integer solution gives it another value
than its true one. The only exception allowed is a count that would be recoverable even with
every count hidden, which no suppression can help.
"""

import random
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

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


def attacker_program(
    counts: Mapping[str, int], relations: Sequence[Relation], hidden: set[str], threshold: int
) -> tuple[dict[str, int], Bounds, list[LinearConstraint]]:
    """What the attacker knows of the hidden counts, as an integer program: the relations with
    the published counts filled in, a count hidden as primary from 1 to threshold-1, and any
    other hidden count 0 or at least the threshold.

    Variables: one per hidden count, then one binary per hidden count that is not primary, which
    is 1 when that count is at least the threshold and 0 when it is 0. Returns the position of
    each hidden count, the bounds and the constraints.
    """
    unknown = sorted(hidden & counts.keys())
    gapped = [cell for cell in unknown if not 1 <= counts[cell] < threshold]
    n = len(unknown) + len(gapped)
    position = {cell: i for i, cell in enumerate(unknown)}
    # Above every true value and every total an attacker could see, so no real bound.
    ceiling = sum(counts.values()) + threshold
    lower = np.zeros(n)
    upper = np.ones(n)
    for cell, i in position.items():
        small = 1 <= counts[cell] < threshold
        lower[i], upper[i] = (1, threshold - 1) if small else (0, ceiling)
    constraints = []
    for relation in relations:
        row = np.zeros(n)
        value = 0
        for cell, sign in ((relation.total, -1), *((p, 1) for p in relation.parts)):
            if cell in position:
                row[position[cell]] += sign
            else:
                value -= sign * counts[cell]
        if row.any():
            constraints.append(LinearConstraint(row, value, value))
    for k, cell in enumerate(gapped):
        at_least = np.zeros(n)  # x >= threshold * z
        at_least[position[cell]], at_least[len(unknown) + k] = 1, -threshold
        constraints.append(LinearConstraint(at_least, 0, np.inf))
        at_most = np.zeros(n)  # x <= ceiling * z
        at_most[position[cell]], at_most[len(unknown) + k] = 1, -ceiling
        constraints.append(LinearConstraint(at_most, -np.inf, 0))
    return position, Bounds(lower, upper), constraints


def solve(
    objective: npt.NDArray[np.float64], bounds: Bounds, constraints: list[LinearConstraint]
) -> OptimizeResult:
    """`milp` over integers, retried without presolve if HiGHS reports an error: its presolve
    can fail so on programs that are infeasible (HiGHS 1.12)."""
    n = len(objective)
    result = milp(objective, integrality=np.ones(n), bounds=bounds, constraints=constraints)
    if result.status not in (0, 2):
        result = milp(
            objective,
            integrality=np.ones(n),
            bounds=bounds,
            constraints=constraints,
            options={"presolve": False},
        )
    assert result.status in (0, 2), result.message  # a solution, or proof of none
    return result


def integer_extreme(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    hidden: set[str],
    threshold: int,
    path: str,
    sense: int,
) -> float:
    """The greatest (sense=1) or least (sense=-1) integer value the hidden count `path` can take
    given what the attacker knows."""
    position, bounds, constraints = attacker_program(counts, relations, hidden, threshold)
    n = len(bounds.lb)
    objective = np.zeros(n)
    objective[position[path]] = -sense  # milp minimises
    result = solve(objective, bounds, constraints)
    assert result.status == 0, result.message
    return -sense * result.fun


def integer_range(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    hidden: set[str],
    threshold: int,
    path: str,
) -> tuple[float, float]:
    return (
        integer_extreme(counts, relations, hidden, threshold, path, -1),
        integer_extreme(counts, relations, hidden, threshold, path, 1),
    )


def can_differ(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    hidden: set[str],
    threshold: int,
    paths: set[str],
) -> set[str]:
    """The hidden counts among `paths` whose least and greatest integer values differ, that is
    to which some integer solution gives a value other than the true one. Asking whether such a
    solution exists is much faster than finding the extremes, and one solution answers for
    every count it moves."""
    position, bounds, constraints = attacker_program(counts, relations, hidden, threshold)
    n = len(bounds.lb)
    moved: set[str] = set()
    for path in sorted(paths):
        i, value = position[path], counts[path]
        for lower, upper in ((value + 1, bounds.ub[i]), (bounds.lb[i], value - 1)):
            if path in moved or lower > upper:
                continue
            lb, ub = bounds.lb.copy(), bounds.ub.copy()
            lb[i], ub[i] = lower, upper
            result = solve(np.zeros(n), Bounds(lb, ub), constraints)
            if result.status == 0:
                moved |= {c for c, j in position.items() if abs(result.x[j] - counts[c]) > 0.5}
    return moved & paths


def is_recoverable(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    hidden: set[str],
    threshold: int,
    path: str,
) -> bool:
    """Whether the attacker can tell the hidden count's value."""
    return not can_differ(counts, relations, hidden, threshold, {path})


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
    # (b) no hidden count is recoverable by an attacker who reasons over integers and knows the
    # rules, unless it would be even with every count hidden, which no suppression can help:
    # e.g. with threshold 2 "primary" means 1.
    hidden_counts = hidden & counts.keys()
    pinned = hidden_counts - can_differ(counts, relations, hidden, threshold, hidden_counts)
    if pinned:
        everything = set(counts)
        beyond_help = pinned - can_differ(counts, relations, everything, threshold, pinned)
        assert pinned == beyond_help, f"{sorted(pinned - beyond_help)} recoverable"
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
    # 3 alone would be 10 - 7 - 0. The zero would not protect it: readers know a hidden count
    # that is not primary is 0 or at least 5, so a + c = 3 leaves c = 0 and a = 3. Hiding 7
    # leaves a + b = 10, so a is anything from 1 to 4 (and b from 9 down to 6).
    counts = {"total": 10, "a": 3, "b": 7, "c": 0}
    relations = [Relation("total", ("a", "b", "c"))]
    result = assert_protected(counts, relations, 5)
    assert result == [Suppression("a", PRIMARY), Suppression("b", SECONDARY)]
    assert recoverable(counts, relations, {"a", "c"}, 5) == ["a", "c"]
    assert recoverable(counts, relations, {"a", "b"}, 5) == []


def test_a_hidden_zero_is_recoverable_from_its_rule() -> None:
    # a + z = 3 with a primary (1 to 4) and z secondary (0, or 5 and more): z = 0 and a = 3,
    # although a relation with two hidden cells would give neither away to a reader who did not
    # know the rules. With the total hidden too, z still cannot be anything but 0 (z <= 3).
    counts = {"total": 3, "a": 3, "z": 0, "other": 0, "all": 3}
    relations = [Relation("total", ("a", "z")), Relation("all", ("total", "other"))]
    hidden = {"a", "z"}
    assert recoverable(counts, relations, hidden, 5) == ["a", "z"]
    assert integer_range(counts, relations, hidden, 5, "z") == (0, 0)
    assert integer_range(counts, relations, hidden, 5, "a") == (3, 3)


def test_rule_of_a_partner_at_the_threshold_gives_both_away() -> None:
    # 6 = a + b with a = 1 primary and b = 5 secondary: b must be 0 or at least 5, and a at
    # least 1, so b = 5 and a = 1. Nothing else is left to hide but the total; with it hidden,
    # a can be 2 with b = 5 and a total of 7.
    counts = {"total": 6, "a": 1, "b": 5}
    relations = [Relation("total", ("a", "b"))]
    assert recoverable(counts, relations, {"a", "b"}, 5) == ["a", "b"]
    assert integer_range(counts, relations, {"a", "b"}, 5, "a") == (1, 1)
    result = assert_protected(counts, relations, 5)
    assert rules_of(result) == {"a": PRIMARY, "b": SECONDARY, "total": SECONDARY}
    assert integer_range(counts, relations, {"a", "b", "total"}, 5, "a") == (1, 4)


def test_partner_above_the_threshold_is_preferred() -> None:
    # Beside a = 1, a partner of exactly 5 would be pinned as above; 14 can give a unit to a.
    counts = {"total": 20, "a": 1, "b": 5, "c": 14}
    relations = [Relation("total", ("a", "b", "c"))]
    result = assert_protected(counts, relations, 5)
    assert rules_of(result) == {"a": PRIMARY, "c": SECONDARY}
    # A partner at the threshold does protect a primary count that can go down: 3 + 5 = 8 is
    # also 2 + 6.
    result = assert_protected({"total": 8, "a": 3, "b": 5}, [Relation("total", ("a", "b"))], 5)
    assert rules_of(result) == {"a": PRIMARY, "b": SECONDARY}


def test_a_zero_is_not_hidden_where_a_positive_count_can_be() -> None:
    # a = 3 needs a partner in T = a + z + S. The zero z is a plain cell and S a subtotal, yet
    # S is hidden (then its smaller part, as S = p + q would give it away): z could only jump
    # to 5 or more, which a cannot make up for, so a + z = 3 would pin both down.
    counts = {"T": 13, "a": 3, "z": 0, "S": 10, "p": 5, "q": 5}
    relations = [Relation("T", ("a", "z", "S")), Relation("S", ("p", "q"))]
    result = assert_protected(counts, relations, 5)
    assert rules_of(result) == {"a": PRIMARY, "S": SECONDARY, "p": SECONDARY}
    # p = 5 can only go up, which a going down allows: a + S = 13 with S = p + 5.
    assert integer_range(counts, relations, {"a", "S", "p"}, 5, "a") == (1, 3)


def test_counts_their_rules_give_away_get_no_partners() -> None:
    # g0 = 4 is hidden as primary and so are its four parts, so each part is 1 and g0 is 4
    # whatever else is hidden: hiding g1 and one of its parts would protect nothing.
    counts, relations = hierarchy([[1, 1, 1, 1], [20, 30]])
    result = protect(counts, relations, [], 5)
    assert rules_of(result) == {
        "g0": PRIMARY,
        "g0c0": PRIMARY,
        "g0c1": PRIMARY,
        "g0c2": PRIMARY,
        "g0c3": PRIMARY,
    }
    hidden = set(rules_of(result))
    assert recoverable(counts, relations, hidden, 5) == sorted(hidden)
    assert recoverable(counts, relations, set(counts), 5) == sorted(hidden)
    assert_protected(counts, relations, 5)
    # With a fifth part of 0 it is the same: hidden, the zero would have to stay below 5, so 0.
    counts, relations = hierarchy([[1, 1, 1, 1, 0], [20, 30]])
    assert protect(counts, relations, [], 5) == result
    # With a fifth part of 9, g0 = 13 is published and the parts are protected by hiding 9 (a
    # part can be 2 if 9 is 8).
    counts, relations = hierarchy([[1, 1, 1, 1, 9], [20, 30]])
    result = assert_protected(counts, relations, 5)
    assert rules_of(result)["g0c4"] == SECONDARY


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
    assert recoverable(counts, relations, {"a", "b", "c"}, 5) == ["c"]
    assert recoverable(counts, relations, {"a", "b"}, 5) == []


def test_bounds_give_away_cells_that_each_share_relations_with_another_hidden_one() -> None:
    # t + s = 7, s + q = 4, t + r = 3: every relation has two hidden cells, so a naive "two per
    # relation" rule passes, but s <= 4 forces t >= 3 and r >= 0 forces t <= 3. Only the
    # non-negativity bounds pin the values down, which the linear programme finds.
    counts = {"T": 7, "t": 3, "s": 4, "S": 4, "q": 0, "R": 3, "r": 0}
    relations = [Relation("T", ("t", "s")), Relation("S", ("s", "q")), Relation("R", ("t", "r"))]
    hidden = {"t", "s", "q", "r"}
    assert recoverable(counts, relations, hidden, 3) == ["q", "r", "s", "t"]
    for path in hidden:
        low, high = integer_range(counts, relations, hidden, 3, path)
        assert low == high == counts[path]
    # Hiding the larger total too fixes it: with threshold 3 no cell is primary, and t = 0,
    # r = 3 (or s = 0, q = 4) is another solution.
    assert recoverable(counts, relations, hidden | {"T"}, 3) == []
    assert integer_range(counts, relations, hidden | {"T"}, 3, "t") == (0, 3)
    assert_protected(counts, relations, 3)
    assert_protected(counts, relations, 4)


def test_fractional_solutions_do_not_count_as_uncertainty() -> None:
    # With threshold 2 no cell here is primary, so each is 0 or at least 2. From x + a + b = 6,
    # a + c = 2, b + c = 2 and x + f = 5, the relaxation lets x reach 5 (at c = 3/2,
    # a = b = 1/2, f = 0), three units above its true value, yet the only integer solution is
    # the true one: c = 1 would make a = b = 1, and c = 2 would make f = -1.
    counts = {"x": 2, "a": 2, "b": 2, "c": 0, "f": 3, "T1": 6, "T2": 2, "T3": 2, "T4": 5}
    relations = [
        Relation("T1", ("x", "a", "b")),
        Relation("T2", ("a", "c")),
        Relation("T3", ("b", "c")),
        Relation("T4", ("x", "f")),
    ]
    hidden = {"x", "a", "b", "c", "f"}
    assert recoverable(counts, relations, hidden, 2) == ["a", "b", "c", "f", "x"]
    assert all(is_recoverable(counts, relations, hidden, 2, path) for path in hidden)
    # With f one larger, c = 2 is possible and nothing is pinned.
    bigger = {**counts, "f": 4, "T4": 6}
    assert recoverable(bigger, relations, hidden, 2) == []
    assert_protected(counts, relations, 3)


def test_with_threshold_two_the_rule_gives_primary_counts_away() -> None:
    # "primary" means 1: no partner can hide that, so none is hidden for it.
    counts, relations = one_dimensional([1, 7, 3])
    assert protect(counts, relations, [], 2) == [Suppression("c0", PRIMARY)]
    assert recoverable(counts, relations, {"c0", "c1", "c2"}, 2) == ["c0"]
    assert recoverable({"lonely": 1}, [], {"lonely"}, 2) == ["lonely"]
    assert recoverable({"lonely": 1}, [], {"lonely"}, 3) == []


def test_a_program_that_trips_highs_presolve_is_solved(capfd: pytest.CaptureFixture[str]) -> None:
    # Found by the property tests: with presolve, HiGHS 1.12 reports "Solve error" for one of
    # the integer programs this needs, which is infeasible, and prints a line to stdout, which
    # would corrupt the JSON of `samverkan stats`.
    counts = {"c0": 1, "c1": 0, "c2": 2, "c3": 4, "t0": 7, "t1": 13, "t2": 23}
    relations = [
        Relation("t0", ("c0", "c1", "c2", "c3")),
        Relation("t1", ("c1", "c2", "c3", "t0")),
        Relation("t2", ("t0", "t1", "c0", "c2")),
    ]
    result = assert_protected(counts, relations, 6)
    assert rules_of(result) == {
        "c0": PRIMARY,
        "c2": PRIMARY,
        "c3": PRIMARY,
        "t0": SECONDARY,
        "t1": SECONDARY,
        "t2": SECONDARY,
    }
    capfd.readouterr()
    protect(counts, relations, [], 6)
    assert capfd.readouterr().out == ""


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


def test_month_by_concern_tables_are_protected() -> None:
    # 24 months x 4 concerns with row and column margins and a grand total: the largest table
    # the reports have, with about a fifth of the cells small. (Its speed is measured in
    # benchmarks/, not here.)
    for seed in range(5):
        rng = random.Random(seed)
        grid = [[random_count(rng) for _ in range(4)] for _ in range(24)]
        counts, relations = two_dimensional(grid)
        result = protect(counts, relations, [], 5)
        assert recoverable(counts, relations, {s.path for s in result}, 5) == []


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
