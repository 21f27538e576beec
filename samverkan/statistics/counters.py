"""Which facts a record contributes to the daily counts, and how they are written.

`chat_facts` and `support_centre_facts` are the one definition of what is counted; every way of
writing a record (services, import) goes through them, and `counts_from_records` recomputes them
from the records to check that the aggregates are true.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import compress
from typing import Any

from django.db import connection

# Stockholm time has its home in core.time; records.imports and records.filters still import
# it from here (their move belongs with the records' own restructuring, issue 18 step 1).
from samverkan.core.time import STOCKHOLM, local_day  # noqa: F401
from samverkan.statistics.facts import CHAT_CELLS, SUPPORT_CENTRE_CELLS, Fact
from samverkan.statistics.models import DailyCount, MonthlyCount

CountKey = tuple[int, datetime.date, str]
"""(unit id, day, metric)"""


# What a record counts for, as groups of facts that each depend on a few of its values, declared
# in statistics/facts.py. Each group is one definition used by every write (services, import,
# recount); an import counts column by column, group by group, so it never meets the many
# combinations of all values.
FactGroup = tuple[tuple[str, ...], Callable[..., tuple[Fact, ...]], tuple[str, frozenset] | None]
"""(the values it depends on, their facts, and a condition (column, values) the record must meet
for the group to count at all, e.g. being a resident)."""

CHAT_FACT_GROUPS: list[FactGroup] = [(c.columns, c.facts, c.when) for c in CHAT_CELLS]
SUPPORT_CENTRE_FACT_GROUPS: list[FactGroup] = [
    (c.columns, c.facts, c.when) for c in SUPPORT_CENTRE_CELLS
]


def _facts(groups: list[FactGroup], values: dict[str, Any]) -> tuple[Fact, ...]:
    return tuple(
        fact
        for columns, facts_of, condition in groups
        if condition is None or values[condition[0]] in condition[1]
        for fact in facts_of(*(values[c] for c in columns))
    )


def chat_facts(
    *,
    resident: str,
    gender: str,
    age: int | None,
    concern: str,
    violence: tuple[str, ...],
    district: str | None,
    referred_to: str | None,
) -> tuple[Fact, ...]:
    return _facts(CHAT_FACT_GROUPS, locals())


def support_centre_facts(
    *,
    gender: str,
    age: int | None,
    category: str,
    screened: bool,
    screening_answer: str | None,
    referred_to: str | None,
) -> tuple[Fact, ...]:
    return _facts(SUPPORT_CENTRE_FACT_GROUPS, locals())


class CountBuffer:
    """Collects count changes in memory and writes them in one statement per flush."""

    FOLD_LIMIT = 20_000

    def __init__(self) -> None:
        # Records of one day with the same facts are counted together first: one dict update
        # per record. They are spread into metrics when there are many distinct ones, so memory
        # stays bounded by days x metrics, whatever the number of records.
        self._records: dict[tuple[int, datetime.date, tuple[Fact, ...]], int] = defaultdict(int)
        self._changes: dict[CountKey, list[int]] = defaultdict(lambda: [0, 0])

    def add(
        self, unit_id: int, day: datetime.date, facts: tuple[Fact, ...], records: int = 1
    ) -> None:
        """Count `records` records with these facts on this day (negative to take them away)."""
        self._records[(unit_id, day, facts)] += records
        if len(self._records) >= self.FOLD_LIMIT:
            self._fold()

    def __len__(self) -> int:
        """Distinct (unit, day, metric) changes waiting to be written."""
        return len(self._changes)

    def _fold(self) -> None:
        changes = self._changes
        for (unit_id, day, facts), records in self._records.items():
            for metric, value in facts:
                change = changes[(unit_id, day, metric)]
                change[0] += records
                change[1] += records * value
        self._records.clear()

    def flush(self) -> None:
        """Add the collected changes to the stored counts (call inside the write's transaction)."""
        self._fold()
        daily = []
        monthly: dict[CountKey, list[int]] = defaultdict(lambda: [0, 0])
        for (unit_id, day, metric), (n, total) in self._changes.items():
            if n or total:
                daily.append((unit_id, day, metric, n, total))
                month = monthly[(unit_id, day.replace(day=1), metric)]
                month[0] += n
                month[1] += total
        self._changes.clear()
        if daily:
            _upsert(DailyCount, "day", daily)
            _upsert(
                MonthlyCount,
                "month",
                [
                    (unit_id, month, metric, n, total)
                    for (unit_id, month, metric), (n, total) in monthly.items()
                ],
            )


def _upsert(
    model: type, period_column: str, rows: list[tuple[int, datetime.date, str, int, int]]
) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    adapt = connection.ops.adapt_datefield_value
    # INSERT ... ON CONFLICT DO UPDATE with an increment: one statement for SQLite and PostgreSQL
    # alike, and no read-modify-write race between concurrent writers.
    sql = (
        f"INSERT INTO {table} (unit_id, {period_column}, metric, n, total) "
        f"VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT (unit_id, {period_column}, metric) DO UPDATE "
        f"SET n = {table}.n + excluded.n, total = {table}.total + excluded.total"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(u, adapt(d), m, n, t) for u, d, m, n, t in rows])


class FactGroupCounter:
    """Counts many records column by column, for each fact group separately.

    For a bulk write: each group's facts depend on a few values, so the distinct (day, values)
    of a group are few however many records there are; their counts are collected with
    Counter (in C) and spread into facts once, when written.
    """

    def __init__(self, unit_id: int, groups: list[FactGroup]) -> None:
        self.unit_id = unit_id
        self.groups = groups
        self.counters: list[Counter[tuple[datetime.date, tuple[Any, ...]]]] = [
            Counter() for _ in groups
        ]

    def update(self, days: list[datetime.date], columns: dict[str, list[Any]]) -> None:
        """Count records given as a list of days and their values column by column."""
        masks: dict[tuple[str, Any], list[bool]] = {}
        for counter, (names, _facts_of, condition) in zip(self.counters, self.groups, strict=True):
            group_days, group_columns = days, [columns[name] for name in names]
            if condition is not None:
                if condition not in masks:
                    column, wanted = condition
                    masks[condition] = [value in wanted for value in columns[column]]
                mask = masks[condition]
                group_days = compress(days, mask)
                group_columns = [compress(column, mask) for column in group_columns]
            counter.update(zip(group_days, zip(*group_columns, strict=True), strict=True))

    def __len__(self) -> int:
        return sum(len(counter) for counter in self.counters)

    def spread_into(self, counts: "CountBuffer") -> None:
        for counter, (_names, facts_of, _condition) in zip(self.counters, self.groups, strict=True):
            for (day, key), records in counter.items():
                facts = facts_of(*key)
                if facts:
                    counts.add(self.unit_id, day, facts, records=records)
            counter.clear()


def chat_conversation_facts(conversation) -> tuple[Fact, ...]:  # noqa: ANN001 - model instance
    return chat_facts(
        resident=conversation.resident,
        gender=conversation.gender,
        age=conversation.age,
        concern=conversation.concern,
        violence=tuple(conversation.violence_forms),
        district=conversation.district.key if conversation.district_id else None,
        referred_to=conversation.referred_to.key if conversation.referred_to_id else None,
    )


def support_centre_case_facts(case) -> tuple[Fact, ...]:  # noqa: ANN001 - model instance
    return support_centre_facts(
        gender=case.gender,
        age=case.age,
        category=case.category,
        screened=case.screened,
        screening_answer=case.screening_answer,
        referred_to=case.referred_to.key if case.referred_to_id else None,
    )


def counts_from_records(unit_ids: Iterable[int]) -> dict[CountKey, tuple[int, int]]:
    """The counts the records of these units imply: to check the stored aggregates against."""
    from samverkan.records.models import ChatConversation, SupportCentreCase

    counts: dict[CountKey, list[int]] = defaultdict(lambda: [0, 0])

    def add(unit_id: int, day: datetime.date, facts: Iterable[Fact]) -> None:
        for metric, value in facts:
            entry = counts[(unit_id, day, metric)]
            entry[0] += 1
            entry[1] += value

    unit_ids = list(unit_ids)
    chats = ChatConversation.objects.filter(unit_id__in=unit_ids).select_related(
        "district", "referred_to"
    )
    for conversation in chats.iterator(chunk_size=5000):
        add(
            conversation.unit_id,
            local_day(conversation.started_at),
            chat_conversation_facts(conversation),
        )
    cases = SupportCentreCase.objects.filter(unit_id__in=unit_ids).select_related("referred_to")
    for case in cases.iterator(chunk_size=5000):
        add(case.unit_id, case.received_on, support_centre_case_facts(case))
    return {key: (n, total) for key, (n, total) in counts.items()}


def stored_counts(unit_ids: Iterable[int]) -> Iterator[tuple[CountKey, tuple[int, int]]]:
    # The live chat's service counts (chat.service.*) come from the chat, not from records.
    rows = (
        DailyCount.objects.filter(unit_id__in=list(unit_ids))
        .exclude(n=0, total=0)
        .exclude(metric__startswith="chat.service.")
    )
    for unit_id, day, metric, n, total in rows.values_list(
        "unit_id", "day", "metric", "n", "total"
    ):
        yield (unit_id, day, metric), (n, total)
