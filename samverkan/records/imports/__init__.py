"""`samverkan import KIND FILE`: records from the partners' own systems, CSV or XLSX.

All or nothing: every row is checked, and if any row is bad nothing is kept and every bad row is
reported as `line N, column C: reason`. Rows whose `ref` the unit already has are skipped, so
importing the same file twice adds nothing. The file is streamed in batches, so memory stays
bounded whatever its length; the daily counts are written in the same transaction as the rows.

The package: `cells` (readers of single values), `sources` (files and in-memory rows, `read_rows`),
`writer` (good rows column by column, written with plain SQL), `kinds` (the four kinds of file)
and `run` (`records_import`, the orchestration). Callers import from the package.
"""

from samverkan.records.imports.cells import EARLIEST_DATE, read_ref
from samverkan.records.imports.errors import CellError, ImportFailed, RowError
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
