"""What the overview computed, kept under the data revision it was computed at.

The overview's figures and period lists are a function of the tables `statistics.revision`
watches, the request's choices and the day; the revision moves, in the writer's transaction,
with every write to those tables. So an entry is keyed by the revision read at the start of the
request and by every input (partnership, period, filter, disclosure level, own unit, language,
day, the settings the figures depend on): a hit is what a computation would give now, and a
write by any path is on the next page. Entries are stored when the request's transaction
commits (at once outside one): a public answer whose months were released by this request is
kept only once the release ledger holds them.

Django's cache: Redis in production, shared by the workers; in the demo and the tests each
process's own memory, which is as correct since the key carries the revision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from samverkan.statistics import revision

T = TypeVar("T")

TIMEOUT = 6 * 60 * 60
"""Seconds an entry is kept: a day's entries are keyed by the day, and a revision's are read
again only until the next write."""


class Revision:
    """The revision one request read, and its cache look-ups."""

    def __init__(self) -> None:
        self.stamp = revision.current()

    def key(self, kind: str, *parts: object) -> str:
        settings_part = (
            settings.SAMVERKAN_DISCLOSURE_THRESHOLD,
            settings.SAMVERKAN_PUBLIC_AFTER_DAYS,
        )
        return ":".join(
            ["overview", kind, str(self.stamp), *map(str, settings_part), *map(str, parts)]
        )

    def get(self, kind: str, parts: tuple[object, ...]) -> object | None:
        """The value kept under the revision and `parts`, or None."""
        if self.stamp is None:
            return None
        return cache.get(self.key(kind, *parts))

    def keep(self, kind: str, parts: tuple[object, ...], value: object) -> None:
        """Keeps `value` under the revision and `parts` once the request's transaction has
        committed (at once outside one)."""
        if self.stamp is None:
            return
        key = self.key(kind, *parts)
        transaction.on_commit(lambda: cache.set(key, value, TIMEOUT))

    def cached(self, kind: str, parts: tuple[object, ...], compute: Callable[[], T]) -> T:
        """The value kept under the revision and `parts`, or `compute()`'s, then kept."""
        value = self.get(kind, parts)
        if value is None:
            value = compute()
            self.keep(kind, parts, value)
        return value
