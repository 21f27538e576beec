"""What the overview computed, kept with the data revision it was computed at.

The overview's figures and period lists are a function of the tables `statistics.revision`
watches, the request's choices and the day; the revision moves, in the writer's transaction,
with every write to those tables. So an entry is keyed by every input (partnership, period,
filter, disclosure level, own unit, language, day, the settings the figures depend on) and holds
the revision it was computed at, which must be the one the request read at its start: a hit is
what a computation would give now, and a write by any path is on the next page. Entries are
stored when the request's transaction commits (at once outside one): a public answer whose
months were released by this request is kept only once the release ledger holds them.

Django's cache: Redis in production, shared by the workers; in the demo and the tests each
process's own memory, which is as correct since an entry carries its revision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from samverkan.statistics import revision

T = TypeVar("T")

TIMEOUT = 60 * 60
"""Seconds an entry is kept (each input's one entry is replaced by the next computation; the
day is one of the inputs, so yesterday's entries go within the hour)."""


class Revision:
    """The revision one request read, and its cache look-ups.

    An entry's key is the kind and the inputs alone, its value the revision it was computed at
    and the value: a look-up answers only when the two revisions are the same. So each input has
    one entry, replaced when it is computed again, and the cache holds no entries of past
    revisions (Redis runs without eviction, docs/deploy.md: entries of every revision a busy day
    passes through would fill it)."""

    def __init__(self) -> None:
        self.stamp = revision.current()

    @staticmethod
    def key(kind: str, *parts: object) -> str:
        settings_part = (
            settings.SAMVERKAN_DISCLOSURE_THRESHOLD,
            settings.SAMVERKAN_PUBLIC_AFTER_DAYS,
        )
        return ":".join(["overview", kind, *map(str, settings_part), *map(str, parts)])

    def get(self, kind: str, parts: tuple[object, ...]) -> object | None:
        """The value kept for `parts` at this revision, or None."""
        if self.stamp is None:
            return None
        kept = cache.get(self.key(kind, *parts))
        if kept is None or kept[0] != self.stamp:
            return None
        return kept[1]

    def keep(self, kind: str, parts: tuple[object, ...], value: object) -> None:
        """Keeps `value` for `parts` at this revision once the request's transaction has
        committed (at once outside one)."""
        if self.stamp is None:
            return
        key, kept = self.key(kind, *parts), (self.stamp, value)
        transaction.on_commit(lambda: cache.set(key, kept, TIMEOUT))

    def cached(self, kind: str, parts: tuple[object, ...], compute: Callable[[], T]) -> T:
        """The value kept for `parts` at this revision, or `compute()`'s, then kept."""
        value = self.get(kind, parts)
        if value is None:
            value = compute()
            self.keep(kind, parts, value)
        return value
