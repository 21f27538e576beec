"""Backup and restore on the database the suite runs on (SQLite, and PostgreSQL in the second
run): the restored data give the same statistics, and a backup that would not is refused."""

import datetime
import io
import json
import tarfile

import pytest
from django.core.management import CommandError, call_command

from samverkan.conftest import local
from samverkan.core.errors import SamverkanError
from samverkan.operations.backup import backup, read_manifest, restore, statistics_digest
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
