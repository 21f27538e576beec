"""The command line's errors the user can mend: one clear line, exit code 2, no traceback."""

import subprocess
import sys

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from samverkan.core.commands import USER_ERROR, message_for, run

pytestmark = pytest.mark.django_db


def test_a_command_on_a_database_without_tables_says_to_migrate(tmp_path):
    """The real console script on a fresh var/ (an SQLite file with no tables yet)."""
    env = {"SAMVERKAN_VAR_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "samverkan", "stats", "--from", "2024-01-01", "--to", "2024-12-31"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "samverkan stats: Databasen har inga tabeller ännu: kör `samverkan migrate` "
        "(eller `samverkan demo` för demonstrationsdata).\n"
    )


def test_a_missing_table_is_recognised_on_this_database():
    """SQLite says "no such table", PostgreSQL "relation ... does not exist" (42P01)."""
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM samverkan_no_such_table")
    with translation.override("en"):
        assert message_for(raised.value) == (
            "The database has no tables yet: run `samverkan migrate` (or `samverkan demo` for "
            "the demonstration data)."
        )


def test_another_database_error_keeps_its_traceback():
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELEKT 1")
    assert message_for(raised.value) is None


def test_a_report_into_a_folder_that_does_not_exist_is_one_line(small, tmp_path, capsys):
    target = tmp_path / "no" / "such" / "folder" / "report.html"
    with pytest.raises(SystemExit) as raised, translation.override("sv"):
        run(
            [
                "samverkan",
                "report",
                "interim",
                "--from",
                "2024-01-01",
                "--to",
                "2024-06-30",
                "--format",
                "html",
                "-o",
                str(target),
            ]
        )
    assert raised.value.code == USER_ERROR
    err = capsys.readouterr().err
    assert err == (f"samverkan report: {target}: mappen {target.parent} finns inte.\n")


def test_a_file_to_import_that_cannot_be_read_is_one_line(small, tmp_path, capsys):
    """The import says so itself (exit code 1, as for a file with bad rows)."""
    folder = tmp_path / "chat.csv"
    folder.mkdir()  # a folder where the file was expected (root may read any file)
    missing = tmp_path / "gone.csv"
    for path in (folder, missing):
        with pytest.raises(SystemExit) as raised, translation.override("en"):
            run(["samverkan", "import", "chat", str(path)])
        assert raised.value.code == 1
        assert capsys.readouterr().err == f"CommandError: No such file: {path}\n"


def test_a_damaged_file_is_one_line(small, tmp_path, capsys):
    backup = tmp_path / "backup.tar.gz"
    backup.write_bytes(b"\xff\xfe not a backup")
    with pytest.raises(SystemExit) as raised, translation.override("en"):
        run(["samverkan", "restore", str(backup)])
    assert raised.value.code == USER_ERROR
    line = capsys.readouterr().err
    assert line.startswith("samverkan restore: A file could not be read: it is damaged or not of")
    assert line.count("\n") == 1
