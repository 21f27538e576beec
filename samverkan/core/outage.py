"""What kind of infrastructure failure an exception is, and how long a client should wait.

Both ways out use it: the pages' middleware (samverkan.production.middleware) and the API's
problems (samverkan.api.problems); it lives in core, below both, and knows only Django.

`Retry-After` follows the outage: a database that has been gone for a moment is most likely
back in a moment (a restart takes a second or two), one that has been gone for a minute
likely stays gone a while. So the first answers of an outage say 2 seconds, later ones as long
as the outage has lasted so far, at most a minute. An outage is over when no failure was seen
for QUIET_SECONDS. (A fixed 30 s made clients wait half a minute after a 0.7 s restart.)
"""

from __future__ import annotations

import math
import threading
import time

from django.db import DatabaseError, InterfaceError, OperationalError

MIN_RETRY = 2
MAX_RETRY = 60
QUIET_SECONDS = 10.0

GONE = "gone"
READ_ONLY = "read-only"


def database_trouble(exception: BaseException) -> str | None:
    """GONE when the database cannot be reached or dropped the connection, READ_ONLY when it
    refuses writes (a standby, `default_transaction_read_only`, a read-only file), else None."""
    if not isinstance(exception, DatabaseError):
        return None
    cause = exception.__cause__
    if getattr(cause, "sqlstate", None) == "25006":  # read_only_sql_transaction
        return READ_ONLY
    if isinstance(exception, OperationalError) and "readonly database" in str(exception):
        return READ_ONLY  # SQLite: "attempt to write a readonly database"
    if isinstance(exception, OperationalError | InterfaceError):
        return GONE
    return None


class Outage:
    """One kind of outage as this process has seen it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started = 0.0
        self._last = -math.inf

    def retry_after(self) -> int:
        """Note a failure now; the seconds a client should wait."""
        now = time.monotonic()
        with self._lock:
            if now - self._last > QUIET_SECONDS:
                self._started = now
            self._last = now
            lasted = now - self._started
        return max(MIN_RETRY, min(MAX_RETRY, math.ceil(lasted)))


OUTAGES = {GONE: Outage(), READ_ONLY: Outage()}


def retry_after(kind: str) -> int:
    return OUTAGES[kind].retry_after()
