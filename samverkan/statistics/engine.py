"""The statistics engine: a partnership's figures for a period, exact or protected for publication.

Chat and support-centre figures are sums of the anonymous daily counts, so a year costs the same
whatever the number of records. Clinic figures count distinct clients with a session in the
period, which no daily sum can give; the clinic has tens of clients a year, so they are read from
the records, plus the anonymous counts that the disposal of records leaves behind
(`ClinicSeriesCount`; see docs/ARCHITECTURE.md).

The result is a nested dict whose shape is the contract in `schema/stats.schema.json`.
"""

import datetime
import functools
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, DateField, F, Max, Min, Q, Sum, When
from django.db.models.functions import Coalesce, TruncMonth

from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Partnership
from samverkan.records.models import (
    CameVia,
    ChatConcern,
    ClinicConcern,
    ClinicSession,
    Gender,
    ScreeningAnswer,
    SupportCategory,
    ViolenceForm,
)
from samverkan.referrals.models import Referral
from samverkan.statistics.counters import STOCKHOLM, local_day
from samverkan.statistics.disclosure import Relation, Statistic, check_consistent
from samverkan.statistics.models import (
    ClinicSeriesCount,
    DailyCount,
    HistoricalMonthlyCount,
    MonthlyCount,
)

# The choices' values, once: Django's `Choices.values` is a property that builds a new list at
# every use, which the figures of every month of a public period would otherwise pay for.
CHAT_CONCERNS = tuple(ChatConcern.values)
GENDERS = tuple(Gender.values)
VIOLENCE_FORMS = tuple(ViolenceForm.values)
SUPPORT_CATEGORIES = tuple(SupportCategory.values)
SCREENING_ANSWERS = tuple(ScreeningAnswer.values)
CLINIC_CONCERNS = tuple(ClinicConcern.values)
CAME_VIA = tuple(CameVia.values)

SCHEMA_VERSION = 1
INTERNAL, PUBLIC = "internal", "public"
DISCLOSURE_LEVELS = (INTERNAL, PUBLIC)
MEAN_GENDERS = (Gender.GIRL, Gender.BOY)


@dataclass
class _Figures:
    """Collects figures by dotted path, with what disclosure control must know about them."""

    values: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)

    def count(self, path: str, value: int) -> None:
        self.counts[path] = value
        self.values[path] = value

    def parts(self, total: str, parts: dict[str, int]) -> None:
        """Counts at total.<key> that add up to the count at `total`... or to another total."""
        for path, value in parts.items():
            self.count(path, value)
        self.relations.append(Relation(total=total, parts=tuple(parts)))

    def statistic(
        self, path: str, value: float | int | None, base: int, kind: str = "mean"
    ) -> None:
        self.values[path] = value
        self.statistics.append(Statistic(path=path, base=base, kind=kind))

    def tree(self, hidden: set[str]) -> dict[str, Any]:
        root: dict[str, Any] = {}
        for path, value in self.values.items():
            node = root
            *parents, leaf = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = None if path in hidden else value
        return root


@dataclass(frozen=True)
class Configuration:
    """What of the partnership's configuration its figures depend on: the units whose counts
    are its own, the districts and the services (key and name, in name order); and where two
    kinds of stored counts lie, so that a period outside them needs no query for them."""

    partnership_id: int
    unit_ids: tuple[int, ...]
    district_keys: tuple[str, ...]
    services: tuple[tuple[str, str], ...]
    history: frozenset[tuple[datetime.date, str]]
    """(month, unit key) of the figures of earlier years entered by the coordinator."""
    clinic_disposed: tuple[datetime.date, datetime.date] | None
    """The first and last day of any ClinicSeriesCount row (None: nothing disposed of yet)."""

    @property
    def service_keys(self) -> list[str]:
        return [key for key, _name in self.services]


def configuration_for(partnership: Partnership) -> Configuration:
    """Read once by a caller that computes several periods (the dashboard: a period and the
    year before), so that each computation does not read it again."""
    # Without the units' ordering by organisation name, which only costs a join here.
    unit_ids = tuple(partnership.units.order_by().values_list("id", flat=True))
    disposed = ClinicSeriesCount.objects.filter(unit_id__in=unit_ids).aggregate(
        first=Min("first"), last=Max("last")
    )
    return Configuration(
        partnership_id=partnership.pk,
        unit_ids=unit_ids,
        district_keys=tuple(partnership.districts.values_list("key", flat=True)),
        services=tuple(partnership.services.values_list("key", "name")),
        history=frozenset(
            HistoricalMonthlyCount.objects.filter(unit_id__in=unit_ids)
            .values_list("month", "unit__key")
            .distinct()
        ),
        clinic_disposed=(
            (disposed["first"], disposed["last"]) if disposed["first"] is not None else None
        ),
    )


def _mean(total: int, n: int) -> float | None:
    return round(total / n, 1) if n else None


@dataclass(frozen=True)
class _Split:
    """A period as whole calendar months plus the days at its edges."""

    months: list[datetime.date]
    day_ranges: list[tuple[datetime.date, datetime.date]]


def _split(date_from: datetime.date, date_to: datetime.date) -> _Split:
    first_whole = date_from if date_from.day == 1 else _next_month(date_from)
    ends_a_month = _next_month(date_to) - ONE_DAY == date_to
    after_last_whole = _next_month(date_to) if ends_a_month else date_to.replace(day=1)
    if first_whole >= after_last_whole:
        return _Split(months=[], day_ranges=[(date_from, date_to)])
    months = []
    month = first_whole
    while month < after_last_whole:
        months.append(month)
        month = _next_month(month)
    day_ranges = []
    if date_from < first_whole:
        day_ranges.append((date_from, first_whole - ONE_DAY))
    if after_last_whole <= date_to:
        day_ranges.append((after_last_whole, date_to))
    return _Split(months=months, day_ranges=day_ranges)


ONE_DAY = datetime.timedelta(days=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _days_filter(split: _Split) -> Q:
    return functools.reduce(
        operator.or_, (Q(day__gte=start, day__lte=end) for start, end in split.day_ranges)
    )


@dataclass
class _PeriodCounts:
    """The period's stored counts by metric, and chat conversations by concern per month."""

    by_metric: dict[str, tuple[int, int]] = field(default_factory=dict)
    concerns_by_month: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )


CHAT_CONCERN_METRICS = [f"chat.by_concern.{c}" for c in CHAT_CONCERNS]


def _period_counts(unit_ids: list[int], split: _Split, *, with_history: bool) -> _PeriodCounts:
    """One grouped query per table: by metric, and for the chat's concerns also by month or
    day (the chart by month), so both come from the same rows without a second query.
    `with_history`: whether any of the period's months has figures of earlier years."""
    counts = _PeriodCounts()
    queries = []  # (rows, the column with their date)
    if split.months:
        queries.append(
            (MonthlyCount.objects.filter(unit_id__in=unit_ids, month__in=split.months), "month")
        )
    if with_history:
        # Figures of months before the application, entered by the coordinator, count like
        # those of records (statistics/history.py); they are whole months only.
        rows = HistoricalMonthlyCount.objects.filter(unit_id__in=unit_ids, month__in=split.months)
        queries.append((rows, "month"))
    if split.day_ranges:
        rows = DailyCount.objects.filter(_days_filter(split), unit_id__in=unit_ids)
        queries.append((rows, "day"))
    for query, date_field in queries:
        # NULL for every other metric, so that each of them stays one group.
        concern_date = Case(
            When(metric__in=CHAT_CONCERN_METRICS, then=F(date_field)), output_field=DateField()
        )
        grouped = (
            query.values("metric", date=concern_date)
            .annotate(n=Sum("n"), total=Sum("total"))
            .values_list("metric", "date", "n", "total")
        )
        for metric, date, n, total in grouped:
            before = counts.by_metric.get(metric, (0, 0))
            counts.by_metric[metric] = (before[0] + n, before[1] + total)
            if date is not None:
                counts.concerns_by_month[f"{date:%Y-%m}"][metric.rsplit(".", 1)[1]] += n
    return counts


def _with_marginals(stored: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Add the totals and one-way breakdowns that are sums of the stored finest cells."""
    derived: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(metric: str, n: int, total: int = 0) -> None:
        entry = derived[metric]
        entry[0] += n
        entry[1] += total

    for metric, (n, total) in stored.items():
        parts = metric.split(".")
        if metric.startswith("chat.by_concern."):
            add("chat.conversations", n)
        elif metric.startswith("chat.residents.by_gender_and_concern."):
            gender, concern = parts[3], parts[4]
            add("chat.residents.conversations", n)
            add(f"chat.residents.by_gender.{gender}", n)
            add(f"chat.residents.by_concern.{concern}", n)
        elif metric.startswith("chat.residents.age."):
            add("chat.residents.age", n, total)
        elif metric.startswith("support_centre.by_gender_and_category."):
            gender, category = parts[2], parts[3]
            add("support_centre.cases", n)
            add(f"support_centre.by_gender.{gender}", n)
            add(f"support_centre.by_category.{category}", n)
        elif metric.startswith("support_centre.age."):
            add("support_centre.age", n, total)
        elif metric.startswith("support_centre.screening."):
            add("support_centre.screened", n)
    return {**stored, **{metric: (n, total) for metric, (n, total) in derived.items()}}


def _months(date_from: datetime.date, date_to: datetime.date) -> list[str]:
    months = []
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _chat_by_month(
    figures: _Figures,
    by_month: dict[str, dict[str, int]],
    date_from: datetime.date,
    date_to: datetime.date,
) -> None:
    month_totals = {}
    for month in _months(date_from, date_to):
        base = f"chat.by_month.{month}"
        concerns = by_month.get(month, {})
        figures.parts(f"{base}.total", {f"{base}.{c}": concerns.get(c, 0) for c in CHAT_CONCERNS})
        month_totals[f"{base}.total"] = sum(concerns.get(c, 0) for c in CHAT_CONCERNS)
    for path, value in month_totals.items():
        figures.count(path, value)
    figures.relations.append(Relation(total="chat.conversations", parts=tuple(month_totals)))
    for concern in CHAT_CONCERNS:
        figures.relations.append(
            Relation(
                total=f"chat.by_concern.{concern}",
                parts=tuple(
                    f"chat.by_month.{month}.{concern}" for month in _months(date_from, date_to)
                ),
            )
        )


def _chat(
    figures: _Figures, counts: dict[str, tuple[int, int]], district_keys: tuple[str, ...]
) -> None:
    def n(metric: str) -> int:
        return counts.get(metric, (0, 0))[0]

    figures.count("chat.conversations", n("chat.conversations"))
    figures.parts(
        "chat.conversations",
        {f"chat.by_concern.{c}": n(f"chat.by_concern.{c}") for c in CHAT_CONCERNS},
    )
    r = "chat.residents"
    figures.count(f"{r}.conversations", n(f"{r}.conversations"))
    figures.parts(
        f"{r}.conversations",
        {f"{r}.by_gender.{g}": n(f"{r}.by_gender.{g}") for g in GENDERS},
    )
    figures.parts(
        f"{r}.conversations",
        {f"{r}.by_concern.{c}": n(f"{r}.by_concern.{c}") for c in CHAT_CONCERNS},
    )
    for gender in GENDERS:
        figures.parts(
            f"{r}.by_gender.{gender}",
            {
                f"{r}.by_gender_and_concern.{gender}.{c}": n(
                    f"{r}.by_gender_and_concern.{gender}.{c}"
                )
                for c in CHAT_CONCERNS
            },
        )
    for concern in CHAT_CONCERNS:
        figures.relations.append(
            Relation(
                total=f"{r}.by_concern.{concern}",
                parts=tuple(f"{r}.by_gender_and_concern.{g}.{concern}" for g in GENDERS),
            )
        )
    # Districts no longer configured that still have counts come after the configured ones.
    districts = [
        *district_keys,
        *sorted(
            metric.rsplit(".", 1)[1]
            for metric in counts
            if metric.startswith(f"{r}.by_district.")
            and metric.rsplit(".", 1)[1] not in district_keys
            and metric.rsplit(".", 1)[1] != "unknown"
        ),
    ]
    figures.parts(
        f"{r}.conversations",
        {f"{r}.by_district.{d}": n(f"{r}.by_district.{d}") for d in [*districts, "unknown"]},
    )
    for form in VIOLENCE_FORMS:
        figures.count(f"{r}.by_violence.{form}", n(f"{r}.by_violence.{form}"))
    ages, age_sum = counts.get(f"{r}.age", (0, 0))
    figures.statistic(f"{r}.mean_age", _mean(age_sum, ages), ages)
    for gender in MEAN_GENDERS:
        ages, age_sum = counts.get(f"{r}.age.{gender}", (0, 0))
        figures.statistic(f"{r}.mean_age_by_gender.{gender}", _mean(age_sum, ages), ages)


def _support_centre(figures: _Figures, counts: dict[str, tuple[int, int]]) -> None:
    s = "support_centre"

    def n(metric: str) -> int:
        return counts.get(metric, (0, 0))[0]

    figures.count(f"{s}.cases", n(f"{s}.cases"))
    figures.parts(f"{s}.cases", {f"{s}.by_gender.{g}": n(f"{s}.by_gender.{g}") for g in GENDERS})
    figures.parts(
        f"{s}.cases",
        {f"{s}.by_category.{c}": n(f"{s}.by_category.{c}") for c in SUPPORT_CATEGORIES},
    )
    ages, age_sum = counts.get(f"{s}.age", (0, 0))
    figures.statistic(f"{s}.mean_age", _mean(age_sum, ages), ages)
    for gender in MEAN_GENDERS:
        ages, age_sum = counts.get(f"{s}.age.{gender}", (0, 0))
        figures.statistic(f"{s}.mean_age_by_gender.{gender}", _mean(age_sum, ages), ages)
    figures.count(f"{s}.screened", n(f"{s}.screened"))
    answers = [*SCREENING_ANSWERS, "unknown"]
    figures.parts(f"{s}.screened", {f"{s}.screening.{a}": n(f"{s}.screening.{a}") for a in answers})

    pv = f"{s}.partner_violence"
    victims = {g: n(f"{pv}.victims.by_gender.{g}") for g in GENDERS}
    figures.count(f"{pv}.victims.count", sum(victims.values()))
    figures.parts(
        f"{pv}.victims.count", {f"{pv}.victims.by_gender.{g}": v for g, v in victims.items()}
    )
    figures.relations.append(
        Relation(
            total=f"{pv}.victims.count", parts=(f"{s}.screening.victim", f"{s}.screening.both")
        )
    )
    victim_ages = {
        int(metric.rsplit(".", 1)[1]): value[0]
        for metric, value in counts.items()
        if metric.startswith(f"{pv}.victims.by_age.")
        and metric.rsplit(".", 1)[1].isdigit()
        and value[0] > 0
    }
    figures.statistic(
        f"{pv}.victims.youngest_age",
        min(victim_ages) if victim_ages else None,
        sum(victim_ages.values()),
        kind="extreme",
    )
    perpetrators = {g: n(f"{pv}.perpetrators.by_gender.{g}") for g in GENDERS}
    figures.count(f"{pv}.perpetrators.count", sum(perpetrators.values()))
    figures.parts(
        f"{pv}.perpetrators.count",
        {f"{pv}.perpetrators.by_gender.{g}": v for g, v in perpetrators.items()},
    )
    figures.relations.append(
        Relation(
            total=f"{pv}.perpetrators.count",
            parts=(f"{s}.screening.perpetrator", f"{s}.screening.both"),
        )
    )


ClinicKey = tuple[str, str, str, str, bool]
"""(resident, gender, concern, came via or "unknown", ongoing at the period's end)"""


def _ongoing(closed_on: datetime.date | None, date_to: datetime.date) -> bool:
    # Ongoing: not closed by the period's last day (a series closed on that day is not ongoing).
    return closed_on is None or closed_on > date_to


def _clinic_disposed(
    unit_ids: list[int],
    date_from: datetime.date,
    date_to: datetime.date,
    disposed: tuple[datetime.date, datetime.date] | None,
) -> tuple[Counter[ClinicKey], int]:
    """What the clients disposed of contribute to the period (statistics.ClinicSeriesCount).

    A client had a session in [a, b] exactly when its first session is on or before b and its
    last on or after a, unless [a, b] lies strictly between two consecutive sessions: so spans
    add and gaps take away, and the clients' categories are counted without the clients.
    """
    clients: Counter[ClinicKey] = Counter()
    sessions = 0
    # Every row the query below can match overlaps the period (a gap contains it), so none
    # does when the period lies outside all rows: typically, since records are disposed of
    # years after their last session.
    if disposed is None or date_to < disposed[0] or disposed[1] < date_from:
        return clients, sessions
    kind = ClinicSeriesCount.Kind
    columns = ("resident", "gender", "concern", "came_via", "closed_on")
    # The three kinds in one grouped query (a query costs more to build than these few rows).
    rows = (
        ClinicSeriesCount.objects.filter(
            Q(kind=kind.SPAN, first__lte=date_to, last__gte=date_from)
            | Q(kind=kind.GAP, first__lt=date_from, last__gt=date_to)
            | Q(kind=kind.SESSION, first__gte=date_from, first__lte=date_to),
            unit_id__in=unit_ids,
        )
        .values("kind", *columns)
        .annotate(total=Sum("n"))
        .values_list("kind", *columns, "total")
    )
    for row_kind, resident, gender, concern, came_via, closed_on, n in rows:
        if row_kind == kind.SESSION:
            sessions += n
            continue
        key = (resident, gender, concern, came_via or "unknown", _ongoing(closed_on, date_to))
        clients[key] += n if row_kind == kind.SPAN else -n
    return clients, sessions


ClinicCounts = tuple[Counter[ClinicKey], int]
"""Distinct clients with a session in a period by category, and the period's sessions."""


def _clinic_counts(
    configuration: Configuration, date_from: datetime.date, date_to: datetime.date
) -> ClinicCounts:
    """Distinct clients with a session in the period: the records kept plus those disposed of."""
    return _clinic_counts_by_month(configuration, [(date_from, date_to)])[date_from]


def _clinic_counts_by_month(
    configuration: Configuration, periods: list[tuple[datetime.date, datetime.date]]
) -> dict[datetime.date, ClinicCounts]:
    """The clinic's counts of each period (a whole period, or the months of one), keyed by the
    period's first day; the sessions of all of them in one query."""
    unit_ids = list(configuration.unit_ids)
    result = {
        start: _clinic_disposed(unit_ids, start, end, configuration.clinic_disposed)
        for start, end in periods
    }
    # The sessions grouped by client (and by month when there are several periods): the clients
    # and the sessions in one query. Distinct by client: two clients alike in every value
    # counted here are still two.
    client = ("client__resident", "client__gender", "client__concern", "client__came_via")
    first, last = periods[0][0], periods[-1][1]
    sessions = ClinicSession.objects.filter(
        client__unit_id__in=unit_ids, date__gte=first, date__lte=last
    )
    by_month = len(periods) > 1
    if by_month:
        sessions = sessions.annotate(month=TruncMonth("date"))
    grouping = ("client_id", *(("month",) if by_month else ()), *client, "client__closed_on")
    rows = sessions.values(*grouping).annotate(n=Count("id")).values_list(*grouping, "n")
    ends = dict(periods)
    for row in rows:
        if by_month:
            month, (resident, gender, concern, came_via, closed_on, n) = row[1], row[2:]
            if isinstance(month, datetime.datetime):
                month = month.date()
        else:
            month, (resident, gender, concern, came_via, closed_on, n) = first, row[1:]
        if month not in result:
            continue  # a month between those asked for (a released one is not recomputed)
        clients, count = result[month]
        clients[
            (resident, gender, concern, came_via or "unknown", _ongoing(closed_on, ends[month]))
        ] += 1
        result[month] = (clients, count + n)
    return result


def _clinic(figures: _Figures, counts: ClinicCounts) -> None:
    """The clinic's figures from its distinct clients by category and its sessions."""
    clients, sessions = counts
    figures.count("clinic.clients", sum(clients.values()))
    figures.count("clinic.sessions", sessions)
    residents = {key: n for key, n in clients.items() if key[0] == "yes"}

    def residents_where(**wanted: Any) -> int:
        fields = ("resident", "gender", "concern", "came_via", "ongoing")
        return sum(
            n
            for key, n in residents.items()
            if all(key[fields.index(name)] == value for name, value in wanted.items())
        )

    c = "clinic.residents"
    figures.count(f"{c}.clients", sum(residents.values()))
    for gender in GENDERS:
        figures.parts(
            f"{c}.by_gender.{gender}",
            {
                f"{c}.by_gender_and_concern.{gender}.{concern}": residents_where(
                    gender=gender, concern=concern
                )
                for concern in CLINIC_CONCERNS
            },
        )
        figures.count(f"{c}.by_gender.{gender}", residents_where(gender=gender))
    figures.relations.append(
        Relation(total=f"{c}.clients", parts=tuple(f"{c}.by_gender.{g}" for g in GENDERS))
    )
    figures.parts(
        f"{c}.clients",
        {f"{c}.by_came_via.{via}": residents_where(came_via=via) for via in [*CAME_VIA, "unknown"]},
    )
    figures.count(f"{c}.ongoing", residents_where(ongoing=True))


def _referrals(
    figures: _Figures, counts: dict[str, tuple[int, int]], service_keys: list[str]
) -> None:
    keys = [*service_keys]
    for metric in counts:
        if metric.startswith("referrals."):
            key = metric.split(".", 2)[2]
            if key not in keys:
                keys.append(key)
    for key in keys:
        figures.parts(
            f"referrals.by_destination.{key}",
            {
                f"referrals.by_source.{source}.{key}": counts.get(
                    f"referrals.{source}.{key}", (0, 0)
                )[0]
                for source in ("chat", "support_centre")
            },
        )
        figures.count(
            f"referrals.by_destination.{key}",
            sum(
                counts.get(f"referrals.{source}.{key}", (0, 0))[0]
                for source in ("chat", "support_centre")
            ),
        )


REFERRAL_CODE_STAGES = ("issued", "arrived", "not_arrived")


ReferralRow = tuple[str, str | None, datetime.datetime, datetime.datetime | None]
"""(destination key, concern, issued at, arrived at) of one referral code."""


def _referral_rows(
    configuration: Configuration, date_from: datetime.date, date_to: datetime.date
) -> list[ReferralRow]:
    """The referral codes issued in the period (a cohort), whenever they arrived.

    Codes are few (a fraction of the chat's conversations, tens to hundreds a year), so they
    are read as rows in one query that gives both the counts by destination and concern and the
    days to arrival: cheaper than building a grouped query and a second one for the days.
    """
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=STOCKHOLM)
    end = datetime.datetime.combine(date_to + ONE_DAY, datetime.time.min, tzinfo=STOCKHOLM)
    return list(
        Referral.objects.filter(
            destination__partnership_id=configuration.partnership_id,
            issuing_unit_id__in=configuration.unit_ids,
            issued_at__gte=start,
            issued_at__lt=end,
        )
        .order_by()
        .values_list(
            "destination__key",
            # A code keeps its conversation's concern when the conversation is disposed of.
            Coalesce("conversation__concern", "concern_kept"),
            "issued_at",
            "arrived_at",
        )
    )


def _referral_codes(
    figures: _Figures, configuration: Configuration, rows: list[ReferralRow]
) -> None:
    """Referral codes issued in the period (a cohort) and what became of them so far.

    Arrivals are those of the codes issued in the period, whenever they arrived, so arrived and
    not arrived add up to issued and the funnel reads as a share (see docs/ARCHITECTURE.md,
    "Referral codes").
    """
    cells: dict[tuple[str, str, str], int] = defaultdict(int)
    days = []
    for destination, concern, issued_at, arrived_at in rows:
        stage = "not_arrived" if arrived_at is None else "arrived"
        cells[(stage, destination, concern or "unknown")] += 1
        if arrived_at is not None:
            days.append((local_day(arrived_at) - local_day(issued_at)).days)
    destinations = configuration.service_keys
    concerns = [*CHAT_CONCERNS, "unknown"]
    r = "referrals"
    for stage in REFERRAL_CODE_STAGES:
        stages = ("arrived", "not_arrived") if stage == "issued" else (stage,)
        by_destination = {
            f"{r}.{stage}.by_destination.{d}": sum(
                n for (s, dest, _c), n in cells.items() if s in stages and dest == d
            )
            for d in destinations
        }
        by_concern = {
            f"{r}.{stage}.by_concern.{c}": sum(
                n for (s, _d, con), n in cells.items() if s in stages and con == c
            )
            for c in concerns
        }
        figures.count(f"{r}.{stage}.count", sum(by_concern.values()))
        figures.parts(f"{r}.{stage}.count", by_destination)
        figures.parts(f"{r}.{stage}.count", by_concern)
    # Each code issued either arrived or did not (yet): a relation for every breakdown.
    for suffix in [
        "count",
        *(f"by_destination.{d}" for d in destinations),
        *(f"by_concern.{c}" for c in concerns),
    ]:
        figures.relations.append(
            Relation(
                total=f"{r}.issued.{suffix}",
                parts=(f"{r}.arrived.{suffix}", f"{r}.not_arrived.{suffix}"),
            )
        )
    figures.statistic(
        f"{r}.median_days_to_arrival",
        round(float(median(days)), 1) if days else None,
        len(days),
        kind="median",
    )


def _build(
    configuration: Configuration,
    counts: dict[str, tuple[int, int]],
    concerns_by_month: dict[str, dict[str, int]],
    date_from: datetime.date,
    date_to: datetime.date,
    clinic: ClinicCounts,
    referral_rows: list[ReferralRow],
) -> _Figures:
    figures = _Figures()
    _chat(figures, counts, configuration.district_keys)
    _chat_by_month(figures, concerns_by_month, date_from, date_to)
    _clinic(figures, clinic)
    _support_centre(figures, counts)
    _referrals(figures, counts, configuration.service_keys)
    _referral_codes(figures, configuration, referral_rows)
    return figures


def exact_figures(
    configuration: Configuration,
    date_from: datetime.date,
    date_to: datetime.date,
    referral_rows: list[ReferralRow] | None = None,
) -> tuple[_Figures, set[tuple[datetime.date, str]]]:
    """The exact figures of any period, and the (month, unit key) of the figures of earlier
    years they include. `referral_rows`: the period's, when the caller has read them."""
    unit_ids = list(configuration.unit_ids)
    split = _split(date_from, date_to)
    history = history_in(configuration, split)
    period_counts = _period_counts(unit_ids, split, with_history=bool(history))
    figures = _build(
        configuration,
        _with_marginals(period_counts.by_metric),
        period_counts.concerns_by_month,
        date_from,
        date_to,
        _clinic_counts(configuration, date_from, date_to),
        _referral_rows(configuration, date_from, date_to)
        if referral_rows is None
        else referral_rows,
    )
    return figures, history


def history_in(
    configuration: Configuration, split: "_Split | tuple[datetime.date, datetime.date]"
) -> set[tuple[datetime.date, str]]:
    """The (month, unit key) of the figures of earlier years within a period's whole months."""
    if not isinstance(split, _Split):
        split = _split(*split)
    return {(month, unit) for month, unit in configuration.history if month in split.months}


def structure_figures(
    configuration: Configuration, date_from: datetime.date, date_to: datetime.date
) -> _Figures:
    """The figures of a period with every count 0 and every statistic empty, without a query:
    their paths, relations and statistics are those of `exact_figures` for the same
    configuration. The public level reads this instead when every value it needs has been
    released already (statistics.release), and takes the values from what was released."""
    return _build(configuration, {}, {}, date_from, date_to, (Counter(), 0), [])


def month_starts(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    """The first day of every calendar month the period touches."""
    months = []
    month = date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        month = _next_month(month)
    return months


def monthly_figures(
    configuration: Configuration,
    months: list[datetime.date],
    referral_rows: list[ReferralRow] | None = None,
) -> dict[datetime.date, _Figures]:
    """The exact figures of each of the given calendar months (first days, in order), read
    together: one grouped query for the stored counts, one for the clinic, one for the codes."""
    unit_ids = list(configuration.unit_ids)
    stored: dict[datetime.date, dict[str, tuple[int, int]]] = {month: {} for month in months}
    queries = [MonthlyCount.objects.filter(unit_id__in=unit_ids, month__in=months)]
    if any(month in stored for month, _unit in configuration.history):
        queries.append(
            HistoricalMonthlyCount.objects.filter(unit_id__in=unit_ids, month__in=months)
        )
    for query in queries:
        grouped = query.values("month", "metric").annotate(n=Sum("n"), total=Sum("total"))
        for month, metric, n, total in grouped.values_list("month", "metric", "n", "total"):
            before = stored[month].get(metric, (0, 0))
            stored[month][metric] = (before[0] + n, before[1] + total)
    ends = [_next_month(month) - ONE_DAY for month in months]
    clinic = _clinic_counts_by_month(configuration, list(zip(months, ends, strict=True)))
    codes: dict[datetime.date, list[ReferralRow]] = {month: [] for month in months}
    if referral_rows is None:
        referral_rows = _referral_rows(configuration, months[0], ends[-1])
    for row in referral_rows:
        month = local_day(row[2]).replace(day=1)
        if month in codes:  # the caller's rows may cover months not asked for here
            codes[month].append(row)
    result = {}
    for month, end in zip(months, ends, strict=True):
        counts = _with_marginals(stored[month])
        concerns = {
            f"{month:%Y-%m}": {
                concern: counts.get(f"chat.by_concern.{concern}", (0, 0))[0]
                for concern in CHAT_CONCERNS
            }
        }
        result[month] = _build(
            configuration, counts, concerns, month, end, clinic[month], codes[month]
        )
    return result


def statistics_compute(
    *,
    partnership: Partnership,
    date_from: datetime.date,
    date_to: datetime.date,
    disclosure: str = PUBLIC,
    threshold: int | None = None,
    configuration: Configuration | None = None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The partnership's figures for the period, bounds included.

    `internal` gives exact figures of any period to those who may read them. `public` (the
    default everywhere but the command line) is the published level (`statistics.release`):
    whole calendar months that have ended by `today` only, each count perturbed month by month;
    other periods raise `release.PublicPeriodError`, which says which periods are available.
    `configuration` is the partnership's (`configuration_for`), when the caller has read it
    already; otherwise it is read here.
    """
    if date_to < date_from:
        raise SamverkanError("The period ends before it starts.")
    if disclosure not in DISCLOSURE_LEVELS:
        raise SamverkanError(f"Unknown disclosure level {disclosure!r}.")
    if configuration is None:
        configuration = configuration_for(partnership)
    elif configuration.partnership_id != partnership.pk:
        raise ValueError("The configuration is another partnership's.")
    threshold = threshold if threshold is not None else settings.SAMVERKAN_DISCLOSURE_THRESHOLD
    if disclosure == PUBLIC:
        from samverkan.statistics import release  # noqa: PLC0415 - release builds on this module

        body = release.public_figures(
            configuration=configuration,
            date_from=date_from,
            date_to=date_to,
            threshold=threshold,
            today=today,
        )
    else:
        figures, history = exact_figures(configuration, date_from, date_to)
        check_consistent(figures.counts, figures.relations, figures.statistics, threshold)
        body = {
            "disclosure": {"level": INTERNAL, "threshold": None, "suppressed": []},
            **figures.tree(set()),
            **history_note(history),
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "partnership": partnership.key,
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        **body,
    }


def history_note(history: set[tuple[datetime.date, str]]) -> dict[str, Any]:
    """Which months' chat and support-centre figures include figures of earlier years entered
    by the coordinator (statistics/history.py), and of which units."""
    if not history:
        return {}
    return {
        "history": {
            "months": sorted({f"{month:%Y-%m}" for month, _unit in history}),
            "units": sorted({unit for _month, unit in history}),
        }
    }
