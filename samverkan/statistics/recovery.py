"""Whether a hidden count can be worked out from what is published: the attacker's integer
programs, one per component of hidden cells, solved by HiGHS (scipy's `milp`). The method and
why it is fast are described in statistics/disclosure.py, which decides what to hide with it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

# numpy and scipy.optimize (HiGHS) are imported where a program is built or a solver runs,
# not here: this module is imported by every process that loads the URL configuration
# (management commands run system checks) and by every one that reads figures, most of which
# never solve a program (the public level answers released periods from what was released).
# scipy.optimize adds about 50 MiB and a quarter of a second to each, which an import of a
# million records then carries through every garbage collection; numpy about 65 ms of the
# committee PDF's start-up (benchmarks/RESULTS.md).
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from scipy.optimize import LinearConstraint

    from samverkan.statistics.disclosure import Relation

# HiGHS works in floating point; the data are small integers, so a value within this distance
# of an integer is that integer.
_EPS = 1e-6

# milp status codes.
_OPTIMAL, _INFEASIBLE = 0, 2


class Undecided(Exception):
    """The solver could not tell whether an integer program has a solution."""


# HiGHS 1.12, as bundled with scipy, prints a debugging line straight to the process's stdout
# from its MIP solver now and then (ERGO-Code/HiGHS#2783), which would corrupt the JSON that
# `samverkan stats` prints. Around each MIP solve, file descriptor 1 is pointed at a temporary
# file whose content then goes to stderr; the lock keeps concurrent solves from mixing that up.
_STDOUT_LOCK = threading.Lock()


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    with _STDOUT_LOCK:
        sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # no stdout to protect
            yield
            return
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 1)
            try:
                yield
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                captured.seek(0)
                printed = captured.read()
                if printed:
                    sys.stderr.flush()
                    os.write(2, printed)


class _Program:
    """The attacker's view of some hidden cells x: those of one component.

    A x = b are the relations with the published values moved to the right-hand side. A primary
    cell lies in [1, t-1]; any other lies in [0, M] and, as an integer program, is 0 or in
    [t, M] through a binary z with t*z <= x <= M*z.
    """

    def __init__(
        self,
        cells: list[str],
        rows: list[tuple[dict[str, int], int]],
        values: list[int],
        primary: set[str],
        threshold: int,
        ceiling: int,
    ) -> None:
        self.cells = cells
        self.index = {path: i for i, path in enumerate(cells)}
        self.values = values
        self.threshold = threshold
        self.ceiling = ceiling
        import numpy as np  # noqa: PLC0415 (imported when needed, above)

        self.a_eq = np.zeros((len(rows), len(cells)))
        self.b_eq = np.zeros(len(rows))
        for r, (coefficients, rhs) in enumerate(rows):
            for path, coefficient in coefficients.items():
                self.a_eq[r, self.index[path]] = coefficient
            self.b_eq[r] = rhs
        # Cells that are 0 or at least the threshold (not primary).
        self.gapped = np.array([path not in primary for path in cells], dtype=bool)
        self.lower = np.where(self.gapped, 0.0, 1.0)
        self.upper = np.where(self.gapped, float(ceiling), float(threshold - 1))
        # The same, without crossing the gap: a zero stays 0, a count of t or more stays so.
        zero = np.array(values) == 0
        self.near_lower = np.where(self.gapped & ~zero, float(threshold), self.lower)
        self.near_upper = np.where(self.gapped & zero, 0.0, self.upper)
        self._constraints: list[LinearConstraint] | None = None

    def witness(self, path: str) -> npt.NDArray[np.float64] | None:
        """An integer solution in which the cell differs from its true value; None if there is
        none, that is if the attacker can tell its value. Raises Undecided if the solver could
        not tell.

        Most moves keep every cell on its side of the gap: a count above t goes up or down by a
        little, a zero stays 0. Those are found by a linear program over intervals, whose
        vertices are integral for the usual table shapes. Only if that fails is the integer
        program, with its jumps across the gap, solved.
        """
        i = self.index[path]
        value = self.values[i]
        undecided = None
        for direction in (1, -1):
            if not self.lower[i] <= value + direction <= self.upper[i]:
                continue  # e.g. a zero cannot go down, a primary count at t-1 cannot go up
            if self.near_lower[i] <= value + direction <= self.near_upper[i]:
                x = self._near_extreme(i, direction)
                if direction * (x[i] - value) >= 1 - _EPS and _is_integral(x):
                    return self._checked(x)
            try:
                x = self._integer_move(i, direction)
                if x is not None:
                    return self._checked(x)
            except Undecided as error:
                undecided = error  # the other direction may still tell
        if undecided is not None:
            raise undecided
        return None

    def _checked(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The solution rounded to integers, checked exactly: HiGHS's tolerances would let a
        binary of 1e-6 with a large M admit a value in the gap, for instance."""
        import numpy as np  # noqa: PLC0415 (imported when needed, above)

        x = np.round(x)
        gapped = x[self.gapped]
        if (
            np.array_equal(self.a_eq @ x, self.b_eq)
            and np.all(self.lower <= x)
            and np.all(x <= self.upper)
            and np.all((gapped == 0) | (gapped >= self.threshold))
        ):
            return x
        raise Undecided(f"Disclosure check found an inexact solution for {self.cells}")

    def _near_extreme(self, i: int, direction: int) -> npt.NDArray[np.float64]:
        """Optimise cell i upwards (+1) or downwards (-1) with every cell kept on its side of
        the gap: a primary count in [1, t-1], any other in [t, M] or at 0."""
        import numpy as np  # noqa: PLC0415 (imported when needed, above)
        from scipy.optimize import Bounds, milp  # noqa: PLC0415 (imported when needed, above)

        objective = np.zeros(len(self.cells))
        objective[i] = -direction  # milp minimises
        result = milp(
            objective,
            integrality=np.zeros(len(self.cells)),  # a linear program: HiGHS's simplex
            bounds=Bounds(self.near_lower, self.near_upper),
            constraints=self._relations(),
        )
        if result.status != _OPTIMAL:
            # The true counts are a solution and every cell is bounded, so this is a failure.
            raise RuntimeError(f"Disclosure check for {self.cells[i]} failed: {result.message}")
        return np.asarray(result.x)

    def _integer_move(self, i: int, direction: int) -> npt.NDArray[np.float64] | None:
        """An integer solution in which cell i is above (+1) or below (-1) its true value; None
        if there is none. Any solution will do, which spares proving one optimal.

        Raises Undecided if HiGHS cannot tell: its MIP solver (1.12) now and then gives up
        with "Solve error" on these programs, so a second try is made without presolve.
        """
        import numpy as np  # noqa: PLC0415 (imported when needed, above)

        n = len(self.cells)
        n_gapped = int(self.gapped.sum())
        lower = np.concatenate((self.lower, np.zeros(n_gapped)))
        upper = np.concatenate((self.upper, np.ones(n_gapped)))
        if direction > 0:
            lower[i] = self.values[i] + 1
        else:
            upper[i] = self.values[i] - 1
        from scipy.optimize import Bounds, milp  # noqa: PLC0415 (imported when needed, above)

        for presolve in (True, False):
            with _stdout_to_stderr():
                result = milp(
                    np.zeros(n + n_gapped),
                    integrality=np.ones(n + n_gapped),
                    bounds=Bounds(lower, upper),
                    constraints=self._milp_constraints(),
                    options={"presolve": presolve},
                )
            if result.status == _INFEASIBLE:
                return None
            if result.status == _OPTIMAL:
                return np.asarray(result.x[:n])
        raise Undecided(f"Disclosure check for {self.cells[i]} failed: {result.message}")

    def _relations(self) -> list[LinearConstraint]:
        from scipy.optimize import LinearConstraint  # noqa: PLC0415 (imported when needed, above)

        if not len(self.b_eq):
            return []  # a cell in no relation
        return [LinearConstraint(self.a_eq, self.b_eq, self.b_eq)]

    def _milp_constraints(self) -> list[LinearConstraint]:
        import numpy as np  # noqa: PLC0415 (imported when needed, above)
        from scipy.optimize import LinearConstraint  # noqa: PLC0415 (imported when needed, above)

        if self._constraints is None:
            n = len(self.cells)
            gapped = np.flatnonzero(self.gapped)
            self._constraints = []
            if len(self.b_eq):
                relations = np.hstack((self.a_eq, np.zeros((len(self.b_eq), len(gapped)))))
                self._constraints.append(LinearConstraint(relations, self.b_eq, self.b_eq))
            if len(gapped):
                # x - t*z >= 0 and x - M*z <= 0, one row each per gapped cell.
                link = np.zeros((2 * len(gapped), n + len(gapped)))
                for j, i in enumerate(gapped):
                    link[2 * j, i] = link[2 * j + 1, i] = 1
                    link[2 * j, n + j] = -self.threshold
                    link[2 * j + 1, n + j] = -self.ceiling
                low = np.tile([0.0, -np.inf], len(gapped))
                high = np.tile([np.inf, 0.0], len(gapped))
                self._constraints.append(LinearConstraint(link, low, high))
        return self._constraints


class Secondary:
    """Secondary suppression: hides published counts until no hidden count is recoverable."""

    def __init__(
        self,
        counts: Mapping[str, int],
        relations: Sequence[Relation],
        threshold: int,
        hidden: list[str],
        primary: set[str] | None = None,
    ) -> None:
        self.counts = counts
        self.threshold = threshold
        # The cells readers know to be primary; by default all initially hidden ones.
        self.primary = set(hidden) if primary is None else primary
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
        # Whether a cell would be recoverable even if every count were hidden: then no
        # suppression can protect it (see `_doomed`).
        self.movable: set[str] = set()
        self.doomed: set[str] = set()
        self.full_programs: dict[str, _Program] = {}
        self.added: list[str] = []
        for path in hidden:
            self._hide(path)
        self.added.clear()

    def run(self) -> list[str]:
        """Hide counts until every hidden count is safe or beyond help; returns the counts hidden
        here."""
        while True:
            self._fix_lone_unknowns()
            target = self._first_recoverable()
            if target is None:
                return list(self.added)
            candidate = self._candidate_for(target)
            if candidate is None:
                # Everything it is linked to is hidden already, or hiding more cannot help.
                self.doomed.add(target)
            else:
                self._hide(candidate)

    def is_safe(self, path: str) -> bool:
        if path in self.safe:
            return True
        if path in self.doomed:
            return False
        if path not in self.relations_of:
            # In no relation, nothing published constrains it; only its rule might.
            return not self._pinned_by_rule(path)
        if any(self.unknowns[r] == 1 for r in self.relations_of[path]):
            return False  # its relation gives it away: total minus the published parts
        program = self._program(path)
        try:
            x = program.witness(path)
        except Undecided:
            return False  # when in doubt, hide more
        if x is None:
            return False
        self._record_witness(program, x, self.safe)
        return True

    def _doomed(self, path: str) -> bool:
        """Whether the cell would be recoverable even with every count hidden.

        Hiding more only adds solutions, so this is the most the attacker could be left unsure
        of: a doomed cell cannot be protected, and a doomed published cell protects nothing if
        hidden. Examples: with threshold 2, "primary" says the count is 1; a total of 4 hidden as
        primary with four primary parts says each is 1; and a part of a primary total that is not
        primary is 0.
        """
        if path in self.movable:
            return False
        if path not in self.doomed:
            if path not in self.full_programs:
                cells = self._component(path, everything=True)
                program = self._build_program(cells, set(cells))
                self.full_programs.update(dict.fromkeys(cells, program))
            program = self.full_programs[path]
            try:
                x = program.witness(path)
            except Undecided:
                self.movable.add(path)  # when in doubt, keep protecting it
                return False
            if x is None:
                self.doomed.add(path)
            else:
                self._record_witness(program, x, self.movable)
        return path in self.doomed

    def _hide(self, path: str) -> None:
        self.hidden.add(path)
        self.programs.clear()
        self.added.append(path)
        for r in self.relations_of.get(path, ()):
            self.unknowns[r] += 1

    def _fix_lone_unknowns(self) -> None:
        """Hide cells while some relation has exactly one hidden cell, which it gives away.

        This is the common case and needs no search for solutions, beyond checking once per
        cell that the lone hidden cell can be protected at all (relations whose lone hidden cell
        cannot are left alone). Each step hides the candidate that unlocks the most such
        relations and creates the fewest new ones, so that in a 2-D table the pattern closes
        into rectangles instead of spreading.
        """
        while True:
            lone = [
                r
                for r, n in enumerate(self.unknowns)
                if n == 1
                and not any(self._doomed(path) for path in self.cells[r] if path in self.hidden)
            ]
            pool = {
                path
                for r in lone
                for path in self.cells[r]
                if path not in self.hidden and not self._useless(path)
            }
            if not pool:
                return
            self._hide(min(pool, key=self._cost))

    def _first_recoverable(self) -> str | None:
        for path in sorted(self.hidden - self.safe - self.doomed):
            if not self.is_safe(path):
                return path
        return None

    def _candidate_for(self, target: str) -> str | None:
        """The published count to hide next for a cell that is pinned down."""
        if self._doomed(target):
            return None
        pool = {
            path
            for r in self.relations_of.get(target, ())
            for path in self.cells[r]
            if path not in self.hidden and not self._useless(path)
        }
        if not pool:
            # Pinned through other hidden cells: widen to what constrains its whole component.
            component = self._component(target)
            pool = {
                path
                for r in {r for cell in component for r in self.relations_of.get(cell, ())}
                for path in self.cells[r]
                if path not in self.hidden and not self._useless(path)
            }
        return min(pool, key=self._cost) if pool else None

    def _useless(self, path: str) -> bool:
        """Whether hiding the published cell is known to protect nothing, as its value would
        still be known: a part of a total hidden as primary is below t, so if it is not primary
        it is 0 (checking every cell for `_doomed` would cost a solve each)."""
        if path in self.doomed:
            return True
        return path not in self.primary and any(
            self.relations[r].total in self.primary and self.relations[r].total != path
            for r in self.relations_of.get(path, ())
        )

    def _pinned_by_rule(self, path: str) -> bool:
        """With threshold 2, a count hidden as primary can only be 1."""
        return path in self.primary and self.threshold == 2

    def _cost(self, path: str) -> tuple[bool, int, int, bool, int, str]:
        """Sort key for candidates: lower is better.

        - Zeros last: readers know a hidden count that is not primary is 0 or at least the
          threshold t, so a hidden zero can only jump to t or more, which the small counts
          beside it cannot make up for. It seldom protects anything and then needs a partner
          itself; a positive cell, even a total, does better.
        - Cells before subtotals before top-level totals: totals are the figures readers use
          most, and the headline figure of a report most of all.
        - Most progress: relations with one hidden cell that this one unlocks, minus relations
          with none in which this one would become the lone hidden cell (each costs another
          suppression later).
        - Above t before exactly t: a count above t can move by one either way, a count of t
          only up (or down to 0).
        - Smallest value: the least information lost.
        - Path: a deterministic tie-break.
        """
        relations = self.relations_of.get(path, ())
        unlocks = sum(1 for r in relations if self.unknowns[r] == 1)
        creates = sum(1 for r in relations if self.unknowns[r] == 0)
        value = self.counts[path]
        return (
            value == 0,
            self.level[path],
            creates - unlocks,
            value == self.threshold,
            value,
            path,
        )

    def _component(self, path: str, everything: bool = False) -> list[str]:
        """The hidden cells linked to `path` through relations they appear in together; with
        `everything`, the cells linked to it through any relation."""
        seen = {path}
        stack = [path]
        while stack:
            cell = stack.pop()
            for r in self.relations_of.get(cell, ()):
                for other in self.cells[r]:
                    if (everything or other in self.hidden) and other not in seen:
                        seen.add(other)
                        stack.append(other)
        return sorted(seen)

    def _program(self, path: str) -> _Program:
        if path not in self.programs:
            program = self._build_program(self._component(path), self.hidden)
            self.programs.update(dict.fromkeys(program.cells, program))
        return self.programs[path]

    def _build_program(self, cells: list[str], hidden: set[str]) -> _Program:
        touched = sorted({r for cell in cells for r in self.relations_of.get(cell, ())})
        rows: list[tuple[dict[str, int], int]] = []
        for r in touched:
            relation = self.relations[r]
            # sum(parts) - total = 0, with the published values moved to the right-hand side.
            coefficients: dict[str, int] = {}
            rhs = 0
            for cell, sign in ((relation.total, -1), *((p, 1) for p in relation.parts)):
                if cell in hidden:
                    coefficients[cell] = sign
                else:
                    rhs -= sign * self.counts[cell]
            rows.append((coefficients, rhs))
        # Above every true value in the component, and growing as the component does, so that
        # solutions found before a cell was hidden stay solutions after.
        ceiling = self.threshold + sum(self.counts[c] for r in touched for c in self.cells[r])
        values = [self.counts[cell] for cell in cells]
        return _Program(cells, rows, values, self.primary, self.threshold, ceiling)

    def _record_witness(
        self, program: _Program, x: npt.NDArray[np.float64], proven: set[str]
    ) -> None:
        """An integer solution proves movable every cell it moves by at least one."""
        for path, i in program.index.items():
            if abs(x[i] - self.counts[path]) >= 1 - _EPS:
                proven.add(path)


def _is_integral(x: npt.NDArray[np.float64]) -> bool:
    import numpy as np  # noqa: PLC0415 (imported when needed, above)

    return bool(np.all(np.abs(x - np.round(x)) < _EPS))
