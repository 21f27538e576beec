"""Pages of a record list that do not count every record on every page.

Where the anonymous daily counts can tell how many records a list holds, the caller says so
(`known_count`, from records.filters) and nothing is counted; otherwise:

A unit may keep a million chat conversations. Counting them all for "page 1 of 20,000" is a scan
of the whole index on every request (about 40-130 ms on SQLite with a million rows, measured
by benchmarks/web.py), so the count stops at a bound: "more than 10000" is as useful to a
reader as the exact figure, and a filtered list, usually much smaller, still gets its exact count.
"""

import math

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_LIMIT = 10_000


class BoundedPaginator(Paginator):
    """A Paginator whose count stops past the page asked for.

    The count goes up to the next multiple of `count_limit` after the last record of the page
    asked for, so that page and the one after it always exist; `more` says whether there are
    records past the count. Deeper pages push the bound further, so every record stays
    reachable by paging on.
    """

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        number: object,
        count_limit: int | None = None,
        known_count: int | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        # Told by the caller (e.g. from the anonymous daily counts): then nothing is counted.
        self.known_count = known_count
        count_limit = count_limit or COUNT_LIMIT
        try:
            asked = max(int(str(number)), 1)
        except (TypeError, ValueError):
            asked = 1
        self.count_limit = count_limit * math.ceil((asked * per_page + 1) / count_limit)
        self.more = False

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        # Only the ids and in no order: the database counts the first rows its index finds
        # (in the list's order it would first sort every match of an unselective filter).
        counted = self.object_list.order_by().values("pk")[: self.count_limit + 1].count()
        self.more = counted > self.count_limit
        return min(counted, self.count_limit)
