"""Disposal of records past their retention period, keeping the anonymous aggregates.

`dispose(today=...)` finds, per organisation and kind of record, what the rule lets go as of
`today`, and (unless `dry_run`) deletes it in one transaction per kind and organisation together
with a `Disposal` log entry. It is idempotent: run daily, a second run the same day finds nothing.

What stays, so that past periods' figures do not change:
- chat and support-centre figures come from `statistics.DailyCount`/`MonthlyCount`, written with
  each record; disposal deletes the records only (unlike a correction, which also corrects them);
- clinic figures: each disposed client's contribution to any period is added to
  `statistics.ClinicSeriesCount` (spans, gaps and sessions per day; see that model) in the same
  transaction as the deletion, and the engine adds them to the clients still kept;
- referral codes keep their conversation's concern (`Referral.concern_kept`) when the
  conversation is disposed of, so the funnel by concern stays the same.

The audit log is append-only from the application (`AuditEntry` refuses update and delete through
the ORM). Expired entries are deleted here, and only here, with a plain SQL DELETE by id: the one
deliberate path past that guard, logged in the disposal log like any other disposal.
"""

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Min, QuerySet

from samverkan.accounts.models import AuditEntry
from samverkan.core.time import STOCKHOLM, local_day
from samverkan.partnership.models import Organisation
from samverkan.records.models import ChatConcern, ChatConversation, ClinicClient, SupportCentreCase
from samverkan.referrals.models import Referral
from samverkan.retention.models import DEFAULT_YEARS, Disposal, Kind, RetentionRule, anniversary
from samverkan.statistics.models import ClinicSeriesCount

ONE_DAY = datetime.timedelta(days=1)
BATCH = 2000


@dataclass(frozen=True)
class Rule:
    years: int | None
    yearly: bool = False

    def disposable_from(self, last_entry: datetime.date) -> datetime.date | None:
        """The first day a record with this last entry may be disposed of (None: kept)."""
        if self.years is None:
            return None
        expires = anniversary(last_entry, self.years)
        return datetime.date(expires.year + 1, 1, 1) if self.yearly else expires + ONE_DAY

    def deadline(self, last_entry: datetime.date) -> datetime.date | None:
        """The day by which it must be gone: the end of the year after the one it expired in."""
        if self.years is None:
            return None
        return datetime.date(anniversary(last_entry, self.years).year + 1, 12, 31)

    def latest_disposable(self, today: datetime.date) -> datetime.date | None:
        """The latest last entry disposable as of `today` (records on or before it go)."""
        if self.years is None:
            return None
        # disposable_from is non-decreasing in the last entry: start near the answer and step.
        day = anniversary(today, -self.years) - ONE_DAY
        while self.disposable_from(day) > today:
            day -= ONE_DAY
        while self.disposable_from(day + ONE_DAY) <= today:
            day += ONE_DAY
        return day

    def describe(self) -> str:
        if self.years is None:
            return "kept"
        when = "at the turn of the year" if self.yearly else "the day after expiry"
        return f"{self.years} years after the last entry, disposed of {when}"


@dataclass(frozen=True)
class Outcome:
    """What a disposal removed (or, in a dry run, would remove)."""

    organisation: str | None
    kind: str
    count: int
    first_entry: datetime.date | None
    last_entry: datetime.date | None
    rule: str


def rule_for(organisation: Organisation | None, kind: str) -> Rule:
    if organisation is not None:
        rule = RetentionRule.objects.filter(organisation=organisation, kind=kind).first()
        if rule is not None:
            return Rule(years=rule.years, yearly=rule.yearly)
    return Rule(years=DEFAULT_YEARS[Kind(kind)])


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=STOCKHOLM)


def _chats(unit_ids: list[int], latest: datetime.date) -> QuerySet:
    return ChatConversation.objects.filter(
        unit_id__in=unit_ids, started_at__lt=_start_of(latest + ONE_DAY)
    )


def _cases(unit_ids: list[int], latest: datetime.date) -> QuerySet:
    return SupportCentreCase.objects.filter(unit_id__in=unit_ids, received_on__lte=latest)


def _clinic_clients(unit_ids: list[int], latest: datetime.date) -> QuerySet:
    # The last entry is the latest of the first visit, the closing day and the last session.
    return (
        ClinicClient.objects.filter(unit_id__in=unit_ids, first_visit__lte=latest)
        .exclude(closed_on__gt=latest)
        .exclude(sessions__date__gt=latest)
    )


def _audit_entries(unit_ids: list[int] | None, latest: datetime.date) -> QuerySet:
    entries = AuditEntry.objects.filter(at__lt=_start_of(latest + ONE_DAY))
    if unit_ids is None:
        return entries.filter(unit__isnull=True)
    return entries.filter(unit_id__in=unit_ids)


def _period(kind: str, records: QuerySet) -> tuple[datetime.date | None, datetime.date | None]:
    if kind == Kind.CHAT_CONVERSATION:
        span = records.aggregate(first=Min("started_at"), last=Max("started_at"))
        return tuple(local_day(v) if v else None for v in (span["first"], span["last"]))
    if kind == Kind.SUPPORT_CENTRE_CASE:
        span = records.aggregate(first=Min("received_on"), last=Max("received_on"))
        return span["first"], span["last"]
    if kind == Kind.AUDIT_ENTRY:
        span = records.aggregate(first=Min("at"), last=Max("at"))
        return tuple(local_day(v) if v else None for v in (span["first"], span["last"]))
    last_entries = [_clinic_last_entry(client) for client in records.prefetch_related("sessions")]
    return (min(last_entries), max(last_entries)) if last_entries else (None, None)


def _clinic_last_entry(client: ClinicClient) -> datetime.date:
    return max(
        [client.first_visit, *(s.date for s in client.sessions.all())]
        + ([client.closed_on] if client.closed_on else [])
    )


def _batches(records: QuerySet) -> Iterator[list[int]]:
    """Ids in batches, so a first run over millions of records keeps memory bounded.

    Each batch is locked and read again: a record changed meanwhile so that it has not expired
    after all (a new session, a corrected date) is left alone, and a write waiting on the lock
    finds the record gone rather than losing what it wrote with it.
    """
    while ids := list(records.order_by().values_list("pk", flat=True)[:BATCH]):
        locked = records.model.objects.filter(pk__in=ids).select_for_update()
        list(locked.values_list("pk", flat=True))
        if still_expired := list(records.filter(pk__in=ids).values_list("pk", flat=True)):
            yield still_expired


def _dispose_chats(records: QuerySet) -> int:
    disposed = 0
    for ids in _batches(records):
        for concern in ChatConcern.values:
            Referral.objects.filter(conversation_id__in=ids, conversation__concern=concern).update(
                concern_kept=concern
            )
        # Not the service's delete: that would also take the conversation out of the counts.
        ChatConversation.objects.filter(pk__in=ids).delete()
        disposed += len(ids)
    return disposed


def _dispose_cases(records: QuerySet) -> int:
    disposed = 0
    for ids in _batches(records):
        SupportCentreCase.objects.filter(pk__in=ids).delete()
        disposed += len(ids)
    return disposed


def clinic_series_counts(clients: list[ClinicClient]) -> Counter[tuple]:
    """The anonymous counts that keep these clients' figures for every period."""
    counts: Counter[tuple] = Counter()
    for client in clients:
        days = sorted({session.date for session in client.sessions.all()})
        if not days:
            continue
        closed_on = client.closed_on
        categories = (client.resident, client.gender, client.concern, client.came_via or "")
        counts[(ClinicSeriesCount.Kind.SPAN, days[0], days[-1], closed_on, *categories)] += 1
        for before, after in zip(days, days[1:], strict=False):
            if after - before > ONE_DAY:  # no period fits between two consecutive days
                counts[(ClinicSeriesCount.Kind.GAP, before, after, closed_on, *categories)] += 1
        for day in days:
            counts[(ClinicSeriesCount.Kind.SESSION, day, day, None, "", "", "", "")] += 1
    return counts


def _dispose_clinic(records: QuerySet) -> int:
    disposed = 0
    for ids in _batches(records):
        clients = list(ClinicClient.objects.filter(pk__in=ids).prefetch_related("sessions"))
        rows = []
        for unit_id in {client.unit_id for client in clients}:
            counts = clinic_series_counts([c for c in clients if c.unit_id == unit_id])
            rows += [
                ClinicSeriesCount(
                    unit_id=unit_id,
                    kind=kind,
                    first=first,
                    last=last,
                    closed_on=closed_on,
                    resident=resident,
                    gender=gender,
                    concern=concern,
                    came_via=came_via,
                    n=n,
                )
                for (kind, first, last, closed_on, resident, gender, concern, came_via), n in (
                    counts.items()
                )
            ]
        ClinicSeriesCount.objects.bulk_create(rows)
        ClinicClient.objects.filter(pk__in=ids).delete()  # and their sessions
        disposed += len(ids)
    return disposed


def _dispose_audit_entries(records: QuerySet) -> int:
    # The one deliberate way past the audit log's append-only guard (see the module's docstring).
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    disposed = 0
    with connection.cursor() as cursor:
        for ids in _batches(records):
            placeholders = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({placeholders})", ids)  # noqa: S608
            disposed += len(ids)
    return disposed


SELECT = {
    Kind.CHAT_CONVERSATION: _chats,
    Kind.SUPPORT_CENTRE_CASE: _cases,
    Kind.CLINIC_CLIENT: _clinic_clients,
    Kind.AUDIT_ENTRY: _audit_entries,
}
DISPOSE = {
    Kind.CHAT_CONVERSATION: _dispose_chats,
    Kind.SUPPORT_CENTRE_CASE: _dispose_cases,
    Kind.CLINIC_CLIENT: _dispose_clinic,
    Kind.AUDIT_ENTRY: _dispose_audit_entries,
}


def dispose(*, today: datetime.date, dry_run: bool = False) -> list[Outcome]:
    """Dispose of every record whose retention has run out as of `today`; what went, per rule."""
    outcomes = []
    owners: list[Organisation | None] = [*Organisation.objects.order_by("key"), None]
    for organisation in owners:
        unit_ids = list(organisation.units.values_list("id", flat=True)) if organisation else None
        for kind in Kind.values:
            if organisation is None and kind != Kind.AUDIT_ENTRY:
                continue  # only audit entries can be without a unit
            rule = rule_for(organisation, kind)
            latest = rule.latest_disposable(today)
            if latest is None:
                continue
            with transaction.atomic():
                records = SELECT[kind](unit_ids, latest)
                count = records.count()
                if not count:
                    continue
                first, last = _period(kind, records)
                if not dry_run:
                    count = DISPOSE[kind](records)
                    if not count:
                        continue
                outcome = Outcome(
                    organisation=organisation.key if organisation else None,
                    kind=kind,
                    count=count,
                    first_entry=first,
                    last_entry=last,
                    rule=rule.describe(),
                )
                outcomes.append(outcome)
                if dry_run:
                    continue
                Disposal.objects.create(
                    run_on=today,
                    organisation=organisation,
                    kind=kind,
                    count=count,
                    first_entry=first,
                    last_entry=last,
                    rule=outcome.rule,
                )
    return outcomes
