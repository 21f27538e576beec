"""`samverkan import KIND FILE`: records from the partners' own systems, CSV or XLSX.

All or nothing: every row is checked, and if any row is bad nothing is kept and every bad row is
reported as `line N, column C: reason`. Rows whose `ref` the unit already has are skipped, so
importing the same file twice adds nothing. The file is streamed in batches, so memory stays
bounded whatever its length; the daily counts are written in the same transaction as the rows.

The package: `sources` (files and in-memory rows, `read_rows`), `writer` (good rows column by
column, written with plain SQL), `kinds` (the four kinds of file, built from their declarations
in `records.kinds`) and `run` (`records_import`, the orchestration); the readers of single values
are `records.cells`. Callers import from the package.
"""

from samverkan.records.cells import EARLIEST_DATE, CellError, read_ref
from samverkan.records.imports.errors import ImportFailed, RowError
from samverkan.records.imports.kinds import KINDS, RecordKind
from samverkan.records.imports.run import ImportResult, records_import, resolve_unit
from samverkan.records.imports.sources import Rows, Source, Upload, read_rows

__all__ = [
    "EARLIEST_DATE",
    "KINDS",
    "CellError",
    "ImportFailed",
    "ImportResult",
    "RecordKind",
    "RowError",
    "Rows",
    "Source",
    "Upload",
    "read_ref",
    "read_rows",
    "records_import",
    "resolve_unit",
]
