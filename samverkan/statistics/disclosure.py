"""Statistical disclosure control (SDC) for figures published in committee reports.

`protect` decides which figures must be hidden before publication:

1. Primary suppression: a count from 1 to threshold-1 could single out a few people, so it is
   hidden. Zeros are published: they describe nobody.
2. Small base: a mean, share or extreme value computed from fewer than `threshold` records says
   too much about those records, so it is hidden. Statistics take no part in relations.
3. Secondary suppression: hiding a count is useless if it can be worked out from what is
   published. The attacker knows every published count, every relation (total = sum of parts)
   and that counts are non-negative integers. A hidden count is *recoverable* if those facts
   leave it only one possible value; more published counts are then hidden until no hidden
   count is recoverable.

Recoverability is decided with integer reasoning, because counts are integers: a hidden cell
with true value v is safe when some integer solution of the constraints gives it v + 1 or more,
or v - 1 or less. The linear relaxation is solved first (`linprog`, HiGHS). If it cannot move
the cell by a whole unit, neither can integers, so the cell is recoverable; this covers the
textbook test "max - min < 1" and is slightly stricter, since a range such as [2.6, 3.4] holds
one integer only. If the relaxation moves it at an integral vertex, that vertex is an integer
witness. For the usual table shapes (1-D tables, 2-D tables with margins, hierarchies) the
constraint matrix is totally unimodular, vertices are integral and no integer program is ever
solved; for other shapes a fractional vertex is settled with `milp`.

Two facts keep this fast. Hiding a further cell turns a known value into an unknown, so every
solution the attacker had before is still one: a hidden cell once shown safe stays safe and is
never checked again. And
hidden cells that share no relation are independent, so each check only solves the program of
its cell's component (hidden cells linked through relations in which they appear together).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

PRIMARY, SECONDARY, SMALL_BASE = "primary", "secondary", "small-base"

# HiGHS works in floating point; the data are small integers, so a value within this distance
# of an integer is that integer.
_EPS = 1e-6

# linprog/milp status codes (the same for both).
_OPTIMAL, _UNBOUNDED = 0, 3


@dataclass(frozen=True)
class Relation:
    """Published counts that add up: counts[total] == sum(counts[p] for p in parts)."""

    total: str
    parts: tuple[str, ...]

    def __post_init__(self) -> None:
        # Callers often pass a list or generator; a tuple keeps the relation hashable and sortable.
        object.__setattr__(self, "parts", tuple(self.parts))

    def __str__(self) -> str:
        return f"{self.total} = {' + '.join(self.parts)}"


@dataclass(frozen=True)
class Statistic:
    """A mean, share or extreme value (e.g. youngest age) at `path`, from `base` records."""

    path: str
    base: int


@dataclass(frozen=True)
class Suppression:
    """A figure to hide, and why.

    The rule is for the producers of the report, not its readers: the attacker model above does
    not assume they know which hidden counts are primary. If they did, they would know those lie
    in 1..threshold-1 and the others do not, which can pin values down (6 = a + b with a = 1
    primary and b = 5 secondary leaves b = 5 as the only value that is 0 or >= 5 and <= 5).
    """

    path: str
    rule: str  # one of "primary", "secondary", "small-base"


class DisclosureError(ValueError):
    """The input to disclosure control is inconsistent, so no protection could be trusted."""


def protect(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    statistics: Sequence[Statistic],
    threshold: int,
) -> list[Suppression]:
    """The figures to hide before publication, sorted by path, each with the rule that hid it.

    Raises DisclosureError if the threshold is below 2, a count or base is negative or not an
    integer, a relation names a path that is not a count or is malformed, or the counts do not
    add up as a relation says.
    """
    if not _is_count(threshold) or threshold < 2:
        raise DisclosureError(f"The threshold must be an integer of at least 2, not {threshold!r}.")
    _validate(counts, relations, statistics)

    rules: dict[str, str] = {}
    for path, value in counts.items():
        if 1 <= value < threshold:
            rules[path] = PRIMARY
    for statistic in statistics:
        if statistic.base < threshold:
            rules.setdefault(statistic.path, SMALL_BASE)
    primary = sorted(path for path, rule in rules.items() if rule == PRIMARY)
    for path in _Secondary(counts, relations, primary).run():
        rules.setdefault(path, SECONDARY)
    return [Suppression(path=path, rule=rules[path]) for path in sorted(rules)]


def recoverable(
    counts: Mapping[str, int], relations: Sequence[Relation], hidden: set[str] | frozenset[str]
) -> list[str]:
    """The hidden counts whose value follows from the published ones, sorted by path.

    For auditing a suppression pattern: `protect` guarantees this is empty for its own output.
    """
    _validate(counts, relations, ())
    unknown = sorted(path for path in hidden if path in counts)
    checker = _Secondary(counts, relations, unknown)
    return [path for path in unknown if not checker.is_safe(path)]


def _validate(
    counts: Mapping[str, int], relations: Sequence[Relation], statistics: Sequence[Statistic]
) -> None:
    for path, value in counts.items():
        if not _is_count(value):
            raise DisclosureError(
                f"The count {path} must be a non-negative integer, not {value!r}."
            )
    for statistic in statistics:
        base = statistic.base
        if not _is_count(base):
            raise DisclosureError(
                f"The base of {statistic.path} must be a non-negative integer, not {base!r}."
            )
    for relation in relations:
        cells = (relation.total, *relation.parts)
        if not relation.parts:
            raise DisclosureError(f"The relation with total {relation.total} has no parts.")
        if len(set(cells)) != len(cells):
            raise DisclosureError(f"The relation {relation} names a path twice.")
        missing = [path for path in cells if path not in counts]
        if missing:
            raise DisclosureError(
                f"The relation {relation} names {', '.join(missing)}, which is not a count."
            )
        parts_sum = sum(counts[path] for path in relation.parts)
        if parts_sum != counts[relation.total]:
            raise DisclosureError(
                f"The relation {relation} does not hold: the parts add up to {parts_sum}, "
                f"the total is {counts[relation.total]}."
            )


class _Program:
    """The attacker's view of one component: A x = b, x >= 0 over its hidden cells."""

    def __init__(self, cells: list[str], rows: list[tuple[dict[str, int], int]]) -> None:
        self.cells = cells
        self.index = {path: i for i, path in enumerate(cells)}
        self.a_eq = np.zeros((len(rows), len(cells)))
        self.b_eq = np.zeros(len(rows))
        for r, (coefficients, rhs) in enumerate(rows):
            for path, coefficient in coefficients.items():
                self.a_eq[r, self.index[path]] = coefficient
            self.b_eq[r] = rhs

    def extreme(self, path: str, direction: int) -> tuple[bool, npt.NDArray[np.float64] | None]:
        """Optimise the cell upwards (+1) or downwards (-1) over the real relaxation.

        Returns (unbounded, solution).
        """
        objective = np.zeros(len(self.cells))
        objective[self.index[path]] = -direction  # linprog minimises
        result = linprog(
            objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=(0, None), method="highs"
        )
        if result.status == _UNBOUNDED:
            return True, None
        if result.status != _OPTIMAL:
            # The true counts satisfy every constraint, so anything else is a solver failure.
            raise RuntimeError(f"Disclosure check for {path} failed: {result.message}")
        return False, result.x

    def integer_extreme(self, path: str, direction: int) -> npt.NDArray[np.float64]:
        """Optimise the cell over integer solutions (only needed at fractional vertices)."""
        objective = np.zeros(len(self.cells))
        objective[self.index[path]] = -direction
        result = milp(
            objective,
            integrality=np.ones(len(self.cells)),
            bounds=Bounds(0, np.inf),
            constraints=LinearConstraint(self.a_eq, self.b_eq, self.b_eq),
        )
        if result.status != _OPTIMAL:
            # Bounded as a relaxation (the caller checked) and feasible (the true counts).
            raise RuntimeError(f"Disclosure check for {path} failed: {result.message}")
        return result.x


class _Secondary:
    """Secondary suppression: hides published counts until no hidden count is recoverable."""

    def __init__(
        self, counts: Mapping[str, int], relations: Sequence[Relation], hidden: list[str]
    ) -> None:
        self.counts = counts
        # Sorted and deduplicated so that the result does not depend on the caller's order.
        self.relations = sorted(set(relations), key=lambda r: (r.total, r.parts))
        self.cells = [(r.total, *r.parts) for r in self.relations]
        self.relations_of: dict[str, list[int]] = {}
        for index, cells in enumerate(self.cells):
            for path in cells:
                self.relations_of.setdefault(path, []).append(index)
        totals = {r.total for r in self.relations}
        parts = {path for r in self.relations for path in r.parts}
        # How much readers lose if the cell is hidden: 0 for a plain cell, 1 for a subtotal (a
        # total that is also a part elsewhere), 2 for a total that nothing sums up.
        self.level = {
            path: 0 if path not in totals else 1 if path in parts else 2
            for path in self.relations_of
        }
        self.hidden: set[str] = set()
        self.unknowns = [0] * len(self.relations)  # hidden cells per relation
        self.safe: set[str] = set()  # hidden cells proven not recoverable
        self.programs: dict[str, _Program] = {}  # per hidden cell, until the next cell is hidden
        self.added: list[str] = []
        for path in hidden:
            self._hide(path)
        self.added.clear()

    def run(self) -> list[str]:
        """Hide counts until every hidden count is safe; returns the counts hidden here."""
        while True:
            self._fix_lone_unknowns()
            target = self._first_recoverable()
            if target is None:
                return list(self.added)
            candidate = self._candidate_for(target)
            if candidate is None:
                # Everything the cell is linked to is hidden already. A positive count is then
                # never recoverable (scaling the true counts up keeps every relation), so this
                # is a structural zero, which says nothing about anybody.
                self.safe.add(target)
            else:
                self._hide(candidate)

    def is_safe(self, path: str) -> bool:
        if path in self.safe:
            return True
        if path not in self.relations_of:
            return True  # in no relation, nothing published constrains it
        if any(self.unknowns[r] == 1 for r in self.relations_of.get(path, ())):
            return False  # its relation gives it away: total minus the published parts
        program = self._program(path)
        value = self.counts[path]
        for direction in (1, -1):
            unbounded, x = program.extreme(path, direction)
            if unbounded:
                # The recession direction is rational and the true counts are an integer
                # solution, so integers can move the cell by a whole unit too.
                self.safe.add(path)
                return True
            assert x is not None
            if _is_integral(x):
                self._record_witness(program, x)
            elif direction * (x[program.index[path]] - value) >= 1 - _EPS:
                # The relaxation reaches the next integer only at a fractional vertex.
                self._record_witness(program, program.integer_extreme(path, direction))
            # Otherwise not even fractions reach the next integer in this direction.
            if path in self.safe:
                return True
        return False

    def _hide(self, path: str) -> None:
        self.hidden.add(path)
        self.programs.clear()
        self.added.append(path)
        for r in self.relations_of.get(path, ()):
            self.unknowns[r] += 1

    def _fix_lone_unknowns(self) -> None:
        """Hide cells while some relation has exactly one hidden cell, which it gives away.

        This is the common case and needs no linear programming. Each step hides the candidate
        that unlocks the most such relations and creates the fewest new ones, so that in a 2-D
        table the pattern closes into rectangles instead of spreading.
        """
        while True:
            lone = [r for r, n in enumerate(self.unknowns) if n == 1]
            if not lone:
                return
            pool = {path for r in lone for path in self.cells[r] if path not in self.hidden}
            self._hide(min(pool, key=self._cost))

    def _first_recoverable(self) -> str | None:
        for path in sorted(self.hidden - self.safe):
            if not self.is_safe(path):
                return path
        return None

    def _candidate_for(self, target: str) -> str | None:
        """The published count to hide next for a cell that bounds alone pin down."""
        pool = {
            path
            for r in self.relations_of.get(target, ())
            for path in self.cells[r]
            if path not in self.hidden
        }
        if not pool:
            # Pinned through other hidden cells: widen to what constrains its whole component.
            component = self._component(target)
            pool = {
                path
                for r in {r for cell in component for r in self.relations_of.get(cell, ())}
                for path in self.cells[r]
                if path not in self.hidden
            }
        return min(pool, key=self._cost) if pool else None

    def _cost(self, path: str) -> tuple[int, int, bool, int, str]:
        """Sort key for candidates: lower is better.

        - Cells before subtotals before top-level totals: totals are the figures readers use
          most, and the headline figure of a report most of all.
        - Most progress: relations with one hidden cell that this one unlocks, minus relations
          with none in which this one would become the lone hidden cell (each costs another
          suppression later).
        - Positive before zero: a hidden zero only lets the other cell move one way, and zeros
          are often guessable (an empty category), so they protect poorly.
        - Smallest value: the least information lost.
        - Path: a deterministic tie-break.
        """
        relations = self.relations_of.get(path, ())
        unlocks = sum(1 for r in relations if self.unknowns[r] == 1)
        creates = sum(1 for r in relations if self.unknowns[r] == 0)
        value = self.counts[path]
        return (self.level[path], creates - unlocks, value == 0, value, path)

    def _component(self, path: str) -> list[str]:
        """The hidden cells linked to `path` through relations they appear in together."""
        seen = {path}
        stack = [path]
        while stack:
            cell = stack.pop()
            for r in self.relations_of.get(cell, ()):
                for other in self.cells[r]:
                    if other in self.hidden and other not in seen:
                        seen.add(other)
                        stack.append(other)
        return sorted(seen)

    def _program(self, path: str) -> _Program:
        if path not in self.programs:
            program = self._build_program(self._component(path))
            self.programs.update(dict.fromkeys(program.cells, program))
        return self.programs[path]

    def _build_program(self, cells: list[str]) -> _Program:
        touched = sorted({r for cell in cells for r in self.relations_of.get(cell, ())})
        rows: list[tuple[dict[str, int], int]] = []
        for r in touched:
            relation = self.relations[r]
            # sum(parts) - total = 0, with the published values moved to the right-hand side.
            coefficients: dict[str, int] = {}
            rhs = 0
            for cell, sign in ((relation.total, -1), *((p, 1) for p in relation.parts)):
                if cell in self.hidden:
                    coefficients[cell] = sign
                else:
                    rhs -= sign * self.counts[cell]
            rows.append((coefficients, rhs))
        return _Program(cells, rows)

    def _record_witness(self, program: _Program, x: npt.NDArray[np.float64]) -> None:
        """An integer solution proves safe every cell it moves by at least one."""
        for path, i in program.index.items():
            if abs(x[i] - self.counts[path]) >= 1 - _EPS:
                self.safe.add(path)


def _is_integral(x: npt.NDArray[np.float64]) -> bool:
    return bool(np.all(np.abs(x - np.round(x)) < _EPS))


def _is_count(value: object) -> bool:
    # bool is an Integral too, but True as a count is a caller's bug, not the number 1.
    return isinstance(value, Integral) and not isinstance(value, bool) and int(value) >= 0
