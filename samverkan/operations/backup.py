"""Backup and restore of the whole database, with proof that the restored data are the data
that were backed up.

A backup is one gzip'd tar file: the database (SQLite: a consistent copy made with SQLite's
online backup API; PostgreSQL: `pg_dump --format=custom`) and `manifest.json` — the engine, the
applied migrations, row counts per table and a digest of the statistics of every year with data.
The manifest describes the dump itself, taken under load: on PostgreSQL it is computed in the
transaction whose snapshot pg_dump exports and dumps (`pg_dump --snapshot`); on SQLite it is
computed from the copy. (Computed beforehand, in another snapshot, backups taken while the API
wrote were refused by restore: issue 14.)

`restore` checks before it replaces anything: the backup must belong to the code's migrations
and engine, and its dump, restored into a scratch database (SQLite: the extracted file;
PostgreSQL: a database created for the check and dropped after it), must give the manifest's
row counts and statistics. Only then is the target's content replaced (PostgreSQL: in one
transaction), and checked once more. The target may be a fresh, empty database: the dump
brings the schema with it, so nothing needs migrating first.

Backups hold the records: store them as the records themselves are protected (encrypted disk,
restricted access), and dispose of them by the same retention rules.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError

FORMAT = 1
SKIPPED_TABLES = {"django_session"}


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    migrations: list[list[str]]
    row_counts: dict[str, int]
    statistics_digest: str

    def as_json(self) -> bytes:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=1, sort_keys=True).encode()


def _engine() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def _migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _row_counts() -> dict[str, int]:
    return {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.db_table not in SKIPPED_TABLES and not model._meta.proxy
    }


def statistics_digest() -> str:
    """SHA-256 over the exact (internal) figures of every partnership for every calendar year
    that has data: equal digests, equal statistics."""
    from samverkan.partnership.models import Partnership
    from samverkan.statistics.engine import INTERNAL, statistics_compute
    from samverkan.statistics.models import MonthlyCount

    span = MonthlyCount.objects.aggregate(first=Min("month"), last=Max("month"))
    digest = hashlib.sha256()
    for partnership in Partnership.objects.order_by("key"):
        if span["first"] is None:
            break
        for year in range(span["first"].year, span["last"].year + 1):
            figures = statistics_compute(
                partnership=partnership,
                date_from=datetime.date(year, 1, 1),
                date_to=datetime.date(year, 12, 31),
                disclosure=INTERNAL,
            )
            digest.update(json.dumps(figures, sort_keys=True).encode())
    return digest.hexdigest()


def manifest_now() -> Manifest:
    return Manifest(
        engine=_engine(),
        created_at=timezone.now().isoformat(timespec="seconds"),
        migrations=_migrations(),
        row_counts=_row_counts(),
        statistics_digest=statistics_digest(),
    )


def backup(path: Path) -> Manifest:
    """Write a backup of the database to `path` (a .tar.gz); returns its manifest, which
    describes exactly the data in the dump."""
    engine = _engine()
    with tempfile.TemporaryDirectory(prefix="samverkan-backup-") as work:
        dump = Path(work) / _dump_name(engine)
        if engine == "sqlite":
            _sqlite_backup(dump)
            with database_at(NAME=str(dump)):
                manifest = manifest_now()
        elif engine == "postgresql":
            manifest = _pg_dump_in_one_snapshot(dump)
        else:
            raise SamverkanError(_("Backups support SQLite and PostgreSQL only."))
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=dump.name)
            info = tarfile.TarInfo("manifest.json")
            data = manifest.as_json()
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        os.chmod(partial, 0o600)  # it holds the records
        partial.replace(path)  # a backup file is either whole or absent
    return manifest


def _pg_dump_in_one_snapshot(dump: Path) -> Manifest:
    """The manifest and the dump from one snapshot: this transaction exports its snapshot,
    pg_dump reads the same one while the manifest is computed in it."""
    if connection.in_atomic_block:
        raise SamverkanError(_("A backup cannot be taken inside a transaction."))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        dumping = _pg_start(
            "pg_dump",
            [
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "--file",
                str(dump),
            ],
        )
        try:
            manifest = manifest_now()
        finally:
            _pg_finish("pg_dump", dumping)  # the snapshot must live until pg_dump has it all
    return manifest


def read_manifest(path: Path) -> Manifest:
    with tarfile.open(path, "r:gz") as archive:
        try:
            data = json.loads(archive.extractfile("manifest.json").read())
        except KeyError as error:
            raise SamverkanError(
                _("%(path)s is not a Samverkan backup: it has no manifest.") % {"path": path}
            ) from error
    if data.pop("format", None) != FORMAT:
        raise SamverkanError(_("%(path)s is a backup of an unknown format.") % {"path": path})
    return Manifest(**data)


def restore_check(path: Path) -> Manifest:
    """The backup's manifest, if this code and database can take it (engine, migrations)."""
    manifest = read_manifest(path)
    if manifest.engine != _engine():
        raise SamverkanError(
            _("The backup is of a %(backup)s database; this one is %(this)s.")
            % {"backup": manifest.engine, "this": _engine()}
        )
    if {tuple(pair) for pair in manifest.migrations} != _code_migrations():
        raise SamverkanError(
            _(
                "The backup was made with other migrations than this version has: restore it "
                "with the version that made it, then upgrade."
            )
        )
    return manifest


def restore(path: Path) -> Manifest:
    """Replace the database's content with the backup's, after proving in a scratch database
    that the backup gives its manifest's row counts and statistics; then prove it again.

    Run it with the application stopped. Raises SamverkanError, with the database as it was, if
    the backup belongs to other migrations or another engine or does not give its manifest's
    figures."""
    manifest = restore_check(path)
    with tempfile.TemporaryDirectory(prefix="samverkan-restore-") as work:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.getmember(_dump_name(manifest.engine))
            dump = Path(work) / member.name
            with archive.extractfile(member) as source, dump.open("wb") as target:
                shutil.copyfileobj(source, target)
        with _scratch_database(dump):
            _compare(manifest, manifest_now(), before=True)
        if manifest.engine == "sqlite":
            _sqlite_restore(dump)
        else:
            _pg(
                "pg_restore",
                ["--clean", "--if-exists", "--no-owner", "--single-transaction"],
                str(dump),
            )
    connection.close()  # cached state of the old content must not survive
    _compare(manifest, manifest_now(), before=False)
    return manifest


def _code_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _compare(expected: Manifest, found: Manifest, *, before: bool) -> None:
    differences = [
        f"{table}: {count} → {found.row_counts.get(table)}"
        for table, count in sorted(expected.row_counts.items())
        if found.row_counts.get(table) != count
    ]
    if differences:
        message = _("The backup does not give the row counts of its manifest (%(tables)s).") % {
            "tables": "; ".join(differences[:5])
        }
    elif found.statistics_digest != expected.statistics_digest:
        message = _("The restored database gives other statistics than the backup recorded.")
    else:
        return
    if before:
        message = f"{message} " + _("Nothing was changed.")
    raise SamverkanError(message)


@contextlib.contextmanager
def database_at(**changes: str) -> Iterator[None]:
    """Within the block, this thread's default database is another one (its settings with
    these changes, e.g. NAME): everything that queries it, the statistics too, reads there."""
    original = connections[DEFAULT_DB_ALIAS]
    other = type(original)({**original.settings_dict, **changes}, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = other
    try:
        yield
    finally:
        other.close()
        connections[DEFAULT_DB_ALIAS] = original


@contextlib.contextmanager
def _scratch_database(dump: Path) -> Iterator[None]:
    """The dump as a database of its own, for checking it before anything is replaced."""
    if _engine() == "sqlite":
        with database_at(NAME=str(dump)):
            yield
        return
    name = f"samverkan_restore_check_{secrets.token_hex(4)}"
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    except Exception as error:
        raise SamverkanError(
            _(
                "restore checks the backup in a scratch database before it replaces anything, "
                "and could not create one (%(error)s): give the database user the right to "
                "create databases (ALTER ROLE ... CREATEDB). Nothing was changed."
            )
            % {"error": type(error).__name__}
        ) from error
    try:
        _pg(
            "pg_restore",
            ["--no-owner", "--no-privileges", "--single-transaction"],
            str(dump),
            database=name,
        )
        with database_at(NAME=name):
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _dump_name(engine: str) -> str:
    return "database.sqlite3" if engine == "sqlite" else "database.pgdump"


def _sqlite_backup(target: Path) -> None:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)  # consistent even while others write
    finally:
        destination.close()


def _sqlite_restore(source_path: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(source_path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _pg_bin(program: str) -> str:
    found = shutil.which(program)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"))
    if not candidates:
        raise SamverkanError(
            _("%(program)s was not found: install PostgreSQL's client programs.")
            % {"program": program}
        )
    return str(candidates[-1])


# libpq's connection parameters that DATABASE_URL's query string may carry (OPTIONS).
_LIBPQ_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslcrl",
    "connect_timeout",
    "target_session_attrs",
    "application_name",
    "options",
    "service",
    "passfile",
}


def _conninfo_value(value: str) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def pg_conninfo(database: str | None = None) -> str:
    """The configured database as a libpq connection string, with only what DATABASE_URL gave:
    without a host (`postgres://user@/name`) libpq takes PGHOST or the local socket, as
    the application's own connections do; never localhost:5432 in their stead."""
    settings = connection.settings_dict
    values = {
        "dbname": database or settings["NAME"],
        "host": settings.get("HOST"),
        "port": settings.get("PORT"),
        "user": settings.get("USER"),
    }
    for key, value in (settings.get("OPTIONS") or {}).items():
        if key in _LIBPQ_OPTIONS and isinstance(value, str | int):
            values[key] = value
    return " ".join(f"{key}={_conninfo_value(value)}" for key, value in values.items() if value)


def _pg_command(
    program: str, options: list[str], positional: tuple[str, ...], database: str | None
):
    settings = connection.settings_dict
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return [_pg_bin(program), *options, "--dbname", pg_conninfo(database), *positional], env


def _pg_start(program: str, options: list[str], *positional: str, database: str | None = None):
    command, env = _pg_command(program, options, positional, database)
    return subprocess.Popen(  # noqa: S603 - a fixed program; arguments from settings
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def _pg_finish(program: str, process: subprocess.Popen) -> None:
    _, error = process.communicate()
    if process.returncode != 0:
        raise SamverkanError(
            _("%(program)s failed: %(error)s")
            % {"program": program, "error": error.strip()[-2000:]}
        )


def _pg(program: str, options: list[str], *positional: str, database: str | None = None) -> None:
    """Run pg_dump or pg_restore against the configured database (or another on its server)."""
    _pg_finish(program, _pg_start(program, options, *positional, database=database))
