"""A stand-in for the redesigned public level, to test the suite itself (not a test module).

Loaded as a pytest plugin, it replaces the public level of `statistics_compute` (in the engine
and in every consumer that imported it) with a plain simulation of the design of issue 13, and
provides `samverkan.statistics.perturbation` (`MAX_NOISE`, `preimage`):

- public figures only for runs of whole months (`SamverkanError` otherwise; the gates of the
  command, the overview and the API are NOT simulated: those tests fail under it);
- each month's count of each cell perturbed by a key: 0 stays 0, 1..t-1 becomes 0 or t,
  n >= t becomes n + d, |d| <= MAX_NOISE, never below t; a month's figure below t is hidden, and
  the parts of a hidden total too (counting 0 in sums); a period is the sum of its months;
- no youngest age; means of at least 2t records to half years; medians of at least 2t.

    .venv/bin/python -m pytest -q \\
        -p samverkan.statistics.tests.adversary.design_simulation \\
        samverkan/statistics/tests/adversary/

Environment: `SIM_NOISE` (MAX_NOISE, default 5); `SIM_FREEZE=1` keeps each month's first
release (a register of releases) instead of re-perturbing a month whose counts changed. Under
`SIM_FREEZE` the random-data tests are not meaningful (their partnership is reused between
examples).
"""

from __future__ import annotations

import hashlib
import os
import sys
import types

THRESHOLD = 5
MAX_NOISE = int(os.environ.get("SIM_NOISE", "5"))
FROZEN: dict = {}


def preimage(published: int, threshold: int) -> tuple[int, int]:
    if published == 0:
        return 0, threshold - 1
    if published == threshold:
        return 1, threshold + MAX_NOISE
    return max(threshold, published - MAX_NOISE), published + MAX_NOISE


def perturb(path: str, month, n: int, threshold: int) -> int:  # noqa: ANN001
    if n == 0:
        return 0
    digest = hashlib.sha256(f"secret|{path}|{month}|{n}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    if n < threshold:
        return threshold if u < n / threshold else 0  # unbiased: expected value n
    return max(threshold, n + int(u * (2 * MAX_NOISE + 1)) - MAX_NOISE)


_module = types.ModuleType("samverkan.statistics.perturbation")
_module.MAX_NOISE = MAX_NOISE
_module.preimage = preimage
sys.modules["samverkan.statistics.perturbation"] = _module

MEAN_BASES = {
    "chat.residents.mean_age": "chat.residents.age.",
    "chat.residents.mean_age_by_gender.girl": "chat.residents.age.girl",
    "chat.residents.mean_age_by_gender.boy": "chat.residents.age.boy",
    "support_centre.mean_age": "support_centre.age.",
    "support_centre.mean_age_by_gender.girl": "support_centre.age.girl",
    "support_centre.mean_age_by_gender.boy": "support_centre.age.boy",
}


def pytest_configure(config) -> None:  # noqa: ANN001, ARG001
    import samverkan.api.views
    import samverkan.campaigns.evaluation
    import samverkan.dashboard.overview
    import samverkan.reports.content
    import samverkan.statistics.management.commands.stats as stats_command
    from samverkan.core.errors import SamverkanError
    from samverkan.statistics import engine
    from samverkan.statistics.tests.adversary.attacker import (
        cell_of,
        month_end,
        months_between,
        sum_relations,
    )
    from samverkan.statistics.tests.adversary.readers import NOT_FIGURES, flatten, is_statistic
    from samverkan.statistics.tests.adversary.truth import age_base

    original = engine.statistics_compute

    def is_count(path: str, value) -> bool:  # noqa: ANN001
        return not is_statistic(path) and isinstance(value, int) and not isinstance(value, bool)

    def hide_parts_of_hidden(values: dict, hidden: set) -> set:
        relations = sum_relations(values)
        grew = True
        while grew:
            grew = False
            for total, parts in relations:
                if total in hidden and not hidden.issuperset(parts):
                    hidden |= set(parts)
                    grew = True
        return hidden

    def simulated(  # noqa: ANN202
        *,
        partnership,  # noqa: ANN001
        date_from,  # noqa: ANN001
        date_to,  # noqa: ANN001
        disclosure=engine.PUBLIC,  # noqa: ANN001
        threshold=None,  # noqa: ANN001
        configuration=None,  # noqa: ANN001
    ):
        if disclosure != engine.PUBLIC:
            return original(
                partnership=partnership,
                date_from=date_from,
                date_to=date_to,
                disclosure=disclosure,
                threshold=threshold,
                configuration=configuration,
            )
        t = threshold or THRESHOLD
        if date_from.day != 1 or month_end(date_to) != date_to:
            raise SamverkanError("Public figures cover whole calendar months (hela månader) only.")

        def month_release(month):  # noqa: ANN001, ANN202
            exact = flatten(
                original(
                    partnership=partnership,
                    date_from=month,
                    date_to=month_end(month),
                    disclosure=engine.INTERNAL,
                    configuration=configuration,
                )
            )
            values = {
                path: perturb(path, month, value, t)
                for path, value in exact.items()
                if is_count(path, value) and not path.startswith("chat.by_month.")
            }
            hidden = hide_parts_of_hidden(values, {p for p, v in values.items() if v < t})
            return {path: 0 if path in hidden else value for path, value in values.items()}

        months = months_between(date_from, date_to)
        released = {}
        for month in months:
            key = (partnership.pk, month, t)
            if not os.environ.get("SIM_FREEZE") or key not in FROZEN:
                FROZEN[key] = month_release(month)
            released[month] = FROZEN[key]
        result = original(
            partnership=partnership,
            date_from=date_from,
            date_to=date_to,
            disclosure=engine.INTERNAL,
            configuration=configuration,
        )
        flat = flatten(result)
        sums = {}
        for path, value in flat.items():
            if is_count(path, value):
                target, period = cell_of(path, (date_from, date_to))
                sums[path] = sum(released[m].get(target, 0) for m in months_between(*period))
        hidden = hide_parts_of_hidden(sums, {p for p, v in sums.items() if v < t})

        def replace(node: dict, prefix: str = "") -> None:
            for key, value in node.items():
                path = f"{prefix}.{key}" if prefix else key
                if not prefix and key in NOT_FIGURES:
                    continue
                if isinstance(value, dict):
                    replace(value, path)
                elif path in sums:
                    node[key] = None if path in hidden else sums[path]
                elif "youngest" in path or "oldest" in path:
                    node[key] = None
                elif path in MEAN_BASES and value is not None:
                    base = age_base(partnership, MEAN_BASES[path], (date_from, date_to))
                    node[key] = round(value * 2) / 2 if base >= 2 * t else None
                elif "median" in path and value is not None:
                    arrived = flat.get("referrals.arrived.count") or 0
                    node[key] = value if arrived >= 2 * t else None

        replace(result)
        result["disclosure"] = {"level": "public", "threshold": t, "suppressed": []}
        return result

    for module in (
        engine,
        samverkan.api.views,
        samverkan.dashboard.overview,
        samverkan.campaigns.evaluation,
        samverkan.reports.content,
        stats_command,
    ):
        module.statistics_compute = simulated
