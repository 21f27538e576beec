"""SQLite connections kept per process (samverkan.core.sqlite): handed from request to request
and thread to thread, never with a transaction open, never to a replaced file."""

import threading

import pytest
from django.db import connection

from samverkan.core.sqlite import base


@pytest.fixture
def database(tmp_path, django_db_blocker):
    base.forget_kept()
    django_db_blocker.unblock()
    wrappers = []

    def wrapper(name=None):
        settings = {**connection.settings_dict, "NAME": str(name or tmp_path / "kept.sqlite3")}
        made = base.DatabaseWrapper(settings, alias=f"kept-{len(wrappers)}")
        wrappers.append(made)
        return made

    yield wrapper
    for made in wrappers:
        made.inc_thread_sharing()
        made.close()
    base.forget_kept()
    django_db_blocker.restore()


def _raw(wrapper):
    wrapper.ensure_connection()
    return wrapper.connection


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend")
def test_a_closed_connection_is_the_next_requests_in_another_thread(database):
    first = database()
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
        cursor.execute("INSERT INTO t VALUES (1)")
    raw = first.connection
    first.close()
    assert first.connection is None

    found = {}

    def request():
        second = database()
        with second.cursor() as cursor:
            cursor.execute("SELECT n FROM t")
            found["rows"] = cursor.fetchall()
        found["raw"] = second.connection
        found["autocommit"] = second.get_autocommit()
        second.close()

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    assert found == {"rows": [(1,)], "raw": raw, "autocommit": True}
    # Closed again, and kept again: a third wrapper gets it once more, and only one does.
    third, fourth = database(), database()
    assert _raw(third) is raw
    assert _raw(fourth) is not raw


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend")
def test_a_connection_with_a_transaction_open_is_closed_not_kept(database):
    first = database()
    raw = _raw(first)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
    raw.execute("BEGIN")
    raw.execute("INSERT INTO t VALUES (1)")
    first.close()
    second = database()
    assert _raw(second) is not raw
    with second.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone() == (0,)  # the open transaction was not committed by anyone


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend")
def test_a_connection_to_a_replaced_file_is_not_used_again(database, tmp_path):
    path = tmp_path / "kept.sqlite3"
    first = database(path)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE old (n integer)")
    raw = first.connection
    first.close()
    # Replaced as a restore by copying a file over it would: a new file under the same name.
    other = tmp_path / "other.sqlite3"
    made = database(other)
    with made.cursor() as cursor:
        cursor.execute("CREATE TABLE new (n integer)")
    made.close()
    base.forget_kept()
    other.replace(path)
    second = database(path)
    assert _raw(second) is not raw
    with second.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master")
        assert cursor.fetchall() == [("new",)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend")
def test_no_more_than_kept_are_kept(database):
    wrappers = [database() for _ in range(base.KEPT + 2)]
    raws = [_raw(wrapper) for wrapper in wrappers]
    for wrapper in wrappers:
        wrapper.close()
    again = [_raw(database()) for _ in range(base.KEPT + 2)]
    assert len({id(raw) for raw in again} & {id(raw) for raw in raws}) == base.KEPT
