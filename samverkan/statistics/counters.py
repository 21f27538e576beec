"""Which facts a record contributes to the daily counts, and how they are written.

`chat_facts` and `support_centre_facts` are the one definition of what is counted; every way of
writing a record (services, import) goes through them, and `counts_from_records` recomputes them
from the records to check that the aggregates are true.
"""

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from django.db import connection

from samverkan.statistics.models import DailyCount, MonthlyCount

STOCKHOLM = ZoneInfo("Europe/Stockholm")

Fact = tuple[str, int]
"""(metric, measured value): the record adds 1 to the metric's count and the value to its sum."""

CountKey = tuple[int, datetime.date, str]
"""(unit id, day, metric)"""


def local_day(moment: datetime.datetime) -> datetime.date:
    """The calendar day in Stockholm on which a moment falls: periods are read as such days."""
    return moment.astimezone(STOCKHOLM).date()


@functools.lru_cache(maxsize=1 << 16)
def chat_facts(  # cached: records share a few thousand combinations of these values
    *,
    resident: str,
    gender: str,
    age: int | None,
    concern: str,
    violence: tuple[str, ...],
    district: str | None,
    referred_to: str | None,
) -> tuple[Fact, ...]:
    facts: list[Fact] = [("chat.conversations", 0), (f"chat.by_concern.{concern}", 0)]
    if resident == "yes":
        prefix = "chat.residents"
        facts += [
            (f"{prefix}.conversations", 0),
            (f"{prefix}.by_gender.{gender}", 0),
            (f"{prefix}.by_concern.{concern}", 0),
            (f"{prefix}.by_gender_and_concern.{gender}.{concern}", 0),
            (f"{prefix}.by_district.{district or 'unknown'}", 0),
        ]
        facts += [(f"{prefix}.by_violence.{form}", 0) for form in violence]
        if age is not None:
            facts += [(f"{prefix}.age", age), (f"{prefix}.age.{gender}", age)]
    if referred_to:
        facts.append((f"referrals.chat.{referred_to}", 0))
    return tuple(facts)


PARTNER_VIOLENCE_VICTIM = ("victim", "both")
PARTNER_VIOLENCE_PERPETRATOR = ("perpetrator", "both")


@functools.lru_cache(maxsize=1 << 16)
def support_centre_facts(
    *,
    gender: str,
    age: int | None,
    category: str,
    screened: bool,
    screening_answer: str | None,
    referred_to: str | None,
) -> tuple[Fact, ...]:
    prefix = "support_centre"
    facts: list[Fact] = [
        (f"{prefix}.cases", 0),
        (f"{prefix}.by_gender.{gender}", 0),
        (f"{prefix}.by_category.{category}", 0),
    ]
    if age is not None:
        facts += [(f"{prefix}.age", age), (f"{prefix}.age.{gender}", age)]
    if screened:
        facts += [
            (f"{prefix}.screened", 0),
            (f"{prefix}.screening.{screening_answer or 'unknown'}", 0),
        ]
    if screening_answer in PARTNER_VIOLENCE_VICTIM:
        facts.append((f"{prefix}.partner_violence.victims.by_gender.{gender}", 0))
        facts.append((f"{prefix}.partner_violence.victims.by_age.{age or 'unknown'}", 0))
    if screening_answer in PARTNER_VIOLENCE_PERPETRATOR:
        facts.append((f"{prefix}.partner_violence.perpetrators.by_gender.{gender}", 0))
    if referred_to:
        facts.append((f"referrals.support_centre.{referred_to}", 0))
    return tuple(facts)


class CountBuffer:
    """Collects count changes in memory and writes them in one statement per flush."""

    def __init__(self) -> None:
        # Records of one day with the same facts are counted together: one dict update per
        # record, and the facts are spread into metrics once per distinct combination.
        self._records: dict[tuple[int, datetime.date, tuple[Fact, ...]], int] = defaultdict(int)

    def add(self, unit_id: int, day: datetime.date, facts: tuple[Fact, ...], sign: int = 1) -> None:
        self._records[(unit_id, day, facts)] += sign

    def __len__(self) -> int:
        return len(self._records)

    def _changes(self) -> dict[CountKey, list[int]]:
        changes: dict[CountKey, list[int]] = defaultdict(lambda: [0, 0])
        for (unit_id, day, facts), records in self._records.items():
            for metric, value in facts:
                change = changes[(unit_id, day, metric)]
                change[0] += records
                change[1] += records * value
        return changes

    def flush(self) -> None:
        """Add the collected changes to the stored counts (call inside the write's transaction)."""
        daily = []
        monthly: dict[CountKey, list[int]] = defaultdict(lambda: [0, 0])
        for (unit_id, day, metric), (n, total) in self._changes().items():
            if n or total:
                daily.append((unit_id, day, metric, n, total))
                month = monthly[(unit_id, day.replace(day=1), metric)]
                month[0] += n
                month[1] += total
        self._records.clear()
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
    rows = DailyCount.objects.filter(unit_id__in=list(unit_ids)).exclude(n=0, total=0)
    for unit_id, day, metric, n, total in rows.values_list(
        "unit_id", "day", "metric", "n", "total"
    ):
        yield (unit_id, day, metric), (n, total)
