"""Backup and restore of the whole database, with proof that the restored data give the same
statistics.

A backup is one gzip'd tar file: the database (SQLite: a consistent copy made with SQLite's
online backup API; PostgreSQL: `pg_dump --format=custom`) and `manifest.json` — the engine, the
applied migrations, row counts per table and a digest of the statistics of every year with data.
`restore` refuses a backup from other migrations than the code's, restores, and then recomputes
the digest: a restore that would give other figures says so loudly.

Backups hold the records: store them as the records themselves are protected (encrypted disk,
restricted access), and dispose of them by the same retention rules.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import connection
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
    """Write a backup of the database to `path` (a .tar.gz); returns its manifest."""
    manifest = manifest_now()
    with tempfile.TemporaryDirectory(prefix="samverkan-backup-") as work:
        dump = Path(work) / _dump_name(manifest.engine)
        if manifest.engine == "sqlite":
            _sqlite_backup(dump)
        elif manifest.engine == "postgresql":
            _pg(
                "pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(dump)]
            )
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


def restore(path: Path) -> Manifest:
    """Replace the database's content with the backup's, then prove the statistics are equal.

    Run it with the application stopped. Raises SamverkanError if the backup belongs to other
    migrations or another engine, or if the restored data give other statistics."""
    manifest = read_manifest(path)
    if manifest.engine != _engine():
        raise SamverkanError(
            _("The backup is of a %(backup)s database; this one is %(this)s.")
            % {"backup": manifest.engine, "this": _engine()}
        )
    if manifest.migrations != _migrations():
        raise SamverkanError(
            _(
                "The backup was made with other migrations than this version has applied: "
                "restore it with the version that made it, then upgrade."
            )
        )
    with tempfile.TemporaryDirectory(prefix="samverkan-restore-") as work:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.getmember(_dump_name(manifest.engine))
            dump = Path(work) / member.name
            with archive.extractfile(member) as source, dump.open("wb") as target:
                shutil.copyfileobj(source, target)
        if manifest.engine == "sqlite":
            _sqlite_restore(dump)
        else:
            _pg(
                "pg_restore",
                ["--clean", "--if-exists", "--no-owner", "--single-transaction"],
                str(dump),
            )
    connection.close()  # cached state of the old content must not survive
    restored = statistics_digest()
    if restored != manifest.statistics_digest:
        raise SamverkanError(
            _("The restored database gives other statistics than the backup recorded.")
        )
    return manifest


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


def _pg(program: str, options: list[str], *positional: str) -> None:
    """Run pg_dump or pg_restore against the configured database."""
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    target = [
        "--host",
        settings.get("HOST") or "localhost",
        "--port",
        str(settings.get("PORT") or 5432),
        "--username",
        settings.get("USER") or "postgres",
        "--dbname",
        settings["NAME"],
    ]
    result = subprocess.run(  # noqa: S603 - a fixed program; arguments from settings
        [_pg_bin(program), *options, *target, *positional],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SamverkanError(
            _("%(program)s failed: %(error)s")
            % {"program": program, "error": result.stderr.strip()[-2000:]}
        )
