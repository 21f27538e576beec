"""The kinds of file, built from their declarations (`records.kinds`: the columns in order, each
column's reader, the rules across columns): how a batch of rows is read column by column, and
how a batch of good rows is written with its counts."""

import abc
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samverkan.records.cells import CellError, configured_key_reader
from samverkan.records.imports.errors import RowError
from samverkan.records.imports.writer import (
    INVALID,
    ImportContext,
    RowBatch,
    columns_of_added,
    datetime_adapter,
    insert_new,
    keys_to_ids,
)
from samverkan.records.kinds import KINDS as RECORD_KINDS
from samverkan.records.kinds import File
from samverkan.records.models import (
    ChatConversation,
    ClinicClient,
    ClinicSession,
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
    file: File
    unit_kind: str

    def __init__(self, file: File, unit_kind: str) -> None:
        self.file = file
        self.unit_kind = unit_kind
        self.columns = file.names
        self.readers = {column.name: column.read for column in file.columns}

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
        if self.file.rules or type(self).check is not RecordKind.check:
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
        """The columns' readers, a key of the partnership's configuration bound to its own."""
        readers = dict(self.readers)
        for column in self.file.columns:
            if column.keys:
                readers[column.name] = configured_key_reader(
                    getattr(context.partnership, column.keys).values_list("key", "name"),
                    _CONFIGURED[column.keys],
                )
        return readers

    def new_caches(self) -> dict[str, dict[Any, Any]]:
        """One cache per column whose reader depends on the raw value alone and whose values
        repeat (not refs or date-times, which are nearly all different)."""
        return {column.name: {} for column in self.file.columns if column.repeats}

    def check(self, values: dict[str, Any], context: ImportContext) -> Iterator[tuple[str, str]]:
        """Checks across columns (the file's rules, records.rules) and against configuration,
        of the columns that could be read (a missing key in `values`); yields (column, reason)
        for each problem."""
        return self.file.problems(values)

    fact_groups: list[FactGroup] = []

    def stored(self, batch: "RowBatch", context: ImportContext) -> dict[str, list[Any]]:
        """The batch's columns as the table's (the reference aside, `insert_new` writes it): a
        district or service as its id, a date adapted to the database, the rest as read."""
        adapt_date = connection.ops.adapt_datefield_value
        model = self.file.model
        db_columns: dict[str, list[Any]] = {}
        for column in self.file.columns:
            if column.name == "ref":
                continue
            values = batch.columns[column.name]
            if column.keys:
                ids = getattr(context, column.keys)
                db_columns[f"{column.name}_id"] = keys_to_ids(values, ids)
            elif model._meta.get_field(column.source or column.name).get_internal_type() == (
                "DateField"
            ):
                db_columns[column.name] = [adapt_date(day) if day else None for day in values]
            else:
                db_columns[column.name] = values
        return db_columns

    @abc.abstractmethod
    def insert(self, batch: "RowBatch", context: ImportContext, counts: FactGroupCounter) -> int:
        """Write the batch's new records and their counts; return how many were added."""


def _readable(values: dict[str, Any], *columns: str) -> bool:
    return all(column in values for column in columns)


# The names of the configured keys in an error ("… is not a district of the partnership").
_CONFIGURED = {"districts": gettext_noop("district"), "services": gettext_noop("service")}


class ChatKind(RecordKind):
    fact_groups = CHAT_FACT_GROUPS

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
    fact_groups = SUPPORT_CENTRE_FACT_GROUPS

    def insert(self, batch: RowBatch, context: ImportContext, counts: FactGroupCounter) -> int:
        if not batch:
            return 0
        added = insert_new(SupportCentreCase, batch, context, self.stored(batch, context))
        added_columns = columns_of_added(batch, added, self.columns)
        counts.update(added_columns["received_on"], added_columns)
        return len(added)


class ClinicClientsKind(RecordKind):
    def insert(self, batch: RowBatch, context: ImportContext, counts: FactGroupCounter) -> int:
        if not batch:
            return 0
        return len(insert_new(ClinicClient, batch, context, self.stored(batch, context)))


class ClinicSessionsKind(RecordKind):
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


# How each file's good rows are written: the table, its columns and its counts.
_WRITERS: dict[str, type[RecordKind]] = {
    "chat": ChatKind,
    "clinic-clients": ClinicClientsKind,
    "clinic-sessions": ClinicSessionsKind,
    "support-centre": SupportCentreKind,
}
KINDS: dict[str, RecordKind] = dict(
    sorted(
        (file.name, _WRITERS[file.name](file, kind.unit_kind))
        for kind in RECORD_KINDS.values()
        for file in kind.files
    )
)
