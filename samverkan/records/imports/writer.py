"""The columnar writer: a batch of good rows held column by column, and its insertion with
plain SQL (`executemany`), skipping refs the unit already has."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samverkan.partnership.models import Partnership, Unit
from samverkan.records.imports.errors import ImportFailed, RowError
from samverkan.records.models import (
    ImportBatch,
)


@dataclass
class ImportContext:
    unit: Unit
    partnership: Partnership
    batch: ImportBatch
    districts: dict[str, int] = field(default_factory=dict)
    services: dict[str, int] = field(default_factory=dict)
    clients: dict[str, tuple[int, datetime.date, datetime.date | None]] = field(
        default_factory=dict
    )
    now: datetime.datetime = field(default_factory=timezone.now)
    caches: dict[str, dict[Any, Any]] = field(default_factory=dict)
    readers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)


INVALID = object()
"""A cell that could not be read, in a column of read values."""


@dataclass
class RowBatch:
    """Good rows of a file, column by column, with the file's line number of each."""

    lines: list[int]
    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.lines)


def existing_refs(model: type, unit_id: int, refs: list[str]) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(refs), 500):
            chunk = refs[start : start + 500]
            # Plain SQL without ORDER BY: with the model's default order SQLite would walk the
            # date index of the whole unit instead of looking each ref up in the unique index.
            cursor.execute(
                f"SELECT ref, import_batch_id FROM {table} "
                f"WHERE unit_id = %s AND ref IN ({', '.join(['%s'] * len(chunk))})",
                [unit_id, *chunk],
            )
            found.update(cursor.fetchall())
    return found


def insert_new(
    model: type, batch: RowBatch, context: ImportContext, db_columns: dict[str, list[Any]]
) -> list[int]:
    """Insert the batch's rows whose ref is new to the unit; return their indexes.

    Refs seen earlier in the same file are errors (raised as ImportFailed); refs from earlier
    imports are skipped, so importing a file twice adds nothing.
    """
    refs = batch.columns["ref"]
    given = [ref for ref in refs if ref]
    existing = existing_refs(model, context.unit.id, given)
    batch_id = context.batch.id
    added: list[int] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    if not existing and len(set(given)) == len(given):
        # The usual case, a new file: every row is new and no ref repeats.
        added = list(range(len(refs)))
        refs = []
    # Earlier in this file: in this batch (seen), or in an earlier one, already in the table
    # with this import's id.
    for index, ref in enumerate(refs):
        if ref:
            if ref in existing:
                if existing[ref] == batch_id:
                    errors.append(RowError(batch.lines[index], "ref", _(_EARLIER_IN_FILE)))
                continue
            if ref in seen:
                errors.append(RowError(batch.lines[index], "ref", _(_EARLIER_IN_FILE)))
                continue
            seen.add(ref)
        added.append(index)
    if errors:
        raise ImportFailed(errors)
    if not added:
        return added
    values = [batch.columns["ref"], *db_columns.values()]
    if len(added) < len(batch):
        values = [[column[index] for index in added] for column in values]
    now = connection.ops.adapt_datetimefield_value(context.now)
    params = zip(
        repeat(context.unit.id), repeat(batch_id), repeat(now), repeat(now), *values, strict=False
    )
    fields = ["unit_id", "import_batch_id", "created_at", "updated_at", "ref", *db_columns]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({', '.join(['%s'] * len(fields))})",
            list(params),
        )
    return added


_EARLIER_IN_FILE = gettext_noop("the reference appears earlier in the same file")


def keys_to_ids(column: list[str | None], ids: dict[str, int]) -> list[int | None]:
    return [ids[key] if key else None for key in column]


def columns_of_added(batch: RowBatch, added: list[int], names: list[str]) -> dict[str, list[Any]]:
    if len(added) == len(batch):
        return batch.columns
    return {name: [batch.columns[name][index] for index in added] for name in names}


def datetime_adapter() -> Callable[[datetime.datetime], Any]:
    """Django's adapt_datetimefield_value, without its per-call checks on the hot path."""
    if connection.vendor == "sqlite":
        # What Django stores with USE_TZ on SQLite: naive UTC as text.
        # (isoformat of a UTC time ends in +00:00, which SQLite's text form leaves out.)
        return lambda moment: moment.astimezone(datetime.UTC).isoformat(" ")[:-6]
    return connection.ops.adapt_datetimefield_value
