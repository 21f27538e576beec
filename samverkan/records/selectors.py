"""Reads of records, scoped to the user's own unit in one place.

Each organisation's records are confidential to it: a user reads records of their own unit
only, and only in a role that works with records. A record that does not exist and one the
user may not read give the same NotFound, so an id reveals nothing. Every read of a single
record is audited here; lists and exports are audited where they are shown.
"""

import datetime
from collections.abc import Iterable

from django.db import connection
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import User
from samverkan.accounts.permissions import can_work_with_records
from samverkan.core.errors import NotFound
from samverkan.partnership.models import Unit
from samverkan.records.models import (
    ChatConcern,
    ChatConversation,
    ClinicClient,
    ClinicSession,
    Gender,
    SupportCategory,
    SupportCentreCase,
)
from samverkan.retention.models import Disposal
from samverkan.retention.models import Kind as RetentionKind
from samverkan.statistics.models import DailyCount, MonthlyCount


def _scoped(model: type[Model], user: User) -> QuerySet:
    if not can_work_with_records(user):
        return model.objects.none()
    return model.objects.filter(unit_id=user.unit_id)


def chat_conversations_for_user(user: User) -> QuerySet[ChatConversation]:
    return _scoped(ChatConversation, user).select_related("district", "referred_to")


def clinic_clients_for_user(user: User) -> QuerySet[ClinicClient]:
    return _scoped(ClinicClient, user).prefetch_related("sessions")


def clinic_sessions_for_user(user: User) -> QuerySet[ClinicSession]:
    """The sessions of the user's unit's clinic clients (for their export)."""
    return ClinicSession.objects.filter(client__in=_scoped(ClinicClient, user)).select_related(
        "client"
    )


def support_centre_cases_for_user(user: User) -> QuerySet[SupportCentreCase]:
    return _scoped(SupportCentreCase, user).select_related("referred_to")


def _get(queryset: QuerySet, record_id: object, user: User, action: str) -> Model:
    try:
        record = queryset.get(pk=int(str(record_id)))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("There is no such record.")) from None
    log_action(action, user=user, target=record)
    return record


def get_chat_conversation_for_user(user: User, conversation_id: object) -> ChatConversation:
    return _get(
        chat_conversations_for_user(user),
        conversation_id,
        user,
        "records.chat_conversation.viewed",
    )


def get_clinic_client_for_user(user: User, client_id: object) -> ClinicClient:
    return _get(clinic_clients_for_user(user), client_id, user, "records.clinic_client.viewed")


def get_support_centre_case_for_user(user: User, case_id: object) -> SupportCentreCase:
    return _get(
        support_centre_cases_for_user(user), case_id, user, "records.support_centre_case.viewed"
    )


# --- How many records a list has, from the anonymous counts ------------------------------------
# Every write of a chat conversation or a support-centre case adds it to statistics.DailyCount
# and MonthlyCount in the same transaction, by unit, day and a few of its values; a correction
# moves it, a deletion takes it out. Summing them tells how many records a list of a period and
# those values holds, in a few hundred rows whatever the number of records. Only a disposal
# deletes records without touching the counts (they are meant to outlive the records): days up to
# the last disposal's are counted from the records themselves.

ONE_DAY = datetime.timedelta(days=1)


def _each(value: str, values: Iterable[str]) -> list[str]:
    return [value] if value else list(values)


def count_metrics(kind: str, choices: dict[str, str]) -> list[str] | None:
    """The metrics whose counts add up to the records of `kind` with these values of the list's
    choice filters ("" for any), or None when no counts hold that combination (a chat
    conversation's gender is counted for residents only, and "not resident" apart from
    "unknown" not at all)."""
    gender = choices.get("gender", "")
    if kind == "chat":
        concerns = _each(choices.get("concern", ""), ChatConcern.values)
        resident = choices.get("resident", "")
        if resident == "yes":
            return [
                f"chat.residents.by_gender_and_concern.{each}.{concern}"
                for each in _each(gender, Gender.values)
                for concern in concerns
            ]
        if resident or gender:
            return None
        return [f"chat.by_concern.{concern}" for concern in concerns]
    if kind == "support":
        return [
            f"support_centre.by_gender_and_category.{each}.{category}"
            for each in _each(gender, Gender.values)
            for category in _each(choices.get("category", ""), SupportCategory.values)
        ]
    return None


DISPOSAL_KINDS = {
    "chat": RetentionKind.CHAT_CONVERSATION,
    "support": RetentionKind.SUPPORT_CENTRE_CASE,
}


def counted(
    unit: Unit,
    kind: str,
    metrics: list[str],
    start: datetime.date | None,
    end: datetime.date | None,
) -> tuple[int, datetime.date | None]:
    """The sum of the unit's counts of these metrics over the days from `start` to `end`
    (inclusive; None: without that bound), the whole months from the monthly counts and the days
    at the edges from the daily ones; and the latest day whose records of this kind a disposal of
    the unit's organisation deleted (up to it, the counts hold more than the records).

    One statement, written out: a page asks it on every request, and building the same as three
    ORM queries cost more than running them."""
    # Whole months from `first` (inclusive) to `last` (exclusive); None: without bound.
    first = start if start is None or start.day == 1 else _first_of_next_month(start)
    last = None
    if end is not None:
        last = end + ONE_DAY if (end + ONE_DAY).day == 1 else end.replace(day=1)
    day = connection.ops.adapt_datefield_value
    of_metrics = f"unit_id = %s AND metric IN ({', '.join(['%s'] * len(metrics))})"
    months_sql, months_params = "0", []
    edges: list[tuple[datetime.date | None, datetime.date | None]] = []  # [from, to)
    if first is not None and last is not None and first >= last:
        edges.append((start, end + ONE_DAY))  # within a month or two part months: days only
    else:
        months_sql = (
            f"SELECT COALESCE(SUM(n), 0) FROM {MonthlyCount._meta.db_table} WHERE {of_metrics}"
        )
        months_params = [unit.pk, *metrics]
        if first is not None:
            months_sql += " AND month >= %s"
            months_params.append(day(first))
        if last is not None:
            months_sql += " AND month < %s"
            months_params.append(day(last))
        months_sql = f"({months_sql})"
        if start is not None and start < first:
            edges.append((start, first))
        if end is not None and last <= end:
            edges.append((last, end + ONE_DAY))
    days_sql, days_params = "0", []
    if edges:
        days_sql = (
            f"(SELECT COALESCE(SUM(n), 0) FROM {DailyCount._meta.db_table} WHERE {of_metrics} AND ("
            + " OR ".join("(day >= %s AND day < %s)" for _edge in edges)
            + "))"
        )
        days_params = [unit.pk, *metrics, *(day(bound) for edge in edges for bound in edge)]
    disposal_sql = (
        f"(SELECT MAX(last_entry) FROM {Disposal._meta.db_table} "
        "WHERE organisation_id = %s AND kind = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {months_sql} + {days_sql}, {disposal_sql}",
            [*months_params, *days_params, unit.organisation_id, DISPOSAL_KINDS[kind]],
        )
        total, disposed = cursor.fetchone()
    if isinstance(disposed, str):  # SQLite gives dates as text
        disposed = datetime.date.fromisoformat(disposed)
    return int(total), disposed


def _first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
