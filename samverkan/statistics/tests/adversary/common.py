"""Helpers the attack tests share: the demo's periods, cached readings, and how a success is
described (the figures recovered, beside the truth)."""

from __future__ import annotations

import datetime

from samverkan.statistics.tests.adversary.attacker import Derived, Interval, _p
from samverkan.statistics.tests.adversary.readers import Period, Reading, read_command

D = datetime.date
# The demo's first half of 2022: its interim report covers January to May.
DEMO_MONTHS = [D(2022, m, 1) for m in range(1, 7)]
MAY = (D(2022, 5, 1), D(2022, 5, 31))


def cached_command(cache: dict, period: Period, partnership: str | None = None) -> Reading:
    key = ("command", partnership, tuple(period))
    if key not in cache:
        cache[key] = read_command(period, partnership)
    return cache[key]


def describe_derived(found: list[Derived], truth=None, limit: int = 12) -> str:  # noqa: ANN001
    """One line per recovered count; with the true value when `truth(path, period)` is given."""
    lines = [f"{len(found)} small counts recovered:"]
    for d in found[:limit]:
        line = f"  {d.path} for {_p(d.period)} = {d.value} ({d.how})"
        if truth is not None:
            line += f"; true value {truth(d.path, d.period)}"
        lines.append(line)
    if len(found) > limit:
        lines.append(f"  ... and {len(found) - limit} more")
    return "\n".join(lines)


def describe_intervals(intervals: list[Interval], limit: int = 25) -> str:
    lines = []
    for i in intervals[:limit]:
        lines.append(
            f"  {i.cell[0]} in {i.cell[1]:%Y-%m}: true {i.truth}, feasible [{i.lo}, {i.hi}]"
        )
    if len(intervals) > limit:
        lines.append(f"  ... and {len(intervals) - limit} more")
    return "\n".join(lines)


def refused_every(readings: list[Reading]) -> bool:
    return all(r.refused for r in readings)
