"""The clinic's figures: distinct clients with a session in the period (from the records kept and
the anonymous counts their disposal leaves behind) and sessions."""

import datetime
from collections import Counter
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from samverkan.records.models import ClinicSession
from samverkan.statistics.configuration import Configuration
from samverkan.statistics.disclosure import Relation
from samverkan.statistics.figures import CAME_VIA, CLINIC_CONCERNS, GENDERS, Figures
from samverkan.statistics.models import ClinicSeriesCount

ClinicKey = tuple[str, str, str, str, bool]
"""(resident, gender, concern, came via or "unknown", ongoing at the period's end)"""


def is_ongoing(closed_on: datetime.date | None, date_to: datetime.date) -> bool:
    # Ongoing: not closed by the period's last day (a series closed on that day is not ongoing).
    return closed_on is None or closed_on > date_to


def disposed_clinic_counts(
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
        key = (resident, gender, concern, came_via or "unknown", is_ongoing(closed_on, date_to))
        clients[key] += n if row_kind == kind.SPAN else -n
    return clients, sessions


ClinicCounts = tuple[Counter[ClinicKey], int]
"""Distinct clients with a session in a period by category, and the period's sessions."""


def clinic_counts(
    configuration: Configuration, date_from: datetime.date, date_to: datetime.date
) -> ClinicCounts:
    """Distinct clients with a session in the period: the records kept plus those disposed of."""
    return clinic_counts_by_month(configuration, [(date_from, date_to)])[date_from]


def clinic_counts_by_month(
    configuration: Configuration, periods: list[tuple[datetime.date, datetime.date]]
) -> dict[datetime.date, ClinicCounts]:
    """The clinic's counts of each period (a whole period, or the months of one), keyed by the
    period's first day; the sessions of all of them in one query."""
    unit_ids = list(configuration.unit_ids)
    result = {
        start: disposed_clinic_counts(unit_ids, start, end, configuration.clinic_disposed)
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
            (resident, gender, concern, came_via or "unknown", is_ongoing(closed_on, ends[month]))
        ] += 1
        result[month] = (clients, count + n)
    return result


def clinic_figures(figures: Figures, counts: ClinicCounts) -> None:
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
