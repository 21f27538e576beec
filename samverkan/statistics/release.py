"""The public level: the one gate every published figure goes through.

Every way figures leave the partnership at the public level — `samverkan stats --disclosure
public`, the API, the overview for steering-group members and unit managers, campaign
evaluations, committee documents (text, tables, charts) — calls `statistics_compute` with
`disclosure="public"`, which comes here. The guarantee (docs/privacy.md) rests on two rules:

1. **Whole calendar months that have ended.** A public period runs from the first day of a
   month to the last day of a month, no later than the last month that ended
   SAMVERKAN_PUBLIC_AFTER_DAYS (14) days ago. Days cannot be asked for, so they cannot be
   differenced; a month is not published while it fills up. Any other period raises
   `PublicPeriodError`, whose message names the nearest period that can be given.
2. **A period is the sum of its months, each perturbed** (statistics.perturbation), and every
   table the sum of its perturbed finest cells. A longer period carries nothing that its months do
   not, and a total nothing that its parts do not, so a reader who combines any number of public
   outputs knows no more than the perturbed finest cells of each month.
3. **Released once.** A month's published values are kept when first released
   (`ReleasedFigure`) and never change: late registrations and corrections change the exact
   figures only, so watching the public figures over time, or adding and removing records of
   one's own and watching, teaches nothing.

On top of that, for the figures that are not counts:
- a published sum below the threshold is hidden (it reads "..", never 0 or a small number:
  zeros and counts from 1 to t-1 look alike), and so is every part of a hidden total (a
  breakdown of a small total is not published);
- means only from at least twice the threshold, rounded to the half year; medians likewise,
  to the whole day; extremes (the youngest age) never.
The exact figures behind a public result are computed once (the statistics, and the structure of
the figures); the months together in three queries (`exact.monthly_figures`). Once everything a
period needs has been released, it is answered from what was released alone: the structure of
the figures comes from the configuration (`exact.structure_figures`), no record is read, and a
public period costs less than the internal one.
"""

import datetime
import functools
import json
import threading
from collections import OrderedDict, defaultdict
from typing import Any

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from samverkan.statistics.configuration import Configuration
from samverkan.statistics.disclosure import Relation, check_consistent
from samverkan.statistics.exact import (
    exact_figures,
    history_in,
    history_note,
    monthly_figures,
    structure_figures,
)
from samverkan.statistics.figures import HIDDEN_MARK, PUBLIC, Figures
from samverkan.statistics.models import ReleasedFigure
from samverkan.statistics.period import month_starts
from samverkan.statistics.perturbation import disclosure_key, draw, perturb
from samverkan.statistics.public_periods import (
    PublicPeriodError,
    calendar_span,
    check_public_period,
    is_public_period,
    last_public_day,
    nearest_public_period,
)
from samverkan.statistics.sections.referrals import ReferralRow, read_referral_rows

# The periods the public level answers have their home in public_periods.py; the callers that
# ask the release about them (the overview, the API, the stats command) import them from here.
__all__ = [
    "PublicPeriodError",
    "calendar_span",
    "check_public_period",
    "finest_cells",
    "is_public_period",
    "last_public_day",
    "nearest_public_period",
    "public_figures",
    "public_note",
]

SMALL, COLLAPSED, SMALL_BASE, NOT_PUBLIC = "small", "collapsed", "small-base", "not-public"
"""Why a public figure is hidden: a count published below the threshold; a part of such a
count; a mean or median of too few; a figure never published (an extreme)."""

BASE_FACTOR = 2
HIDDEN = -1
"""A released mean or median that is not shown (too few records), as kept in ReleasedFigure."""
"""A mean or median is published from BASE_FACTOR * threshold records or more."""

NOT_PUBLISHED = ("chat.residents.by_gender_and_concern.", "chat.service.volunteer_hours")
"""Counts given at the internal level only: the chat residents' cross-table of gender and concern,
whose cells are mostly small each month (its margins, by gender and by concern, are public); the
chat volunteers' hours online (staff's working time, not a figure about young people)."""

DISTINCT_PREFIXES = ("clinic.clients", "clinic.residents.")
"""Counts of distinct clients with a session in the period, and of those whose series goes on at
its end: a client who comes in two months is one client in the two, so these are no sum of months.
They are perturbed as cells of the period itself, and given only for calendar months, quarters,
half-years, years and the months of a year so far (`calendar_span`): a handful of periods hold any
month, so that differencing or averaging many overlapping periods has little to work with."""


def public_note(threshold: int) -> str:
    """What a reader of public figures should know about them, in one paragraph."""
    from samverkan.statistics.perturbation import MAX_NOISE  # noqa: PLC0415

    return _(
        "Protected for publication: each count is the sum of the period's calendar months, and "
        "each month's count has been adjusted at random by at most %(noise)d, counts from 1 to "
        "%(max)d to 0 or %(threshold)d. Counts below %(threshold)d, the parts of such counts, "
        "means and medians of fewer than %(base)d records and extreme values are shown as "
        "%(mark)s; a total may differ slightly from the sum of its parts."
    ) % {
        "noise": MAX_NOISE,
        "max": threshold - 1,
        "threshold": threshold,
        "base": BASE_FACTOR * threshold,
        "mark": HIDDEN_MARK,
    }


def _under(paths: set[str], prefix: str) -> list[str]:
    """The paths one level below `prefix` (e.g. every gender under "...by_gender.")."""
    return sorted(p for p in paths if p.startswith(prefix) and "." not in p[len(prefix) :])


def _leaves_and_sums(counts: dict[str, int]) -> tuple[dict[str, int], list[tuple[str, list[str]]]]:
    """See `_structure`; the chart by month's cells are the month's own counts by concern."""
    by_month = [path for path in counts if path.startswith("chat.by_month.")]
    others, virtual, sums = _structure(frozenset(counts).difference(by_month))
    leaves = {path: counts[path] for path in others}
    for path, (total, parts) in virtual.items():
        leaves[path] = counts[total] - sum(counts[part] for part in parts)
    sums = list(sums)
    for path in by_month:
        column = path.split(".", 3)[3]
        sums.append(
            (path, ["chat.conversations" if column == "total" else f"chat.by_concern.{column}"])
        )
    return leaves, sums


@functools.lru_cache(maxsize=64)
def _structure(
    paths: frozenset[str],
) -> tuple[
    tuple[str, ...], dict[str, tuple[str, tuple[str, ...]]], tuple[tuple[str, list[str]], ...]
]:
    """The finest cells of the figures, each of which is perturbed, and every other count as a
    sum of them (in an order where parts come before their sums).

    Every table is published as the sum of its perturbed finest cells, so that a total and its
    parts add up as published, and a reader learns nothing from the relation between them that
    the cells do not say (perturbing a total and its parts each on its own gives a reader two
    noisy readings whose ranges can pin a small part between them). Where the finest cells are
    not figures of their own (chat conversations of others than residents, clinic clients who
    are not residents), they are counted here as cells that are never shown alone.
    """
    leaves = set(paths)
    virtual: dict[str, tuple[str, tuple[str, ...]]] = {}  # cell: (total, minus these parts)
    sums: list[tuple[str, list[str]]] = []

    def add(total: str, parts: list[str]) -> None:
        if total in paths and parts:
            sums.append((total, parts))
            leaves.discard(total)

    # Chat: residents by gender, residents by concern and others by concern are the finest
    # cells (the residents' cross-table of gender and concern is not public: most of its cells
    # are small each month, and a total made of them would carry all their changes).
    r = "chat.residents"
    leaves.difference_update(p for p in paths if p.startswith(NOT_PUBLISHED))
    for concern in [p.rsplit(".", 1)[1] for p in _under(paths, "chat.by_concern.")]:
        others = f"chat.others.by_concern.{concern}"
        virtual[others] = (f"chat.by_concern.{concern}", (f"{r}.by_concern.{concern}",))
        add(f"chat.by_concern.{concern}", [f"{r}.by_concern.{concern}", others])
    add(f"{r}.conversations", _under(paths, f"{r}.by_gender."))
    add("chat.conversations", _under(paths, "chat.by_concern."))
    # The chat's service: each count the sum of its bands.
    for kind, breakdown in (("taken", "by_wait"), ("abandoned", "by_wait"), ("ended", "by_length")):
        add(f"chat.service.{kind}.count", _under(paths, f"chat.service.{kind}.{breakdown}."))
    # The clinic: residents by gender and concern, and the clients who are not residents.
    c = "clinic.residents"
    for gender in [p.rsplit(".", 1)[1] for p in _under(paths, f"{c}.by_gender.")]:
        add(f"{c}.by_gender.{gender}", _under(paths, f"{c}.by_gender_and_concern.{gender}."))
    add(f"{c}.clients", _under(paths, f"{c}.by_gender."))
    if "clinic.clients" in paths:
        virtual["clinic.others.clients"] = ("clinic.clients", (f"{c}.clients",))
        add("clinic.clients", [f"{c}.clients", "clinic.others.clients"])
    # The support centre's tables, each the sum of its cells.
    s = "support_centre"
    add(f"{s}.cases", _under(paths, f"{s}.by_gender."))
    add(f"{s}.screened", _under(paths, f"{s}.screening."))
    for group in ("victims", "perpetrators"):
        pv = f"{s}.partner_violence.{group}"
        add(f"{pv}.count", _under(paths, f"{pv}.by_gender."))
    # Referrals: by destination, from the two sources; codes by stage, destination and concern.
    for path in _under(paths, "referrals.by_destination."):
        destination = path.rsplit(".", 1)[1]
        add(
            path,
            sorted(
                p
                for p in paths
                if p.startswith("referrals.by_source.") and p.endswith(f".{destination}")
            ),
        )
    for breakdown in ("by_destination", "by_concern"):
        for path in _under(paths, f"referrals.issued.{breakdown}."):
            key = path.rsplit(".", 1)[1]
            add(
                path,
                [f"referrals.{stage}.{breakdown}.{key}" for stage in ("arrived", "not_arrived")],
            )
    for stage in ("arrived", "not_arrived"):
        add(f"referrals.{stage}.count", _under(paths, f"referrals.{stage}.by_destination."))
    add("referrals.issued.count", ["referrals.arrived.count", "referrals.not_arrived.count"])
    return tuple(sorted(leaves)), virtual, tuple(sums)


def _published(
    counts: dict[str, int],
    relations: list[Relation],
    secret: bytes,
    cell: str,
    threshold: int,
) -> dict[str, int]:
    """The published value of every count of one cell of time (a month, or a calendar period
    for distinct clients): the finest cells perturbed, the rest their sums, and every breakdown
    of a total published below the threshold set to 0 with it.

    A total and the parts of its own table are 0 together anyway (parts of 0 or t or more that
    add up to less than t are all 0). Another breakdown of the same records (residents by
    district under residents by gender and concern) is not: its cells are perturbed on their
    own, and a district of 5 under a total shown as hidden would be odd and would tell a
    reader that the total is at least 1. So it is set to 0 here, before months are added up,
    and every period that contains the month says the same.
    """
    leaves, sums = _leaves_and_sums(counts)
    values = {
        path: perturb(n, draw(secret, path, cell, n), threshold) for path, n in leaves.items()
    }
    for total, parts in sums:
        values[total] = sum(values[part] for part in parts)
    changed = True
    while changed:
        changed = False
        for relation in relations:
            if values.get(relation.total, threshold) < threshold:
                for part in relation.parts:
                    if values.get(part, 0):
                        values[part] = 0
                        changed = True
    return values


def finest_cells(paths: frozenset[str]) -> frozenset[str]:
    """The figures among `paths` that the public level perturbs each on its own: every other
    count is a sum of them (the method is published: docs/privacy.md)."""
    leaves, _virtual, _sums = _structure(
        frozenset(p for p in paths if not p.startswith("chat.by_month."))
    )
    return frozenset(leaves)


def _released(partnership_id: int, cells: list[str]) -> dict[str, dict[str, int]]:
    """The figures already released of these cells of time, by cell."""
    rows = ReleasedFigure.objects.filter(partnership_id=partnership_id, cell__in=cells)
    return dict(rows.values_list("cell", "values"))


def _released_text(partnership_id: int, cells: list[str]) -> dict[str, str]:
    """The figures already released of these cells of time, by cell, as their stored JSON text:
    the key of an answer already given (`_ANSWERS`), decoded only when it is not."""
    rows = ReleasedFigure.objects.filter(partnership_id=partnership_id, cell__in=cells)
    return dict(rows.values_list("cell", Cast("values", output_field=TextField())))


_ANSWERS: OrderedDict[tuple, tuple[dict[str, Any], dict[str, str]]] = OrderedDict()
"""Public answers of periods whose every cell had been released, in this process, by what they
are a function of alone: the configuration, the period, the threshold and the released cells'
stored text. (values, rules) of the last `_ANSWERS_MOST` such periods; a period's answer is
rebuilt from them (the tree and the list of hidden figures are new for every caller)."""
_ANSWERS_MOST = 256
_ANSWERS_LOCK = threading.Lock()


def _answer(
    values: dict[str, Any],
    rules: dict[str, str],
    threshold: int,
    history: set[tuple[datetime.date, str]],
) -> dict[str, Any]:
    return {
        "disclosure": {
            "level": PUBLIC,
            "threshold": threshold,
            "suppressed": [{"path": path, "rule": rules[path]} for path in sorted(rules)],
        },
        **Figures(values=values).tree(set(rules)),
        **history_note(history),
    }


def _release(partnership_id: int, fresh: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Keep newly published cells of time, and return what is kept: when two requests release
    the same month at once, both answer with the values of the one that was saved first."""
    with transaction.atomic():
        ReleasedFigure.objects.bulk_create(
            [
                ReleasedFigure(partnership_id=partnership_id, cell=cell, values=values)
                for cell, values in fresh.items()
            ],
            ignore_conflicts=True,
        )
    return _released(partnership_id, list(fresh))


def _structure_if_released(
    configuration: Configuration,
    date_from: datetime.date,
    date_to: datetime.date,
    cells: list[str],
    released: dict[str, dict[str, int]],
) -> "Figures | None":
    """When every cell of time the period needs has been released, the figures' structure
    (paths, relations, statistics) without a query: nothing exact is read, the values all
    come from what was released. None when something is still to be released, or when a
    released month holds a figure the configuration does not give (a destination removed
    since): then the exact figures give the structure."""
    if any(cell not in released for cell in cells):
        return None
    structure = structure_figures(configuration, date_from, date_to)
    paths = frozenset(structure.counts)
    # The months' released values hold the finest cells, some of which are no figure of their
    # own (the chat's others by concern, the clinic's other clients).
    known = paths | set(
        _structure(frozenset(p for p in paths if not p.startswith("chat.by_month.")))[1]
    )
    for cell in cells[:-1]:  # the months and the calendar period; not the statistics
        if any(path not in known for path in released[cell]):
            return None
    return structure


def public_figures(
    *,
    configuration: Configuration,
    date_from: datetime.date,
    date_to: datetime.date,
    threshold: int,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The public level of a period of whole ended months: the `disclosure` section and the
    figures, as `statistics_compute` returns them."""
    check_public_period(date_from, date_to, today)
    months = month_starts(date_from, date_to)
    whole = calendar_span(date_from, date_to)
    statistics_cell = f"statistics:{date_from:%Y-%m}..{date_to:%Y-%m}"
    cells = [f"{month:%Y-%m}" for month in months] + ([whole] if whole else [])
    cells.append(statistics_cell)
    history = history_in(configuration, (date_from, date_to))
    stored = _released_text(configuration.partnership_id, cells)
    # A period released before, asked again: the same answer, from the same released cells.
    key = None
    if len(stored) == len(cells):
        key = (configuration, date_from, date_to, threshold, tuple(sorted(stored.items())))
        with _ANSWERS_LOCK:
            answered = _ANSWERS.get(key)
            if answered is not None:
                _ANSWERS.move_to_end(key)
        if answered is not None:
            return _answer(*answered, threshold, history)
    released = {cell: json.loads(text) for cell, text in stored.items()}
    exact = _structure_if_released(configuration, date_from, date_to, cells, released)
    if exact is None:
        key = None  # the exact figures give the structure: not an answer from releases alone
    codes: list[ReferralRow] = []
    if exact is None:
        # Something is released for the first time: the exact figures are needed.
        codes = read_referral_rows(configuration, date_from, date_to)  # read once, used twice
        exact, _history = exact_figures(configuration, date_from, date_to, codes)
        check_consistent(exact.counts, exact.relations, exact.statistics, threshold)
    missing = [month for month in months if f"{month:%Y-%m}" not in released]
    fresh: dict[str, dict[str, int]] = {}
    secret = disclosure_key() if missing or (whole is not None and whole not in released) else b""
    if missing:
        monthly = monthly_figures(configuration, missing, codes)
        for month, figures in monthly.items():
            fresh[f"{month:%Y-%m}"] = _published(
                figures.counts, figures.relations, secret, f"{month:%Y-%m}", threshold
            )
    # Distinct clients are not a sum of months: their table is perturbed as the period's own
    # cells, and only for the periods of the calendar (see DISTINCT_PREFIXES).
    distinct = {p: n for p, n in exact.counts.items() if p.startswith(DISTINCT_PREFIXES)}
    if whole is not None and whole not in released:
        relations = [r for r in exact.relations if all(p in distinct for p in (r.total, *r.parts))]
        fresh[whole] = _published(distinct, relations, secret, whole, threshold)
    if fresh:
        released.update(_release(configuration.partnership_id, fresh))
    published: dict[str, int] = defaultdict(int)
    for month in months:
        for path, value in released[f"{month:%Y-%m}"].items():
            published[path] += value
    if whole is not None:
        published.update(released[whole])

    rules: dict[str, str] = {}
    values = dict(exact.values)
    for path in exact.counts:
        if path.startswith(NOT_PUBLISHED) or (path in distinct and whole is None):
            rules[path] = NOT_PUBLIC
            values[path] = None
            continue
        values[path] = published.get(path, 0)
        if values[path] < threshold:
            rules[path] = SMALL
    # A breakdown of a hidden total is hidden with it, down every level of the breakdown, and
    # says so: a district under a hidden number of residents was set to 0 in its months, not
    # found to be small.
    changed = True
    while changed:
        changed = False
        for relation in exact.relations:
            if relation.total in rules:
                for part in relation.parts:
                    if rules.get(part) in (None, SMALL):
                        rules[part] = COLLAPSED
                        changed = True
    # Means and medians are released once per period too, as twice the mean (half years) or
    # the median in whole days; HIDDEN for too small a base. Extremes are never public.
    if statistics_cell not in released:
        encoded = {}
        for statistic in exact.statistics:
            value = exact.values[statistic.path]
            if statistic.kind == "extreme":
                continue
            if statistic.base < BASE_FACTOR * threshold or value is None:
                encoded[statistic.path] = HIDDEN
            elif statistic.kind == "median":
                encoded[statistic.path] = round(value)
            else:
                encoded[statistic.path] = round(value * 2)
        released.update(_release(configuration.partnership_id, {statistics_cell: encoded}))
    kept = released[statistics_cell]
    for statistic in exact.statistics:
        encoded_value = kept.get(statistic.path, HIDDEN)
        if statistic.kind == "extreme":
            rules[statistic.path] = NOT_PUBLIC
        elif encoded_value == HIDDEN:
            rules[statistic.path] = SMALL_BASE
        elif statistic.kind == "median":
            values[statistic.path] = encoded_value
        else:
            values[statistic.path] = encoded_value / 2

    if key is not None:
        with _ANSWERS_LOCK:
            _ANSWERS[key] = (values, rules)
            while len(_ANSWERS) > _ANSWERS_MOST:
                _ANSWERS.popitem(last=False)
    return _answer(values, rules, threshold, history)
