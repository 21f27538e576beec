"""Django's SQLite backend with its connections kept per process (issue 19).

A new SQLite connection reads the database's whole schema (some 200 tables and indexes) at its
first statement: about 2 ms of CPU, a tenth of a record list's. Django's persistent connections
(`CONN_MAX_AGE`) keep a connection per thread, which serves nothing under ASGI, where each
request's synchronous code runs in a thread of its own. Here a connection that Django closes at
the end of a request is kept instead, and the next request's connection, in whatever thread, is
taken from those kept: Django opens SQLite connections with `check_same_thread=False`, and one
is only ever used by one `DatabaseWrapper` at a time (it is either in the pool or in one).

Kept only when it is safe to hand on: a file database (an in-memory one is never closed by
Django), no transaction open and no atomic block around the close; at most `KEPT` idle ones per
database file. A kept connection is not used again if the file has been replaced since (its
inode), nor after a fork (a SQLite connection must not cross one: the child leaves them alone).
"""

import os
import threading

from django.db.backends.sqlite3 import base

KEPT = 8
"""Idle connections kept per process and database file: gunicorn's threads or Django's
requests at the same time in one worker."""

_lock = threading.Lock()
_kept: dict[str, list[tuple[int, object]]] = {}
"""database path -> [(inode when kept, sqlite3 connection)]"""
_left_behind: list = []
"""A parent's connections after a fork: never used nor closed in the child."""


def _forget_after_fork() -> None:
    global _lock  # noqa: PLW0603 - a lock held by another thread at the fork stays held
    _lock = threading.Lock()
    _left_behind.append(dict(_kept))
    _kept.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def forget_kept() -> None:
    """Close every kept connection (tests, or before a database file is replaced)."""
    with _lock:
        connections = [connection for kept in _kept.values() for _inode, connection in kept]
        _kept.clear()
    for connection in connections:
        connection.close()


class DatabaseWrapper(base.DatabaseWrapper):
    def _kept_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return str(self.settings_dict["NAME"])

    def get_new_connection(self, conn_params):  # noqa: ANN001, ANN201 - Django's signature
        path = self._kept_path()
        if path is not None:
            inode = _inode(path)
            stale = []
            with _lock:
                kept = _kept.get(path, [])
                while kept:
                    kept_inode, connection = kept.pop()
                    if kept_inode == inode:
                        break
                    stale.append(connection)
                else:
                    connection = None
            for old in stale:
                old.close()
            if connection is not None:
                return connection
        return super().get_new_connection(conn_params)

    def _close(self) -> None:
        connection = self.connection
        path = self._kept_path()
        if (
            connection is not None
            and path is not None
            and not self.in_atomic_block
            and not connection.in_transaction
        ):
            inode = _inode(path)
            with _lock:
                kept = _kept.setdefault(path, [])
                if inode is not None and len(kept) < KEPT:
                    kept.append((inode, connection))
                    return
        super()._close()
