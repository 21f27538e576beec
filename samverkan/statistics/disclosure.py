"""Statistical disclosure control (SDC) for figures published in committee reports.

`protect` decides which figures must be hidden before publication:

1. Primary suppression: a count from 1 to threshold-1 could single out a few people, so it is
   hidden. Zeros are published: they describe nobody.
2. Small base: a mean, share or extreme value computed from fewer than `threshold` records says
   too much about those records, so it is hidden. Statistics take no part in relations.
3. Secondary suppression: hiding a count is useless if it can be worked out from what is
   published, so more published counts are hidden until no hidden count is recoverable.

The attacker knows every published count, every relation (total = sum of parts), that counts
are non-negative integers, and the rule that hid each hidden count, because the published figures
list it. The rule is itself knowledge: a count hidden as primary is an integer from 1 to
threshold-1, and any other hidden count was not primary, so it is 0 or at least the threshold.
A hidden count is *recoverable* if these facts leave it only one possible value. With threshold
5, 6 = a + b with a = 1 primary and b = 5 secondary is recoverable although a and b are both
hidden: b must be 0 or >= 5 and a at least 1, so b = 5 and a = 1. So is a + z = 3 with z = 0
secondary: z cannot reach 5, so z = 0 and a = 3.

Recoverability is decided per hidden cell, over the integer program of its component (the hidden
cells linked through relations in which they appear together): the cell is safe when some
solution gives it a value other than its true one. A hidden count that is not primary gets a
binary z with t*z <= x <= M*z, where t is the threshold and M, the sum of every count in the
relations of the component plus t, is above any true value (a bound below what the attacker can
rule out only shrinks the solutions considered, which errs on the side of hiding more). First a
linear program keeps every cell on its side of the gap (a primary count in [1, t-1], a zero at
0, any other count in [t, M]): an integral optimum that moves the cell is a solution, and for the
usual table shapes (1-D tables, 2-D tables with margins, hierarchies) the constraint matrix is
totally unimodular, so optima are integral. Otherwise the integer program is asked for any
solution with the cell above, then below its true value, across the gap if need be. Both are
solved by HiGHS through `milp` (which, for a linear program, costs less than `linprog`). Every
solution found proves safe each cell it moves.

Two facts keep this fast. Hiding a further cell keeps every solution the attacker had before
(with the new cell at its true value, which is 0 or at least the threshold as its rule says, and
below the larger M), so a hidden cell once shown safe stays safe and is never checked again. And
hidden cells that share no relation are independent, so each check only solves the program of
its cell's component.

Some counts cannot be protected at all, because the rules give them away whatever else is
hidden: with threshold 2, "primary" says the count is 1; a total of 4 hidden as primary with four
parts hidden as primary says each is 1. Such a count is found by solving the program with every
count of its relations' component hidden (the most an attacker can be left unsure of), and is
then hidden but protected no further, instead of hiding everything around it for nothing. A count
that can be protected is, by hiding enough: if need be everything it is linked to, totals
included. Hidden zeros count too: a + z = 3 above gives a away through z, so candidates are
chosen to avoid zeros, and never a zero that is a part of a primary total (it is below the
threshold, so readers know it is 0).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral

from samverkan.core.errors import SamverkanError
from samverkan.statistics.recovery import Secondary

PRIMARY, SECONDARY, SMALL_BASE = "primary", "secondary", "small-base"


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
    kind: str = "mean"  # "mean", "median" or "extreme": how the public level treats it


@dataclass(frozen=True)
class Suppression:
    """A figure to hide, and why.

    The rule is published with the figures, so the attacker model above assumes readers know it:
    a count hidden as primary lies in 1..threshold-1, any other hidden count is 0 or at least the
    threshold.
    """

    path: str
    rule: str  # one of "primary", "secondary", "small-base"


class DisclosureError(SamverkanError, ValueError):
    """The input to disclosure control is inconsistent, so no protection could be trusted.

    A domain error, so every way out (command line, later the web and the API) reports it
    instead of failing with a traceback."""


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
    _validate(counts, relations, statistics, threshold)
    rules: dict[str, str] = {}
    for path, value in counts.items():
        if 1 <= value < threshold:
            rules[path] = PRIMARY
    for statistic in statistics:
        if statistic.base < threshold:
            rules.setdefault(statistic.path, SMALL_BASE)
    primary = sorted(path for path, rule in rules.items() if rule == PRIMARY)
    for path in Secondary(counts, relations, threshold, primary).run():
        rules.setdefault(path, SECONDARY)
    return [Suppression(path=path, rule=rules[path]) for path in sorted(rules)]


def recoverable(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    hidden: set[str] | frozenset[str],
    threshold: int,
) -> list[str]:
    """The hidden counts whose value follows from what is published, sorted by path.

    For auditing a suppression pattern. Readers are assumed to know each hidden count's rule: a
    hidden count from 1 to threshold-1 is primary, any other is not. For the output of `protect`
    this lists only counts that no suppression could protect (see the module's docstring).
    """
    _validate(counts, relations, (), threshold)
    unknown = sorted(path for path in hidden if path in counts)
    primary = [path for path in unknown if 1 <= counts[path] < threshold]
    checker = Secondary(counts, relations, threshold, unknown, primary=set(primary))
    return [path for path in unknown if not checker.is_safe(path)]


def check_consistent(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    statistics: Sequence[Statistic],
    threshold: int,
) -> None:
    """Raises DisclosureError unless the figures are well formed and add up as their relations
    say (figures of earlier years entered by hand may not; records always do)."""
    _validate(counts, relations, statistics, threshold)


def _validate(
    counts: Mapping[str, int],
    relations: Sequence[Relation],
    statistics: Sequence[Statistic],
    threshold: int,
) -> None:
    if not _is_count(threshold) or threshold < 2:
        raise DisclosureError(f"The threshold must be an integer of at least 2, not {threshold!r}.")
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


def _is_count(value: object) -> bool:
    # bool is an Integral too, but True as a count is a caller's bug, not the number 1.
    return isinstance(value, Integral) and not isinstance(value, bool) and int(value) >= 0
