"""Backup and restore on the database the suite runs on (SQLite, and PostgreSQL in the second
run): the restored data give the same statistics, and a backup that would not is refused."""

import contextlib
import datetime
import io
import json
import secrets
import tarfile
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from samverkan.conftest import local
from samverkan.core.errors import SamverkanError
from samverkan.operations.backup import (
    _row_counts,
    backup,
    database_at,
    pg_conninfo,
    read_manifest,
    restore,
    statistics_digest,
)
from samverkan.records import services
from samverkan.records.models import ChatConversation, SupportCentreCase

pytestmark = pytest.mark.django_db(transaction=True)


def _some_records(small) -> None:
    for day in range(1, 8):
        services.chat_conversation_create(
            unit=small.chat, started_at=local(2022, 3, day, 19), concern="victim", age=15 + day % 4
        )
    services.support_centre_case_create(
        unit=small.support_centre, received_on=datetime.date(2022, 3, 1), category="victim"
    )


def test_a_restore_brings_back_the_same_records_and_statistics(small, tmp_path):
    _some_records(small)
    digest = statistics_digest()
    path = tmp_path / "backup.tar.gz"
    manifest = backup(path)
    assert manifest.statistics_digest == digest
    assert manifest.row_counts["records_chatconversation"] == 7
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    ChatConversation.objects.all().delete()  # the day something went wrong
    services.support_centre_case_create(
        unit=small.support_centre, received_on=datetime.date(2022, 4, 1), category="witness"
    )
    assert statistics_digest() != digest

    restore(path)
    assert ChatConversation.objects.count() == 7
    assert SupportCentreCase.objects.count() == 1
    assert statistics_digest() == digest


def _rewrite_manifest(path, **changes) -> None:
    with tarfile.open(path, "r:gz") as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    manifest = json.loads(members["manifest.json"])
    manifest.update(changes)
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_a_restore_that_would_give_other_figures_says_so(small, tmp_path):
    _some_records(small)
    path = tmp_path / "backup.tar.gz"
    backup(path)
    _rewrite_manifest(path, statistics_digest="0" * 64)
    with pytest.raises(SamverkanError, match="andra siffror|other statistics"):
        restore(path)


def test_a_backup_of_other_migrations_is_refused_before_anything_changes(small, tmp_path):
    _some_records(small)
    path = tmp_path / "backup.tar.gz"
    manifest = backup(path)
    _rewrite_manifest(path, migrations=manifest.migrations[:-1])
    ChatConversation.objects.all().delete()
    with pytest.raises(SamverkanError):
        restore(path)
    assert ChatConversation.objects.count() == 0  # untouched


def test_the_commands_ask_before_replacing_and_refuse_other_files(small, tmp_path):
    _some_records(small)
    path = tmp_path / "backup.tar.gz"
    call_command("backup", "-o", str(path))
    assert read_manifest(path).row_counts["records_chatconversation"] == 7
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    call_command("restore", str(path), "--yes")
    not_a_backup = tmp_path / "other.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as archive:
        info = tarfile.TarInfo("hello.txt")
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(CommandError):
        call_command("restore", str(not_a_backup), "--yes")


def test_a_refused_restore_leaves_the_target_as_it_was(small, tmp_path):
    _some_records(small)
    path = tmp_path / "backup.tar.gz"
    manifest = backup(path)
    ChatConversation.objects.filter(age=16).delete()
    left = sorted(ChatConversation.objects.values_list("pk", flat=True))
    digest = statistics_digest()
    counts = dict(manifest.row_counts, records_chatconversation=8)
    _rewrite_manifest(path, row_counts=counts)
    with pytest.raises(SamverkanError, match="radantal|row counts") as refused:
        restore(path)
    assert "records_chatconversation: 8 → 7" in str(refused.value)
    _rewrite_manifest(path, row_counts=manifest.row_counts, statistics_digest="0" * 64)
    with pytest.raises(SamverkanError):
        restore(path)
    assert sorted(ChatConversation.objects.values_list("pk", flat=True)) == left
    assert statistics_digest() == digest


def _fresh_database(tmp_path):  # noqa: ANN202
    """A new, empty database on the same server (SQLite: a new file)."""
    if connection.vendor == "sqlite":
        return contextlib.nullcontext(str(tmp_path / "fresh.sqlite3")), None
    name = f"samverkan_fresh_{secrets.token_hex(3)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    return contextlib.nullcontext(name), name


def _drop(name) -> None:  # noqa: ANN001
    if name:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_backup_taken_during_writes_restores_into_a_fresh_database(small, tmp_path):
    _some_records(small)
    stop = threading.Event()
    written = []

    def write() -> None:
        n = 0
        try:
            while not stop.is_set():
                n += 1
                try:
                    services.chat_conversation_create(
                        unit=small.chat,
                        started_at=local(2022, 5, 1 + n % 28, 19),
                        concern="victim",
                        age=14,
                    )
                    written.append(n)
                except OperationalError:  # SQLite's in-memory test database: a table lock
                    time.sleep(0.01)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 20:
            assert writer.is_alive()
            time.sleep(0.01)
        path = tmp_path / "backup.tar.gz"
        manifest = backup(path)
        time.sleep(0.1)
    finally:
        stop.set()
        writer.join()
    taken = manifest.row_counts["records_chatconversation"]
    assert 7 + 20 <= taken < ChatConversation.objects.count()  # writes went on after it

    fresh, created = _fresh_database(tmp_path)
    try:
        with fresh as name, database_at(NAME=name):
            restore(path)
            assert ChatConversation.objects.count() == taken
            assert _row_counts() == manifest.row_counts
            assert statistics_digest() == manifest.statistics_digest
    finally:
        _drop(created)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's local socket")
def test_a_local_socket_database_url_is_honoured(small, tmp_path, monkeypatch):
    # DATABASE_URL=postgres://user@/name with PGHOST: no host, no port in the settings.
    with connection.cursor() as cursor:
        cursor.execute("SHOW unix_socket_directories")
        (sockets,) = cursor.fetchone()
        cursor.execute("SHOW port")
        (port,) = cursor.fetchone()
    monkeypatch.setenv("PGHOST", sockets.split(",")[0].strip())
    monkeypatch.setenv("PGPORT", str(port))
    _some_records(small)
    with database_at(HOST="", PORT=""):
        assert "host" not in pg_conninfo()
        manifest = backup(tmp_path / "backup.tar.gz")
        with connection.cursor() as cursor:
            cursor.execute("SELECT inet_server_addr()")  # NULL over a Unix socket
            assert cursor.fetchone() == (None,)
    assert manifest.row_counts["records_chatconversation"] == 7


def test_restore_without_yes_and_without_a_terminal_refuses_clearly(small, tmp_path):
    _some_records(small)
    path = tmp_path / "backup.tar.gz"
    call_command("backup", "-o", str(path))
    ChatConversation.objects.all().delete()
    with pytest.raises(CommandError, match="--yes") as refused:
        call_command("restore", str(path))
    assert "terminal" in str(refused.value)
    assert ChatConversation.objects.count() == 0
