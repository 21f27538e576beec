"""`samverkan import KIND FILE`: records from the partners' own systems, CSV or XLSX.

All or nothing: every row is checked, and if any row is bad nothing is kept and every bad row is
reported as `line N, column C: reason`. Rows whose `ref` the unit already has are skipped, so
importing the same file twice adds nothing. The file is streamed in batches, so memory stays
bounded whatever its length; the daily counts are written in the same transaction as the rows.
"""

import abc
import csv
import datetime
import functools
import hashlib
import io
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice, repeat
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import User
from samverkan.core.errors import SamverkanError
from samverkan.core.names import NameIndex
from samverkan.partnership.models import Partnership, Unit
from samverkan.records.models import (
    MAX_AGE,
    CameVia,
    ChatConcern,
    ChatConversation,
    ClinicClient,
    ClinicConcern,
    ClinicSession,
    Closure,
    Gender,
    ImportBatch,
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
    CountBuffer,
    FactGroup,
    FactGroupCounter,
    local_day,
)

BATCH_SIZE = 5000
COUNT_BUFFER_LIMIT = 200_000
CACHE_LIMIT = 10_000


@functools.lru_cache(maxsize=1)
def _today_cached(hour: int) -> datetime.date:
    return timezone.localdate()


def _today() -> datetime.date:
    # Asked for every row: computed once an hour, not once a row.
    return _today_cached(int(time.time() // 3600))


EARLIEST_DATE = datetime.date(2000, 1, 1)
_REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.reason}"


class ImportFailed(SamverkanError):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class ImportResult:
    unit: Unit
    rows_read: int = 0
    rows_added: int = 0

    @property
    def rows_skipped(self) -> int:
        return self.rows_read - self.rows_added


@dataclass(frozen=True)
class Upload:
    """A file's content held in memory (the web application's import): read like a file on
    disk, never written to one. Only the name's suffix is used."""

    name: str
    content: bytes

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix


@dataclass(frozen=True)
class Rows:
    """Rows already in memory, cells in the import's columns (the API's batches): read like the
    lines of a file after its header, line 2 being the first."""

    rows: list[list[Any]]


Source = Path | Upload | Rows


class CellError(Exception):
    """A value that cannot be read; the message says why, in words for the user."""


# Readers of single values. Each takes the raw cell (str from CSV; str, int, float, date or
# datetime from XLSX) and returns the stored value, raising CellError with a reason.


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _text(raw: Any) -> str:
    if raw.__class__ is not str:
        if raw is None:
            return ""
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        raw = str(raw)
    value = raw.strip()
    # Bytes that were not UTF-8 arrive as lone surrogates (see _csv_rows).
    if not value.isascii() and _UNDECODABLE.search(value):
        raise CellError(_("not valid UTF-8 text"))
    return value


def _choice(values: list[str], *, default: str | None) -> Callable[[Any], str | None]:
    allowed = frozenset(values)
    listing = ", ".join(values)

    def read(raw: Any) -> str | None:
        value = _text(raw).lower()
        if not value:
            if default is None:
                raise CellError(_("a value is required: one of %(values)s") % {"values": listing})
            return default or None
        if value not in allowed:
            raise CellError(
                _("%(value)r is not one of %(values)s") % {"value": value, "values": listing}
            )
        return value

    return read


def _age(raw: Any) -> int | None:
    value = _text(raw)
    if not value:
        return None
    try:
        age = int(value)
    except ValueError:
        raise CellError(_("%(value)r is not a whole number of years") % {"value": value}) from None
    if not 1 <= age <= MAX_AGE:
        raise CellError(_("age %(age)d is outside 1 to %(max)d") % {"age": age, "max": MAX_AGE})
    return age


def _check_date_range(day: datetime.date) -> None:
    if day < EARLIEST_DATE:
        raise CellError(_("%(date)s is before 2000") % {"date": day.isoformat()})
    if day > _today():
        raise CellError(_("%(date)s lies in the future") % {"date": day.isoformat()})


def _date(raw: Any, *, required: bool) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        day = raw.date()
    elif isinstance(raw, datetime.date):
        day = raw
    else:
        value = _text(raw)
        if not value:
            if required:
                raise CellError(_("a date is required (YYYY-MM-DD)"))
            return None
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise CellError(_("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}) from None
    _check_date_range(day)
    return day


def _required_date(raw: Any) -> datetime.date:
    day = _date(raw, required=True)
    assert day is not None
    return day


def _optional_date(raw: Any) -> datetime.date | None:
    return _date(raw, required=False)


def _datetime(raw: Any) -> datetime.datetime:
    if raw.__class__ is str:
        # The common case first: a well-formed local time, as most files have on every row.
        try:
            moment = datetime.datetime.fromisoformat(raw)
        except ValueError:
            pass
        else:
            if moment.tzinfo is None and EARLIEST_DATE <= moment.date() <= _today():
                return moment.replace(tzinfo=STOCKHOLM)
    if isinstance(raw, datetime.datetime):
        moment = raw
    else:
        value = _text(raw)
        if not value:
            raise CellError(_("a date and time is required (YYYY-MM-DD HH:MM)"))
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise CellError(
                _("%(value)r is not a date and time (YYYY-MM-DD HH:MM)") % {"value": value}
            ) from None
    if moment.tzinfo is None:
        # Times without an offset are local time where the services work.
        _check_date_range(moment.date())
        return moment.replace(tzinfo=STOCKHOLM)
    _check_date_range(local_day(moment))
    return moment


def _yes_no(raw: Any) -> bool:
    value = _text(raw).lower()
    if value in ("", "no"):
        return False
    if value == "yes":
        return True
    raise CellError(_("%(value)r is not yes or no") % {"value": value})


def read_ref(raw: Any) -> str | None:
    value = _text(raw)
    if not value:
        return None
    if not _REF_PATTERN.match(value):
        raise CellError(
            _(
                "a reference is 1 to 64 characters: letters a-z or A-Z, digits and . _ : / -, "
                "starting with a letter or digit (never a name or personal identity number)"
            )
        )
    return value


_VIOLENCE_FORMS = frozenset(ViolenceForm.values)


def _violence(raw: Any) -> tuple[str, ...]:
    value = _text(raw).lower()
    if not value:
        return ()
    forms = tuple(dict.fromkeys(part.strip() for part in value.split(";") if part.strip()))
    unknown = [form for form in forms if form not in _VIOLENCE_FORMS]
    if unknown:
        raise CellError(
            _("%(value)r is not a form of violence: use %(values)s, separated by ;")
            % {"value": unknown[0], "values": ", ".join(ViolenceForm.values)}
        )
    return forms


# Reading files: both yield (line number, list of raw cells) after checking the header.


def _text_handle(source: Source) -> io.TextIOBase:
    # surrogateescape keeps reading past a byte that is not UTF-8, so it can be reported with its
    # line and column instead of stopping the whole check at the first one.
    if isinstance(source, Upload):
        return io.TextIOWrapper(
            io.BytesIO(source.content), encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
    return source.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


def _csv_rows(source: Source, columns: list[str]) -> Iterator[tuple[int, list[Any]]]:
    with _text_handle(source) as handle:
        reader = csv.reader(handle, strict=True)
        line = 1
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFailed([RowError(1, "-", _("the file is empty"))]) from None
        except csv.Error as error:
            raise ImportFailed([RowError(1, "-", str(error))]) from None
        _check_header(header, columns)
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ImportFailed(
                    [RowError(line, "-", _("the file cannot be read as CSV: %s") % error)]
                ) from None
            start, line = line, reader.line_num + 1
            if row:
                yield start, row


def _xlsx_rows(source: Source, columns: list[str]) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(
            io.BytesIO(source.content) if isinstance(source, Upload) else source,
            read_only=True,
            data_only=True,
        )
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFailed(
            [RowError(1, "-", _("the file cannot be read as XLSX: %s") % error)]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise ImportFailed([RowError(1, "-", _("the file is empty"))])
        header = [_text(cell) for cell in header_row]
        while header and not header[-1]:
            header.pop()
        _check_header(header, columns)
        for line, row in enumerate(rows, start=2):
            # A boolean cell would be equal to 1 or 0 where values are looked up: make it text.
            cells = [str(cell).upper() if isinstance(cell, bool) else cell for cell in row]
            while len(cells) > len(columns) and cells[-1] in (None, ""):
                cells.pop()
            if all(cell in (None, "") for cell in cells):
                continue
            yield line, cells
    finally:
        workbook.close()


def _check_header(header: list[str], columns: list[str]) -> None:
    header = [name.strip().lower() for name in header]
    if header != columns:
        raise ImportFailed(
            [
                RowError(
                    1,
                    "-",
                    _("the header must be exactly: %(expected)s (found: %(found)s)")
                    % {"expected": ",".join(columns), "found": ",".join(header)},
                )
            ]
        )


def _rows(source: Source, columns: list[str]) -> Iterator[tuple[int, list[Any]]]:
    if isinstance(source, Rows):
        return enumerate(source.rows, start=2)
    suffix = source.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(source, columns)
    if suffix == ".xlsx":
        return _xlsx_rows(source, columns)
    raise ImportFailed([RowError(1, "-", _("only .csv and .xlsx files can be imported"))])


# The kinds of file.


@dataclass
class _Context:
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


_INVALID = object()
"""A cell that could not be read, in a column of read values."""


@dataclass
class _Batch:
    """Good rows of a file, column by column, with the file's line number of each."""

    lines: list[int]
    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.lines)


class _Kind(abc.ABC):
    columns: list[str]
    unit_kind: str
    readers: dict[str, Callable[[Any], Any]]

    def parse_batch(
        self, batch: list[tuple[int, list[Any]]], context: _Context
    ) -> tuple["_Batch", list[RowError]]:
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
            return _Batch(lines=[], columns={name: [] for name in self.columns}), errors
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
                        lookup[raw] = _INVALID
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
                        values.append(_INVALID)
            if problems:
                for index, raw in enumerate(raw_column):
                    if raw in problems:
                        failed.setdefault(index, []).append(
                            RowError(lines[index], name, problems[raw])
                        )
            columns.append(values)

        keep = list(range(len(lines)))
        if type(self).check is not _Kind.check:
            # Checks across columns see each row as a dict of the values that could be read.
            keep = []
            for index, values in enumerate(zip(*columns, strict=True)):
                row = {n: v for n, v in zip(self.columns, values, strict=True) if v is not _INVALID}
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
        return _Batch(lines=lines, columns=dict(zip(self.columns, columns, strict=True))), errors

    def readers_for(self, context: "_Context") -> dict[str, Callable[[Any], Any]]:
        readers = dict(self.readers)
        if "district" in readers:
            readers["district"] = _configured_key(
                context.partnership.districts.values_list("key", "name"), gettext_noop("district")
            )
        if "referred_to" in readers:
            readers["referred_to"] = _configured_key(
                context.partnership.services.values_list("key", "name"), gettext_noop("service")
            )
        return readers

    def new_caches(self) -> dict[str, dict[Any, Any]]:
        """One cache per column whose reader depends on the raw value alone (not refs or
        date-times, which are nearly all different)."""
        return {
            name: {} for name in self.columns if name not in ("ref", "client_ref", "started_at")
        }

    def check(self, values: dict[str, Any], context: _Context) -> Iterator[tuple[str, str]]:
        """Checks across columns and against configuration, of the columns that could be read
        (a missing key in `values`); yields (column, reason) for each problem."""
        return iter(())

    fact_groups: list[FactGroup] = []

    @abc.abstractmethod
    def insert(self, batch: "_Batch", context: _Context, counts: FactGroupCounter) -> int:
        """Write the batch's new records and their counts; return how many were added."""


def _configured_key(entries: Iterable[tuple[str, str]], what: str) -> Callable[[Any], str | None]:
    """A reader of a district or service of the partnership, by its key or its name, with or
    without diacritics, in any case ("Södermalm", "SÖDERMALM", "sodermalm" are one district)."""
    index = NameIndex(entries)

    def read(raw: Any) -> str | None:
        text = _text(raw)
        if not text:
            return None
        key = index.key_of(text)
        if key is None:
            raise CellError(
                _("%(key)r is not a %(what)s of the partnership (known: %(known)s)")
                % {"key": text, "what": _(what), "known": index.known or "-"}
            )
        return key

    return read


def _readable(values: dict[str, Any], *columns: str) -> bool:
    return all(column in values for column in columns)


def _existing_refs(model: type, unit_id: int, refs: list[str]) -> dict[str, int | None]:
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


def _insert_new(
    model: type, batch: _Batch, context: _Context, db_columns: dict[str, list[Any]]
) -> list[int]:
    """Insert the batch's rows whose ref is new to the unit; return their indexes.

    Refs seen earlier in the same file are errors (raised as ImportFailed); refs from earlier
    imports are skipped, so importing a file twice adds nothing.
    """
    refs = batch.columns["ref"]
    given = [ref for ref in refs if ref]
    existing = _existing_refs(model, context.unit.id, given)
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


def _keys_to_ids(column: list[str | None], ids: dict[str, int]) -> list[int | None]:
    return [ids[key] if key else None for key in column]


def _added_columns(batch: _Batch, added: list[int], names: list[str]) -> dict[str, list[Any]]:
    if len(added) == len(batch):
        return batch.columns
    return {name: [batch.columns[name][index] for index in added] for name in names}


def _datetime_adapter() -> Callable[[datetime.datetime], Any]:
    """Django's adapt_datetimefield_value, without its per-call checks on the hot path."""
    if connection.vendor == "sqlite":
        # What Django stores with USE_TZ on SQLite: naive UTC as text.
        # (isoformat of a UTC time ends in +00:00, which SQLite's text form leaves out.)
        return lambda moment: moment.astimezone(datetime.UTC).isoformat(" ")[:-6]
    return connection.ops.adapt_datetimefield_value


class _Chat(_Kind):
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
        "started_at": _datetime,
        "resident": _choice(Resident.values, default="unknown"),
        "district": None,  # bound to the partnership's districts in readers_for
        "gender": _choice(Gender.values, default="unknown"),
        "age": _age,
        "concern": _choice(ChatConcern.values, default=None),
        "violence": _violence,
        "referred_to": None,  # bound to the partnership's services in readers_for
    }

    def insert(self, batch: _Batch, context: _Context, counts: FactGroupCounter) -> int:
        if not batch:
            return 0
        columns = batch.columns
        adapt = _datetime_adapter()
        forms = ViolenceForm.values
        flags_of = {
            value: tuple(form in value for form in forms) for value in set(columns["violence"])
        }
        flags = list(zip(*(flags_of[value] for value in columns["violence"]), strict=True))
        db_columns = {
            "started_at": [adapt(moment) for moment in columns["started_at"]],
            "resident": columns["resident"],
            "district_id": _keys_to_ids(columns["district"], context.districts),
            "gender": columns["gender"],
            "age": columns["age"],
            "concern": columns["concern"],
            **{f"violence_{form}": list(flag) for form, flag in zip(forms, flags, strict=True)},
            "referred_to_id": _keys_to_ids(columns["referred_to"], context.services),
        }
        added = _insert_new(ChatConversation, batch, context, db_columns)
        added_columns = _added_columns(batch, added, self.columns)
        # Most times arrive as Stockholm time already: their date is the local day.
        days = [
            moment.date() if moment.tzinfo is STOCKHOLM else local_day(moment)
            for moment in added_columns["started_at"]
        ]
        counts.update(days, added_columns)
        return len(added)


class _SupportCentre(_Kind):
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
        "received_on": _required_date,
        "gender": _choice(Gender.values, default="unknown"),
        "age": _age,
        "category": _choice(SupportCategory.values, default=None),
        "screened": _yes_no,
        "screening_answer": _choice(ScreeningAnswer.values, default=""),
        "referred_to": None,  # bound to the partnership's services in readers_for
    }

    def check(self, values: dict[str, Any], context: _Context) -> Iterator[tuple[str, str]]:
        if _readable(values, "screened", "screening_answer") and (
            values["screening_answer"] and not values["screened"]
        ):
            yield (
                "screening_answer",
                _("an answer needs screened = yes (the question was asked)"),
            )

    def insert(self, batch: _Batch, context: _Context, counts: FactGroupCounter) -> int:
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
            "referred_to_id": _keys_to_ids(columns["referred_to"], context.services),
        }
        added = _insert_new(SupportCentreCase, batch, context, db_columns)
        added_columns = _added_columns(batch, added, self.columns)
        counts.update(added_columns["received_on"], added_columns)
        return len(added)


class _ClinicClients(_Kind):
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
        "first_visit": _required_date,
        "gender": _choice(Gender.values, default="unknown"),
        "age": _age,
        "resident": _choice(Resident.values, default="unknown"),
        "concern": _choice(ClinicConcern.values, default=None),
        "came_via": _choice(CameVia.values, default=""),
        "closed_on": _optional_date,
        "closure": _choice(Closure.values, default=""),
    }

    def check(self, values: dict[str, Any], context: _Context) -> Iterator[tuple[str, str]]:
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

    def insert(self, batch: _Batch, context: _Context, counts: FactGroupCounter) -> int:
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
        return len(_insert_new(ClinicClient, batch, context, db_columns))


class _ClinicSessions(_Kind):
    columns = ["client_ref", "date"]
    unit_kind = Unit.Kind.CLINIC
    readers = {"client_ref": read_ref, "date": _required_date}

    def check(self, values: dict[str, Any], context: _Context) -> Iterator[tuple[str, str]]:
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

    def insert(self, batch: _Batch, context: _Context, counts: FactGroupCounter) -> int:
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


KINDS: dict[str, _Kind] = {
    "chat": _Chat(),
    "clinic-clients": _ClinicClients(),
    "clinic-sessions": _ClinicSessions(),
    "support-centre": _SupportCentre(),
}


def _check_unit_kind(unit: Unit, kind: str) -> None:
    expected = KINDS[kind].unit_kind
    if unit.kind != expected:
        raise SamverkanError(
            _("Unit %(key)r is a %(kind)s; %(import)s records belong to a %(expected)s.")
            % {
                "key": unit.key,
                "kind": unit.get_kind_display(),
                "import": kind,
                "expected": Unit.Kind(expected).label,
            }
        )


def resolve_unit(kind: str, unit_key: str | None) -> Unit:
    spec = KINDS[kind]
    if unit_key:
        try:
            unit = Unit.objects.get(key=unit_key)
        except Unit.DoesNotExist:
            raise SamverkanError(_("There is no unit %(key)r.") % {"key": unit_key}) from None
        _check_unit_kind(unit, kind)
        return unit
    units = list(Unit.objects.filter(kind=spec.unit_kind, partnerships__isnull=False).distinct())
    if len(units) == 1:
        return units[0]
    if not units:
        raise SamverkanError(
            _("No unit of kind %(kind)s takes part in a partnership.")
            % {"kind": Unit.Kind(spec.unit_kind).label}
        )
    raise SamverkanError(
        _("Several units could take this file; choose one with --unit: %(keys)s")
        % {"keys": ", ".join(sorted(unit.key for unit in units))}
    )


def _partnership_of(unit: Unit, partnership_key: str | None) -> Partnership:
    partnerships = list(unit.partnerships.all())
    if partnership_key:
        for partnership in partnerships:
            if partnership.key == partnership_key:
                return partnership
        raise SamverkanError(
            _("Unit %(unit)s does not take part in partnership %(key)r.")
            % {"unit": unit.key, "key": partnership_key}
        )
    if len(partnerships) == 1:
        return partnerships[0]
    if not partnerships:
        raise SamverkanError(_("Unit %(unit)s takes part in no partnership.") % {"unit": unit.key})
    raise SamverkanError(
        _("Unit %(unit)s takes part in several partnerships; choose one with --partnership.")
        % {"unit": unit.key}
    )


def _sha256(source: Source) -> str:
    if isinstance(source, Rows):
        return hashlib.sha256(repr(source.rows).encode()).hexdigest()
    if isinstance(source, Upload):
        return hashlib.sha256(source.content).hexdigest()
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def records_import(
    *,
    kind: str,
    path: Source,
    unit_key: str | None = None,
    partnership_key: str | None = None,
    unit: Unit | None = None,
    by: User | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a file; raises ImportFailed listing every bad row, having kept nothing.

    `path` is a file on disk or an Upload held in memory. The web application passes the
    user's own `unit` and the user as `by` (audited); `dry_run` checks everything an import
    would, duplicates in the database included, and keeps nothing (the preview)."""
    if kind not in KINDS:
        raise SamverkanError(
            _("Unknown kind %(kind)r: use one of %(kinds)s")
            % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    if isinstance(path, Path) and not path.is_file():
        raise SamverkanError(_("No such file: %(path)s") % {"path": path})
    spec = KINDS[kind]
    if unit is None:
        unit = resolve_unit(kind, unit_key)
    else:
        _check_unit_kind(unit, kind)
    partnership = _partnership_of(unit, partnership_key)
    result = ImportResult(unit=unit)
    errors: list[RowError] = []
    with transaction.atomic():
        batch = ImportBatch.objects.create(unit=unit, kind=kind, sha256=_sha256(path))
        context = _Context(
            unit=unit,
            partnership=partnership,
            batch=batch,
            districts=dict(partnership.districts.values_list("key", "id")),
            services=dict(partnership.services.values_list("key", "id")),
        )
        context.caches = spec.new_caches()
        context.readers = spec.readers_for(context)
        if kind == "clinic-sessions":
            context.clients = {
                ref: (client_id, first_visit, closed_on)
                for ref, client_id, first_visit, closed_on in ClinicClient.objects.filter(
                    unit=unit
                ).values_list("ref", "id", "first_visit", "closed_on")
            }
        counts = CountBuffer()
        group_counts = FactGroupCounter(unit.id, spec.fact_groups)

        def write(raw_rows: list[tuple[int, list[Any]]]) -> None:
            batch, row_errors = spec.parse_batch(raw_rows, context)
            errors.extend(row_errors)
            try:
                result.rows_added += spec.insert(batch, context, group_counts)
            except ImportFailed as failed:
                errors.extend(failed.errors)
            # The counts are keyed by day and a few values, so they stay few whatever the
            # number of rows: write them at the end unless an unusual file makes many.
            if len(group_counts) >= COUNT_BUFFER_LIMIT:
                group_counts.spread_into(counts)
                counts.flush()

        rows = _rows(path, spec.columns)
        while raw_rows := list(islice(rows, BATCH_SIZE)):
            result.rows_read += len(raw_rows)
            write(raw_rows)
        group_counts.spread_into(counts)
        counts.flush()
        if errors:
            transaction.set_rollback(True)
            errors.sort(key=lambda error: error.line)
            raise ImportFailed(errors)
        if dry_run:
            transaction.set_rollback(True)
            return result
        batch.rows_read, batch.rows_added = result.rows_read, result.rows_added
        batch.save(update_fields=["rows_read", "rows_added"])
        log_action("records.imported", user=by, target=batch, count=result.rows_added)
    return result
