"""A unit's own records as CSV or XLSX, in the columns of the import: an export can be read back.

Every value is neutralised so that no cell can run as a spreadsheet formula (a text starting with
=, +, -, @, tab or carriage return gets a leading apostrophe, as OWASP advises for CSV injection),
and every export is audited with the number of records it held and whether it was encrypted.

An export can be encrypted with a password given at export: the XLSX workbook is encrypted with
Office's own standard encryption (ECMA-376 Agile: AES-256, SHA-512, 100,000 key-derivation rounds)
by msoffcrypto-tool, so Excel and LibreOffice open it after asking for the password, with no
extra program. (An AES ZIP would need 7-Zip on the municipality's desktops: Windows opens only
the broken ZipCrypto.) The password is an argument of one function call, never stored or logged.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import User
from samverkan.records.kinds import EXPORTS, KINDS, cell_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# What each list page offers to export: the files of its kind of record (records.kinds), e.g.
# the clinic's clients and, as a file of their own, their sessions.
PAGE_EXPORTS = {kind.name: [file.export for file in kind.files] for kind in KINDS.values()}


def export_choices(kind: str) -> list[tuple[str, str]]:
    """The page's exports with their labels, for the export form."""
    return [(file.export, file.export_label or file.export) for file in KINDS[kind].files]


def _rows(
    user: User, kind: str, *, encrypted: bool = False
) -> tuple[list[str], Iterable[list[Any]], int]:
    file = EXPORTS[kind]
    records = file.records_for_user(user).order_by("pk")
    count = records.count()
    log_action(
        "records.exported_encrypted" if encrypted else "records.exported", user=user, count=count
    )
    rows = (
        [neutralise(cell_text(cell)) for cell in file.cells(file.row(record))]
        for record in records.iterator(2000)
    )
    return file.names, rows, count


def records_export_csv(*, user: User, kind: str) -> Iterator[str]:
    """Lines of a UTF-8 CSV file, streamed (a chat unit may have many records)."""
    columns, rows, _count = _rows(user, kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield "\ufeff" + line(columns)  # the BOM makes spreadsheet programs read UTF-8 (å ä ö)
    for values in rows:
        yield line(values)


def records_export_xlsx(*, user: User, kind: str, password: str | None = None) -> bytes:
    """The workbook; with a password, encrypted with it (see the module's docstring)."""
    from openpyxl import Workbook

    columns, rows, _count = _rows(user, kind, encrypted=bool(password))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind)
    sheet.append(columns)
    for values in rows:
        sheet.append(values)
    output = io.BytesIO()
    workbook.save(output)
    if not password:
        return output.getvalue()
    return encrypt_workbook(output.getvalue(), password)


def encrypt_workbook(workbook: bytes, password: str) -> bytes:
    """An XLSX workbook encrypted with the password, as Excel itself encrypts one."""
    from msoffcrypto.format.ooxml import OOXMLFile

    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(workbook)).encrypt(password, encrypted)
    return encrypted.getvalue()
