"""The attacker's reasoning: differencing, what a reader knows about figures, and the ILP attacker.

Everything here works on `Reading`s only (what the channels published), plus what any reader
knows without being told: how the figures relate (a total is the sum of its parts; a period is
the sum of its months), facts of the domain (residents are among all, a victim found by
screening is a case of that gender, ...) and the published rule of the public level (what a
published value says about the true one: `Knowledge`).
"""

from __future__ import annotations

import datetime
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from samverkan.statistics.tests.adversary.readers import Period, Reading, is_statistic

ONE_DAY = datetime.timedelta(days=1)
INF = math.inf

# ---------------------------------------------------------------------------------------------
# Periods


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - ONE_DAY


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from `first`'s to `last`'s."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = month_end(month) + ONE_DAY
    return months


def month_period(month: datetime.date) -> Period:
    return month, month_end(month)


def runs_of_months(months: list[datetime.date]) -> list[Period]:
    """Every run of consecutive months: what the public level answers."""
    return [
        (months[i], month_end(months[j])) for i in range(len(months)) for j in range(i, len(months))
    ]


def days_of(period: Period) -> list[datetime.date]:
    days, day = [], period[0]
    while day <= period[1]:
        days.append(day)
        day += ONE_DAY
    return days


# ---------------------------------------------------------------------------------------------
# What every reader knows about how figures relate


def sum_relations(paths: Iterable[str]) -> list[tuple[str, list[str]]]:
    """(total, parts): the total is the sum of the parts, for the paths a reading has.

    Written from the published schema (statistics/schema/stats.schema.json) and docs: the
    relations any reader of the figures can state."""
    paths = set(paths)

    def under(prefix: str, depth: int = 1) -> list[str]:
        found = []
        for path in paths:
            if path.startswith(prefix + "."):
                rest = path[len(prefix) + 1 :].split(".")
                if len(rest) == depth and not is_statistic(path):
                    found.append(path)
        return sorted(found)

    relations: list[tuple[str, list[str]]] = []

    def add(total: str, parts: list[str]) -> None:
        if total in paths and parts:
            relations.append((total, parts))

    add("chat.conversations", under("chat.by_concern"))
    r = "chat.residents"
    for breakdown in ("by_gender", "by_concern", "by_district"):
        add(f"{r}.conversations", under(f"{r}.{breakdown}"))
    genders = [p.rsplit(".", 1)[1] for p in under(f"{r}.by_gender")]
    concerns = [p.rsplit(".", 1)[1] for p in under(f"{r}.by_concern")]
    for g in genders:
        add(f"{r}.by_gender.{g}", under(f"{r}.by_gender_and_concern.{g}"))
    for c in concerns:
        add(
            f"{r}.by_concern.{c}",
            [
                f"{r}.by_gender_and_concern.{g}.{c}"
                for g in genders
                if f"{r}.by_gender_and_concern.{g}.{c}" in paths
            ],
        )
    s = "support_centre"
    add(f"{s}.cases", under(f"{s}.by_gender"))
    add(f"{s}.cases", under(f"{s}.by_category"))
    add(f"{s}.screened", under(f"{s}.screening"))
    pv = f"{s}.partner_violence"
    add(f"{pv}.victims.count", under(f"{pv}.victims.by_gender"))
    add(f"{pv}.victims.count", [f"{s}.screening.victim", f"{s}.screening.both"])
    add(f"{pv}.perpetrators.count", under(f"{pv}.perpetrators.by_gender"))
    add(f"{pv}.perpetrators.count", [f"{s}.screening.perpetrator", f"{s}.screening.both"])
    for destination in under("referrals.by_destination"):
        key = destination.rsplit(".", 1)[1]
        add(
            destination,
            [
                p
                for p in (f"referrals.by_source.{src}.{key}" for src in ("chat", "support_centre"))
                if p in paths
            ],
        )
    for stage in ("issued", "arrived", "not_arrived"):
        add(f"referrals.{stage}.count", under(f"referrals.{stage}.by_destination"))
        add(f"referrals.{stage}.count", under(f"referrals.{stage}.by_concern"))
    for path in sorted(paths):
        if path.startswith("referrals.issued."):
            suffix = path[len("referrals.issued.") :]
            add(path, [f"referrals.arrived.{suffix}", f"referrals.not_arrived.{suffix}"])
    c = "clinic.residents"
    add(f"{c}.clients", under(f"{c}.by_gender"))
    add(f"{c}.clients", under(f"{c}.by_came_via"))
    for g in [p.rsplit(".", 1)[1] for p in under(f"{c}.by_gender")]:
        add(f"{c}.by_gender.{g}", under(f"{c}.by_gender_and_concern.{g}"))
    return [(total, [p for p in parts if p in paths]) for total, parts in relations]


def inequality_facts(paths: Iterable[str]) -> list[tuple[str, str]]:
    """(smaller, larger): facts of the domain a reader knows without being told."""
    paths = set(paths)
    facts = [("chat.residents.conversations", "chat.conversations")]
    for path in paths:
        if path.startswith("chat.residents.by_concern."):
            facts.append((path, "chat.by_concern." + path.rsplit(".", 1)[1]))
        elif path.startswith("chat.residents.by_violence."):
            facts.append((path, "chat.residents.conversations"))
        elif re.match(
            r"support_centre\.partner_violence\.(victims|perpetrators)\.by_gender\.", path
        ):
            facts.append((path, "support_centre.by_gender." + path.rsplit(".", 1)[1]))
    facts += [
        ("support_centre.screened", "support_centre.cases"),
        ("clinic.residents.ongoing", "clinic.residents.clients"),
        ("clinic.residents.clients", "clinic.clients"),
        ("clinic.clients", "clinic.sessions"),
    ]
    return [(a, b) for a, b in facts if a in paths and b in paths]


# A published statistic says its base is at least the rule's minimum: the count it implies.
STATISTIC_BASES = {
    "chat.residents.mean_age": "chat.residents.conversations",
    "chat.residents.median_age": "chat.residents.conversations",
    "support_centre.mean_age": "support_centre.cases",
    "support_centre.median_age": "support_centre.cases",
    "support_centre.partner_violence.victims.youngest_age": (
        "support_centre.partner_violence.victims.count"
    ),
    "referrals.median_days_to_arrival": "referrals.arrived.count",
}


def statistic_base(path: str) -> str | None:
    if path in STATISTIC_BASES:
        return STATISTIC_BASES[path]
    match = re.match(r"(chat\.residents|support_centre)\.(mean|median)_age_by_gender\.(\w+)$", path)
    if match:
        return f"{match.group(1)}.by_gender.{match.group(3)}"
    return None


def is_additive(path: str) -> bool:
    """A count whose value for a period is the sum of its months' values. Clinic figures count
    distinct clients with a session in the period: not a sum over months."""
    return not path.startswith("clinic.") and not path.startswith("chat.by_month.")


def cell_of(path: str, period: Period) -> tuple[str, Period]:
    """A chart-by-month figure inside a longer period is that month's count."""
    match = re.match(r"chat\.by_month\.(\d{4})-(\d{2})\.(\w+)$", path)
    if match:
        month = datetime.date(int(match.group(1)), int(match.group(2)), 1)
        concern = match.group(3)
        target = "chat.conversations" if concern == "total" else f"chat.by_concern.{concern}"
        return target, month_period(month)
    return path, period


# ---------------------------------------------------------------------------------------------
# What a published value says about the true one


class Knowledge:
    """How a published value constrains the true one: [lo, hi], or None (nothing)."""

    name = "knowledge"
    statistic_minimum_factor = 1

    def bounds(self, reading: Reading, path: str) -> tuple[float, float] | None:
        raise NotImplementedError


@dataclass
class Today(Knowledge):
    """Today's public level: a published value is exact; a value hidden as primary is 1 to t-1;
    any other hidden value is unknown. Every period's figures are exact sums of its days."""

    threshold: int
    name: str = "today"
    statistic_minimum_factor: int = 1

    def bounds(self, reading: Reading, path: str) -> tuple[float, float] | None:
        value = reading.values.get(path)
        if value is not None:
            return value, value
        if reading.rules.get(path) == "primary":
            return 1, self.threshold - 1
        return 0, INF


@dataclass
class Perturbed(Knowledge):
    """The cell-key design: a month's published value v says the true value is in
    `preimage(v, t)`; a hidden one was published as 0 (or its total was: then it is at most
    the total, which is at most preimage(0)'s top). A longer period is the sum of its months'
    published values, so it says nothing a reader of its months does not know."""

    threshold: int
    name: str = "perturbed"
    statistic_minimum_factor: int = 2

    def bounds(self, reading: Reading, path: str) -> tuple[float, float] | None:
        from samverkan.statistics.perturbation import preimage
        from samverkan.statistics.release import finest_cells

        period = reading.period
        if not (period[0].day == 1 and month_end(period[0]) == period[1]):
            return None
        # Only the finest cells of a table are perturbed; a total is the sum of its published
        # cells, which the relations (total = sum of parts) already say.
        if path not in finest_cells(frozenset(reading.values)):
            return None
        value = reading.values.get(path)
        if value is None:
            rule = reading.rules.get(path)
            if rule in ("collapsed", "not-public"):
                return None  # set to 0 with a hidden total, or never published: no bound
            if not reading.rules and any(
                path in parts and reading.values.get(total) is None
                for total, parts in sum_relations(set(reading.values))
            ):
                return None  # a channel without rules: a part of a hidden total, as above
        return preimage(0 if value is None else int(value), self.threshold)


def knowledge_of_the_public_level(threshold: int) -> Knowledge:
    """The published rule of the public level: the cell-key design once it exists, today's
    exact-or-hidden rule before. The attacker is told the rule (Kerckhoffs)."""
    try:
        import samverkan.statistics.perturbation  # noqa: F401
    except ImportError:
        return Today(threshold)
    return Perturbed(threshold)


# ---------------------------------------------------------------------------------------------
# Differencing


@dataclass(frozen=True)
class Derived:
    """A count a reader worked out for a period no channel published it for, or hid."""

    path: str
    period: Period
    value: int
    how: str


def _counts(reading: Reading) -> dict[str, int]:
    """The counts a difference is meaningful for: those that add up over days (not the
    clinic's distinct clients, nor chart cells without a path)."""
    return {
        path: value
        for path, value in reading.counts().items()
        if value is not None and not path.startswith(("chart.", "clinic."))
    }


def differences(readings: list[Reading], *, overlaps: bool = True) -> list[Derived]:
    """Counts for periods worked out as differences of published periods.

    Nested periods sharing an end: A = B + C, so C = A - B. Overlapping periods A and B whose
    union U was published too: A ∩ B = A + B - U."""
    pool = []
    for reading in readings:
        for r in (reading, reading.previous):
            if r is not None and not r.refused:
                pool.append(r)
    by_period: dict[Period, dict[str, int]] = {}
    for r in pool:
        by_period.setdefault(tuple(r.period), {}).update(_counts(r))
    derived: list[Derived] = []
    periods = list(by_period)
    for a in periods:
        for b in periods:
            if a == b or not (a[0] <= b[0] and b[1] <= a[1]):
                continue
            if a[0] == b[0]:
                rest = (b[1] + ONE_DAY, a[1])
            elif a[1] == b[1]:
                rest = (a[0], b[0] - ONE_DAY)
            else:
                continue
            va, vb = by_period[a], by_period[b]
            for path in va.keys() & vb.keys():
                derived.append(
                    Derived(
                        path,
                        rest,
                        va[path] - vb[path],
                        f"{_p(a)} minus {_p(b)}: {va[path]} - {vb[path]}",
                    )
                )
    if overlaps:
        for a in periods:
            for b in periods:
                if not (a[0] < b[0] <= a[1] < b[1]):
                    continue
                union = (a[0], b[1])
                if union not in by_period:
                    continue
                va, vb, vu = by_period[a], by_period[b], by_period[union]
                for path in va.keys() & vb.keys() & vu.keys():
                    derived.append(
                        Derived(
                            path,
                            (b[0], a[1]),
                            va[path] + vb[path] - vu[path],
                            f"{_p(a)} plus {_p(b)} minus {_p(union)}: "
                            f"{va[path]} + {vb[path]} - {vu[path]}",
                        )
                    )
    return derived


def _p(period: Period) -> str:
    return f"{period[0]:%Y-%m-%d}..{period[1]:%Y-%m-%d}"


def small(derived: list[Derived], threshold: int) -> list[Derived]:
    """The derived counts from 1 to t-1: what the public level promised nobody learns."""
    seen, found = set(), []
    for d in derived:
        if 0 < d.value < threshold and (d.path, d.period) not in seen:
            seen.add((d.path, d.period))
            found.append(d)
    return sorted(found, key=lambda d: (d.period, d.path))


# ---------------------------------------------------------------------------------------------
# The ILP attacker


Cell = tuple[str, datetime.date]  # (path, first day of its month)


@dataclass
class Interval:
    cell: Cell
    truth: int
    lo: float
    hi: float

    @property
    def width(self) -> float:
        return self.hi - self.lo

    @property
    def exact(self) -> bool:
        return self.lo == self.hi


@dataclass
class Model:
    """Integer unknowns (a month's true count of a path) and what the readings say of them."""

    months: list[datetime.date]
    cells: dict[Cell, int] = field(default_factory=dict)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def var(self, path: str, month: datetime.date) -> int:
        return self.cells.setdefault((path, month), len(self.cells))

    def add(self, terms: dict[int, float], lo: float, hi: float, source: str) -> None:
        self.rows.append((terms, lo, hi))
        self.sources.append(source)


def build_model(
    readings: list[Reading], months: list[datetime.date], knowledge: Knowledge
) -> Model:
    """Every constraint a reader can derive from the readings (each of a run of whole months)."""
    model = Model(months=months)
    month_set = set(months)
    all_paths: set[str] = set()
    for reading in readings:
        start, end = reading.period
        if reading.refused or start not in month_set or end != month_end(end):
            continue  # only runs of whole months of the span are modelled
        covered = months_between(start, end)
        counts = reading.counts()
        all_paths |= {p for p in counts if not p.startswith("chart.")}
        for path in counts:
            if path.startswith("chart."):
                continue
            # A month inside a longer output (the chart by month) is that month's count, as
            # published in the longer output.
            target, period = cell_of(path, reading.period)
            span = months_between(*period)
            if not is_additive(target) and len(span) > 1:
                continue  # the clinic's distinct clients of a period are no sum of months
            bounds = knowledge.bounds(
                reading if target == path else _as_month(reading, path, period), path
            )
            if bounds is None:
                continue
            lo, hi = bounds
            if lo <= 0 and hi == INF:
                continue
            terms = {model.var(target, m): 1.0 for m in span}
            model.add(terms, lo, hi, f"{reading.channel} {_p(reading.period)} {path}")
        # A published statistic says its base is at least its rule's minimum.
        for path, value in reading.values.items():
            base = statistic_base(path)
            if value is None or base is None or base not in counts:
                continue
            if not is_additive(base) and len(covered) > 1:
                continue
            minimum = knowledge.statistic_minimum_factor * getattr(knowledge, "threshold", 0)
            terms = {model.var(base, m): 1.0 for m in covered}
            model.add(terms, minimum, INF, f"{path} published for {_p(reading.period)}")
    # Relations and facts hold in every month.
    for month in months:
        for total, parts in sum_relations(all_paths):
            terms: dict[int, float] = defaultdict(float)
            terms[model.var(total, month)] += 1.0
            for part in parts:
                terms[model.var(part, month)] -= 1.0
            model.add(dict(terms), 0, 0, f"{total} = sum of parts, {month:%Y-%m}")
        for smaller, larger in inequality_facts(all_paths):
            model.add(
                {model.var(smaller, month): 1.0, model.var(larger, month): -1.0},
                -INF,
                0,
                f"{smaller} <= {larger}, {month:%Y-%m}",
            )
    return model


def _as_month(reading: Reading, path: str, period: Period) -> Reading:
    return Reading(
        reading.channel,
        period,
        values={path: reading.values.get(path)},
        rules={path: reading.rules[path]} if path in reading.rules else {},
    )


def _components(model: Model) -> list[list[int]]:
    parent = list(range(len(model.cells)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for terms, _lo, _hi in model.rows:
        variables = list(terms)
        for v in variables[1:]:
            parent[find(v)] = find(variables[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(model.cells)):
        groups[find(i)].append(i)
    return list(groups.values())


def violated(model: Model, truth: dict[Cell, int]) -> list[str]:
    """Constraints the truth breaks: a wrong model of the reader's knowledge, not an attack."""
    wrong = []
    for (terms, lo, hi), source in zip(model.rows, model.sources, strict=True):
        cells = list(model.cells)
        value = sum(coef * truth.get(cells[i], 0) for i, coef in terms.items())
        if not lo - 1e-9 <= value <= hi + 1e-9:
            wrong.append(f"{source}: {value} not in [{lo}, {hi}]")
    return wrong


def feasible_intervals(model: Model, targets: dict[Cell, int]) -> list[Interval]:
    """For each target cell, the smallest and largest true value consistent with every
    constraint, integers and non-negativity: what the best attacker can say of it."""
    index_of_var = {v: cell for cell, v in model.cells.items()}
    rows_of: dict[int, list[int]] = defaultdict(list)
    for r, (terms, _lo, _hi) in enumerate(model.rows):
        for v in terms:
            rows_of[v].append(r)
    results = []
    for component in _components(model):
        wanted = [v for v in component if index_of_var[v] in targets]
        if not wanted:
            continue
        local = {v: i for i, v in enumerate(component)}
        row_ids = sorted({r for v in component for r in rows_of[v]})
        a = lil_matrix((len(row_ids), len(component)))
        lo = np.empty(len(row_ids))
        hi = np.empty(len(row_ids))
        for k, r in enumerate(row_ids):
            terms, row_lo, row_hi = model.rows[r]
            for v, coef in terms.items():
                a[k, local[v]] = coef
            lo[k], hi[k] = row_lo, row_hi
        constraint = LinearConstraint(a.tocsr(), lo, hi)
        integrality = np.ones(len(component))
        bounds = Bounds(np.zeros(len(component)), np.full(len(component), np.inf))
        for v in wanted:
            c = np.zeros(len(component))
            c[local[v]] = 1.0
            low = milp(c, constraints=constraint, integrality=integrality, bounds=bounds)
            high = milp(-c, constraints=constraint, integrality=integrality, bounds=bounds)
            if low.status != 0 and high.status != 0:
                raise AssertionError(f"the reader's model is infeasible: {low.message}")
            lo_value = round(low.fun) if low.status == 0 else 0
            hi_value = round(-high.fun) if high.status == 0 else INF
            cell = index_of_var[v]
            results.append(Interval(cell, targets[cell], lo_value, hi_value))
    return sorted(results, key=lambda i: (i.cell[1], i.cell[0]))


# ---------------------------------------------------------------------------------------------
# Lone records


@dataclass(frozen=True)
class Reconstructed:
    """A period the reader knows holds exactly one resident chat, and what it learnt of it."""

    period: Period
    gender: str | None
    concern: str | None
    district: str | None
    violence: tuple[str, ...] | None

    @property
    def named(self) -> bool:
        """Gender, concern and district: enough to point at a young person in a small place."""
        return None not in (self.gender, self.concern, self.district)


def known_counts(readings: list[Reading]) -> dict[Period, dict[str, int]]:
    """Every period's counts the reader knows: published, or worked out by differencing."""
    known: dict[Period, dict[str, int]] = defaultdict(dict)
    for reading in readings:
        for r in (reading, reading.previous):
            if r is not None and not r.refused:
                known[tuple(r.period)].update(_counts(r))
    for d in differences(readings, overlaps=False):
        known[d.period].setdefault(d.path, d.value)
    return known


def lone_records(known: dict[Period, dict[str, int]]) -> list[Reconstructed]:
    """Periods with one resident chat, and the one part of each breakdown that holds it."""
    r = "chat.residents"
    found = []
    for period, values in sorted(known.items()):
        if values.get(f"{r}.conversations") != 1:
            continue

        def the_one(breakdown: str, values: dict[str, int] = values) -> str | None:
            ones = [
                path.rsplit(".", 1)[1]
                for path, value in values.items()
                if path.startswith(f"{r}.{breakdown}.") and value == 1
            ]
            return ones[0] if len(ones) == 1 else None

        forms = {
            path.rsplit(".", 1)[1]: value
            for path, value in values.items()
            if path.startswith(f"{r}.by_violence.")
        }
        violence = (
            tuple(sorted(form for form, value in forms.items() if value == 1))
            if forms and all(value in (0, 1) for value in forms.values())
            else None
        )
        found.append(
            Reconstructed(
                period,
                the_one("by_gender"),
                the_one("by_concern"),
                the_one("by_district"),
                violence,
            )
        )
    return found
