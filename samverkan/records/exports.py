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
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import User
from samverkan.records import selectors
from samverkan.records.imports import KINDS
from samverkan.records.models import (
    ChatConversation,
    ClinicClient,
    ClinicSession,
    SupportCentreCase,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _key(related: Model | None) -> str:
    return related.key if related is not None else ""  # type: ignore[attr-defined]


def _chat_row(record: ChatConversation) -> list[Any]:
    return [
        record.ref or "",
        timezone.localtime(record.started_at).strftime("%Y-%m-%d %H:%M:%S"),
        record.resident,
        _key(record.district),
        record.gender,
        record.age if record.age is not None else "",
        record.concern,
        ";".join(record.violence_forms),
        _key(record.referred_to),
    ]


def _support_row(record: SupportCentreCase) -> list[Any]:
    return [
        record.ref or "",
        record.received_on.isoformat(),
        record.gender,
        record.age if record.age is not None else "",
        record.category,
        "yes" if record.screened else "no",
        record.screening_answer or "",
        _key(record.referred_to),
    ]


def _clinic_row(record: ClinicClient) -> list[Any]:
    return [
        record.ref or "",
        record.first_visit.isoformat(),
        record.gender,
        record.age if record.age is not None else "",
        record.resident,
        record.concern,
        record.came_via or "",
        record.closed_on.isoformat() if record.closed_on else "",
        record.closure or "",
    ]


def _clinic_session_row(session: ClinicSession) -> list[Any]:
    return [session.client.ref or "", session.date.isoformat()]


EXPORTS: dict[str, tuple[str, Callable[[User], QuerySet], Callable[[Any], list[Any]]]] = {
    # export: (import kind whose columns are used, the user's records, one row)
    "chat": ("chat", selectors.chat_conversations_for_user, _chat_row),
    "support": ("support-centre", selectors.support_centre_cases_for_user, _support_row),
    "clinic": ("clinic-clients", selectors.clinic_clients_for_user, _clinic_row),
    # A clinic's sessions are a file of their own, as in the import: one row per session, its
    # client named by reference (imported after the clients).
    "clinic_sessions": ("clinic-sessions", selectors.clinic_sessions_for_user, _clinic_session_row),
}
# What each list page offers to export: its records and, for the clinic, the sessions too.
PAGE_EXPORTS = {"chat": ["chat"], "support": ["support"], "clinic": ["clinic", "clinic_sessions"]}


def _rows(
    user: User, kind: str, *, encrypted: bool = False
) -> tuple[list[str], Iterable[list[Any]], int]:
    import_kind, records_for_user, row = EXPORTS[kind]
    records = records_for_user(user).order_by("pk")
    count = records.count()
    log_action(
        "records.exported_encrypted" if encrypted else "records.exported", user=user, count=count
    )
    rows = ([neutralise(value) for value in row(record)] for record in records.iterator(2000))
    return KINDS[import_kind].columns, rows, count


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
