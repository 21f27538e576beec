"""The web application's import: check an uploaded file, show every bad row, then import it all
or nothing once the user confirms.

Between the preview and the confirmation the file is kept in Django's cache (shared Redis in
production), encrypted with a key that only the user's page holds (a hidden field of the
confirmation form): the server keeps no readable copy of a file of records, on disk or in memory
it could spill, and the user need not choose the file again. The cache entry expires after
KEEP_SECONDS; its key is the file's SHA-256, so confirming checks the content is what was
previewed.
"""

import csv
import hashlib
import io
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.core.cache import cache
from django.utils.translation import gettext as _

from samverkan.accounts.models import User
from samverkan.core.errors import SamverkanError
from samverkan.records.imports import (
    ImportFailed,
    ImportResult,
    RowError,
    Upload,
    records_import,
)
from samverkan.records.kinds import FILES, KINDS

KEEP_SECONDS = 30 * 60
MAX_BYTES = 50 * 1024 * 1024

# Which files each staff page takes: the files of its kind of record (a clinic has its clients
# and their sessions).
PAGE_IMPORT_KINDS = {kind.name: [file.name for file in kind.files] for kind in KINDS.values()}


@dataclass(frozen=True)
class Preview:
    kind: str
    sha256: str
    key: str  # to decrypt the kept file: goes into the confirmation form, nowhere else
    result: ImportResult | None
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _cache_key(user: User, sha256: str) -> str:
    return f"records-upload:{user.pk}:{sha256}"


def upload_preview(*, user: User, kind: str, upload: Upload) -> Preview:
    """Check the file as an import would (nothing is kept) and hold it, encrypted, for the
    confirmation."""
    sha256 = hashlib.sha256(upload.content).hexdigest()
    errors: list[RowError] = []
    result = None
    try:
        result = records_import(kind=kind, path=upload, unit=user.unit, by=user, dry_run=True)
    except ImportFailed as failed:
        errors = failed.errors
    key = ""
    if not errors:
        key = Fernet.generate_key().decode()
        sealed = Fernet(key).encrypt(upload.content)
        cache.set(_cache_key(user, sha256), (upload.name, sealed), KEEP_SECONDS)
    return Preview(kind=kind, sha256=sha256, key=key, result=result, errors=errors)


def upload_confirm(*, user: User, kind: str, sha256: str, key: str) -> ImportResult:
    """Import the file previewed, all or nothing; ImportFailed if it no longer passes (e.g. a
    colleague imported the same refs meanwhile)."""
    kept = cache.get(_cache_key(user, sha256))
    if kept is None:
        raise SamverkanError(
            _("The checked file is no longer kept (after 30 minutes): upload it again.")
        )
    name, sealed = kept
    try:
        content = Fernet(key.encode()).decrypt(sealed)
    except (InvalidToken, ValueError):
        raise SamverkanError(_("The checked file could not be opened: upload it again.")) from None
    if hashlib.sha256(content).hexdigest() != sha256:
        raise SamverkanError(_("The checked file could not be opened: upload it again."))
    result = records_import(kind=kind, path=Upload(name, content), unit=user.unit, by=user)
    cache.delete(_cache_key(user, sha256))
    return result


def template_csv(kind: str) -> str:
    """An empty file of the kind: its header row, in the form the import reads."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(FILES[kind].names)
    return "\ufeff" + buffer.getvalue()


def template_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind)
    sheet.append(FILES[kind].names)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
