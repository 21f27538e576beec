"""Where rows come from: a file on disk (CSV or XLSX), a file held in memory (the web
application's upload) or rows already in memory (the API's batches). `read_rows` yields
(line number, list of raw cells) after checking the header."""

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from samverkan.records.cells import read_text
from samverkan.records.imports.errors import ImportFailed, RowError


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


# Reading files: both yield (line number, list of raw cells) after checking the header.


def _text_handle(source: Source) -> io.TextIOBase:
    # surrogateescape keeps reading past a byte that is not UTF-8, so it can be reported with its
    # line and column instead of stopping the whole check at the first one.
    if isinstance(source, Upload):
        return io.TextIOWrapper(
            io.BytesIO(source.content), encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
    return source.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


def _csv_rows(source: Source, columns: list[str], required: int) -> Iterator[tuple[int, list[Any]]]:
    with _text_handle(source) as handle:
        reader = csv.reader(handle, strict=True)
        line = 1
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFailed([RowError(1, "-", _("the file is empty"))]) from None
        except csv.Error as error:
            raise ImportFailed([RowError(1, "-", str(error))]) from None
        missing = _check_header(header, columns, required)
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
                yield start, _padded(row, columns, missing)


def _xlsx_rows(
    source: Source, columns: list[str], required: int
) -> Iterator[tuple[int, list[Any]]]:
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
        header = [read_text(cell) for cell in header_row]
        while header and not header[-1]:
            header.pop()
        missing = _check_header(header, columns, required)
        for line, row in enumerate(rows, start=2):
            # A boolean cell would be equal to 1 or 0 where values are looked up: make it text.
            cells = [str(cell).upper() if isinstance(cell, bool) else cell for cell in row]
            while len(cells) > len(columns) and cells[-1] in (None, ""):
                cells.pop()
            if all(cell in (None, "") for cell in cells):
                continue
            yield line, _padded(cells, columns, missing)
    finally:
        workbook.close()


def _check_header(header: list[str], columns: list[str], required: int) -> int:
    """Check the header; return how many of the last, optional columns it leaves out (a file
    written before they were added)."""
    header = [name.strip().lower() for name in header]
    if required <= len(header) < len(columns) and header == columns[: len(header)]:
        return len(columns) - len(header)
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
    return 0


def _padded(row: list[Any], columns: list[str], missing: int) -> list[Any]:
    """A row of a file without the last `missing` columns, with them empty."""
    if missing and len(row) == len(columns) - missing:
        return [*row, *([""] * missing)]
    return row


def read_rows(
    source: Source, columns: list[str], required: int | None = None
) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a source after its header, as (line number, cells). `required`: how many of
    the columns a header must have at least; the rest are optional, and a file without them
    reads as if their cells were empty."""
    if isinstance(source, Rows):
        return enumerate(source.rows, start=2)
    required = len(columns) if required is None else required
    suffix = source.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(source, columns, required)
    if suffix == ".xlsx":
        return _xlsx_rows(source, columns, required)
    raise ImportFailed([RowError(1, "-", _("only .csv and .xlsx files can be imported"))])


def source_digest(source: Source) -> str:
    if isinstance(source, Rows):
        return hashlib.sha256(repr(source.rows).encode()).hexdigest()
    if isinstance(source, Upload):
        return hashlib.sha256(source.content).hexdigest()
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
