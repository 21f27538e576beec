"""The command line's way out: a problem the user can act on is one clear line and exit code 2.

`samverkan stats` on a fresh var/ used to end in a traceback about a missing table, and
`samverkan report ... -o missing/folder/file.pdf` in `FileNotFoundError`. Every command runs
through `run` (samverkan/__main__.py), which turns these into a sentence that says what to do:

- a database without the application's tables: run `samverkan migrate` (or `samverkan demo`);
- a file or folder that cannot be read or written: its path and why (no such file or folder,
  permission denied, a folder where a file was expected, ...);
- a file that is not UTF-8 text, or not the archive (backup, XLSX) it should be.

Anything else is a fault of the program and keeps its traceback. `--traceback` shows the
traceback of these too.
"""

import errno
import os
import sys
import tarfile
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

USER_ERROR = 2
"""The exit code of a problem with the database's tables or with a file: the user can mend it."""


def _missing_table(error: BaseException) -> bool:
    """An error that says a table does not exist (SQLite, PostgreSQL)."""
    seen: BaseException | None = error
    while seen is not None:
        if getattr(seen, "sqlstate", None) == "42P01":  # psycopg's UndefinedTable
            return True
        text = str(seen)
        if text.startswith("no such table") or (
            text.startswith("relation ") and "does not exist" in text
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _reason(error: OSError) -> str:
    reasons = {
        errno.ENOENT: _("no such file or folder"),
        errno.EACCES: _("permission denied"),
        errno.EPERM: _("permission denied"),
        errno.EISDIR: _("it is a folder, not a file"),
        errno.ENOTDIR: _("a part of the path is not a folder"),
        errno.ENOSPC: _("the disk is full"),
        errno.EROFS: _("the file system is read-only"),
    }
    return reasons.get(error.errno, error.strerror or str(error))


def message_for(error: BaseException) -> str | None:
    """The one line for an error the user can mend, or None for a fault of the program."""
    from django.db import DatabaseError

    if isinstance(error, DatabaseError) and _missing_table(error):
        return _(
            "The database has no tables yet: run `samverkan migrate` (or `samverkan demo` for "
            "the demonstration data)."
        )
    if isinstance(error, tarfile.TarError | zipfile.BadZipFile):
        return _(
            "A file could not be read: it is damaged or not of the kind expected (%(reason)s)."
        ) % {"reason": error}
    if isinstance(error, UnicodeDecodeError):
        return _("The file is not UTF-8 text (%(reason)s).") % {"reason": error.reason}
    if isinstance(error, OSError):
        if error.filename is not None:
            folder = Path(os.fsdecode(error.filename)).parent
            if error.errno == errno.ENOENT and not folder.is_dir():
                return _("%(path)s: the folder %(folder)s does not exist.") % {
                    "path": error.filename,
                    "folder": folder,
                }
            return _("%(path)s: %(reason)s.") % {
                "path": error.filename,
                "reason": _reason(error),
            }
        return _("%(reason)s.") % {"reason": _reason(error)}
    return None


def run(argv: list[str]) -> None:
    """Django's command line, with the user's own mistakes as one line and exit code 2."""
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except Exception as error:
        line = message_for(error)
        if line is None or "--traceback" in argv:
            raise
        command = argv[1] if len(argv) > 1 else ""
        sys.stderr.write(f"samverkan {command}: {line}\n".replace("samverkan : ", "samverkan: "))
        sys.exit(USER_ERROR)
