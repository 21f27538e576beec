"""The kinds of file: their columns, each column's reader, the checks across columns and how a
batch of good rows is written with its counts."""

import abc
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samverkan.partnership.models import Unit
from samverkan.records.imports.cells import (
    choice_reader,
    configured_key_reader,
    read_age,
    read_datetime,
    read_optional_date,
    read_ref,
    read_required_date,
    read_violence,
    read_yes_no,
)
from samverkan.records.imports.errors import CellError, RowError
from samverkan.records.imports.writer import (
    INVALID,
    ImportContext,
    RowBatch,
    columns_of_added,
    datetime_adapter,
    insert_new,
    keys_to_ids,
)
from samverkan.records.models import (
    CameVia,
    ChatConcern,
    ChatConversation,
    ClinicClient,
    ClinicConcern,
    ClinicSession,
    Closure,
    Gender,
    Resident,
    ScreeningAnswer,
    SupportCategory,
    SupportCentreCase,
    ViolenceForm,
)
from samverkan.statistics.counters import (
    CHAT_FACT_GROUPS,
    STOCKHOLM,
    SUPPORT_CENTRE_FACT_GROUPS,
    FactGroup,
    FactGroupCounter,
    local_day,
)

# Distinct values of a column remembered per import (files repeat a few genders, districts, ages).
CACHE_LIMIT = 10_000


class RecordKind(abc.ABC):
    columns: list[str]
    unit_kind: str
    readers: dict[str, Callable[[Any], Any]]

    def parse_batch(
        self, batch: list[tuple[int, list[Any]]], context: ImportContext
    ) -> tuple["RowBatch", list[RowError]]:
        """Read a batch of rows column by column: each distinct value of a column is read once
        (files repeat a few genders, districts, ages), the rest is list work at C speed.

        Returns the good rows, column by column, and every problem of the bad ones.
        """
        width = len(self.columns)
        errors: list[RowError] = []
        lines: list[int] = []
        cells: list[list[Any]] = []
        if all(len(row) == width for _line, row in batch):
            if batch:
                lines, cells = map(list, zip(*batch, strict=True))
            batch = []
        for line, row in batch:
            if len(row) == width:
                lines.append(line)
                cells.append(row)
            else:
                errors.append(
                    RowError(
                        line,
                        "-",
                        _("expected %(expected)d values, found %(found)d")
                        % {"expected": width, "found": len(row)},
                    )
                )
        if not cells:
            return RowBatch(lines=[], columns={name: [] for name in self.columns}), errors
        failed: dict[int, list[RowError]] = {}
        columns = []
        for name, raw_column in zip(self.columns, zip(*cells, strict=True), strict=True):
            reader = context.readers[name]
            cache = context.caches.get(name)
            problems: dict[Any, str] = {}
            if cache is not None:
                lookup: dict[Any, Any] = {}
                for raw in set(raw_column):
                    if raw in cache:
                        lookup[raw] = cache[raw]
                        continue
                    try:
                        lookup[raw] = reader(raw)
                    except CellError as error:
                        problems[raw] = str(error)
                        lookup[raw] = INVALID
                        continue
                    if len(cache) < CACHE_LIMIT:
                        cache[raw] = lookup[raw]
                values = [lookup[raw] for raw in raw_column]
            else:
                values = []
                for raw in raw_column:
                    try:
                        values.append(reader(raw))
                    except CellError as error:
                        problems[raw] = str(error)
                        values.append(INVALID)
            if problems:
                for index, raw in enumerate(raw_column):
                    if raw in problems:
                        failed.setdefault(index, []).append(
                            RowError(lines[index], name, problems[raw])
                        )
            columns.append(values)

        keep = list(range(len(lines)))
        if type(self).check is not RecordKind.check:
            # Checks across columns see each row as a dict of the values that could be read.
            keep = []
            for index, values in enumerate(zip(*columns, strict=True)):
                row = {n: v for n, v in zip(self.columns, values, strict=True) if v is not INVALID}
                for column, reason in self.check(row, context):
                    failed.setdefault(index, []).append(RowError(lines[index], column, reason))
                if index not in failed:
                    keep.append(index)
        elif failed:
            keep = [index for index in keep if index not in failed]
        for index in sorted(failed):
            errors.extend(failed[index])
        if len(keep) < len(lines):
            lines = [lines[index] for index in keep]
            columns = [[column[index] for index in keep] for column in columns]
        return RowBatch(lines=lines, columns=dict(zip(self.columns, columns, strict=True))), errors

    def readers_for(self, context: "ImportContext") -> dict[str, Callable[[Any], Any]]:
        readers = dict(self.readers)
        if "district" in readers:
            readers["district"] = configured_key_reader(
                context.partnership.districts.values_list("key", "name"), gettext_noop("district")
            )
        if "referred_to" in readers:
            readers["referred_to"] = configured_key_reader(
                context.partnership.services.values_list("key", "name"), gettext_noop("service")
            )
        return readers

    def new_caches(self) -> dict[str, dict[Any, Any]]:
        """One cache per column whose reader depends on the raw value alone (not refs or
        date-times, which are nearly all different)."""
        return {
            name: {} for name in self.columns if name not in ("ref", "client_ref", "started_at")
        }

    def check(self, values: dict[str, Any], context: ImportContext) -> Iterator[tuple[str, str]]:
        """Checks across columns and against configuration, of the columns that could be read
        (a missing key in `values`); yields (column, reason) for each problem."""
        return iter(())

    fact_groups: list[FactGroup] = []

    @abc.abstractmethod
    def insert(self, batch: "RowBatch", context: ImportContext, counts: FactGroupCounter) -> int:
        """Write the batch's new records and their counts; return how many were added."""


def _readable(values: dict[str, Any], *columns: str) -> bool:
    return all(column in values for column in columns)


class ChatKind(RecordKind):
    columns = [
        "ref",
        "started_at",
        "resident",
        "district",
        "gender",
        "age",
        "concern",
        "violence",
        "referred_to",
    ]
    unit_kind = Unit.Kind.CHAT
    fact_groups = CHAT_FACT_GROUPS
    readers = {
        "ref": read_ref,
        "started_at": read_datetime,
        "resident": choice_reader(Resident.values, default="unknown"),
        "district": None,  # bound to the partnership's districts in readers_for
        "gender": choice_reader(Gender.values, default="unknown"),
        "age": read_age,
        "concern": choice_reader(ChatConcern.values, default=None),
        "violence": read_violence,
        "referred_to": None,  # bound to the partnership's services in readers_for
    }

    def insert(self, batch: RowBatch, context: ImportContext, counts: FactGroupCounter) -> int:
        if not batch:
            return 0
        columns = batch.columns
        adapt = datetime_adapter()
        forms = ViolenceForm.values
        flags_of = {
            value: tuple(form in value for form in forms) for value in set(columns["violence"])
        }
        flags = list(zip(*(flags_of[value] for value in columns["violence"]), strict=True))
        db_columns = {
            "started_at": [adapt(moment) for moment in columns["started_at"]],
            "resident": columns["resident"],
            "district_id": keys_to_ids(columns["district"], context.districts),
            "gender": columns["gender"],
            "age": columns["age"],
            "concern": columns["concern"],
            **{f"violence_{form}": list(flag) for form, flag in zip(forms, flags, strict=True)},
            "referred_to_id": keys_to_ids(columns["referred_to"], context.services),
        }
        added = insert_new(ChatConversation, batch, context, db_columns)
        added_columns = columns_of_added(batch, added, self.columns)
        # Most times arrive as Stockholm time already: their date is the local day.
        days = [
            moment.date() if moment.tzinfo is STOCKHOLM else local_day(moment)
            for moment in added_columns["started_at"]
        ]
        counts.update(days, added_columns)
        return len(added)


class SupportCentreKind(RecordKind):
    columns = [
        "ref",
        "received_on",
        "gender",
        "age",
        "category",
        "screened",
        "screening_answer",
        "referred_to",
    ]
    unit_kind = Unit.Kind.SUPPORT_CENTRE
    fact_groups = SUPPORT_CENTRE_FACT_GROUPS
    readers = {
        "ref": read_ref,
        "received_on": read_required_date,
        "gender": choice_reader(Gender.values, default="unknown"),
        "age": read_age,
        "category": choice_reader(SupportCategory.values, default=None),
        "screened": read_yes_no,
        "screening_answer": choice_reader(ScreeningAnswer.values, default=""),
        "referred_to": None,  # bound to the partnership's services in readers_for
    }

    def check(self, values: dict[str, Any], context: ImportContext) -> Iterator[tuple[str, str]]:
        if _readable(values, "screened", "screening_answer") and (
            values["screening_answer"] and not values["screened"]
        ):
            yield (
                "screening_answer",
                _("an answer needs screened = yes (the question was asked)"),
            )

    def insert(self, batch: RowBatch, context: ImportContext, counts: FactGroupCounter) -> int:
        if not batch:
            return 0
        columns = batch.columns
        adapt_date = connection.ops.adapt_datefield_value
        db_columns = {
            "received_on": [adapt_date(day) for day in columns["received_on"]],
            "gender": columns["gender"],
            "age": columns["age"],
            "category": columns["category"],
            "screened": columns["screened"],
            "screening_answer": columns["screening_answer"],
            "referred_to_id": keys_to_ids(columns["referred_to"], context.services),
        }
        added = insert_new(SupportCentreCase, batch, context, db_columns)
        added_columns = columns_of_added(batch, added, self.columns)
        counts.update(added_columns["received_on"], added_columns)
        return len(added)


class ClinicClientsKind(RecordKind):
    columns = [
        "ref",
        "first_visit",
        "gender",
        "age",
        "resident",
        "concern",
        "came_via",
        "closed_on",
        "closure",
    ]
    unit_kind = Unit.Kind.CLINIC
    readers = {
        "ref": read_ref,
        "first_visit": read_required_date,
        "gender": choice_reader(Gender.values, default="unknown"),
        "age": read_age,
        "resident": choice_reader(Resident.values, default="unknown"),
        "concern": choice_reader(ClinicConcern.values, default=None),
        "came_via": choice_reader(CameVia.values, default=""),
        "closed_on": read_optional_date,
        "closure": choice_reader(Closure.values, default=""),
    }

    def check(self, values: dict[str, Any], context: ImportContext) -> Iterator[tuple[str, str]]:
        if _readable(values, "ref") and not values["ref"]:
            yield "ref", _("a clinic client needs the clinic's reference")
        if not _readable(values, "first_visit", "closed_on", "closure"):
            return
        if values["closed_on"] and not values["closure"]:
            yield "closure", _("a closed series needs a reason: completed or ended-early")
        if values["closure"] and not values["closed_on"]:
            yield "closed_on", _("a closure needs the date the series closed")
        if values["closed_on"] and values["closed_on"] < values["first_visit"]:
            yield "closed_on", _("the series cannot close before the first visit")

    def insert(self, batch: RowBatch, context: ImportContext, counts: FactGroupCounter) -> int:
        if not batch:
            return 0
        columns = batch.columns
        adapt_date = connection.ops.adapt_datefield_value
        db_columns = {
            "first_visit": [adapt_date(day) for day in columns["first_visit"]],
            "gender": columns["gender"],
            "age": columns["age"],
            "resident": columns["resident"],
            "concern": columns["concern"],
            "came_via": columns["came_via"],
            "closed_on": [adapt_date(day) if day else None for day in columns["closed_on"]],
            "closure": columns["closure"],
        }
        return len(insert_new(ClinicClient, batch, context, db_columns))


class ClinicSessionsKind(RecordKind):
    columns = ["client_ref", "date"]
    unit_kind = Unit.Kind.CLINIC
    readers = {"client_ref": read_ref, "date": read_required_date}

    def check(self, values: dict[str, Any], context: ImportContext) -> Iterator[tuple[str, str]]:
        if not _readable(values, "client_ref"):
            return
        ref = values["client_ref"]
        if not ref:
            yield "client_ref", _("the client's reference is required")
            return
        client = context.clients.get(ref)
        if client is None:
            yield (
                "client_ref",
                _("no client %(ref)r in this unit: import the clients first") % {"ref": ref},
            )
            return
        if not _readable(values, "date"):
            return
        _client_id, first_visit, closed_on = client
        if values["date"] < first_visit:
            yield (
                "date",
                _("the session is before the client's first visit (%(date)s)")
                % {"date": first_visit.isoformat()},
            )
        if closed_on is not None and values["date"] > closed_on:
            yield (
                "date",
                _("the session is after the series closed (%(date)s)")
                % {"date": closed_on.isoformat()},
            )

    def insert(self, batch: RowBatch, context: ImportContext, counts: FactGroupCounter) -> int:
        if not batch:
            return 0
        table = connection.ops.quote_name(ClinicSession._meta.db_table)
        adapt_date = connection.ops.adapt_datefield_value
        params = [
            (context.clients[ref][0], adapt_date(day))
            for ref, day in zip(batch.columns["client_ref"], batch.columns["date"], strict=True)
        ]
        with connection.cursor() as cursor:
            # A session is identified by its client and day: seen again, it is already there.
            cursor.executemany(
                f"INSERT INTO {table} (client_id, date) VALUES (%s, %s) "
                f"ON CONFLICT (client_id, date) DO NOTHING",
                params,
            )
            return max(cursor.rowcount, 0)


KINDS: dict[str, RecordKind] = {
    "chat": ChatKind(),
    "clinic-clients": ClinicClientsKind(),
    "clinic-sessions": ClinicSessionsKind(),
    "support-centre": SupportCentreKind(),
}
