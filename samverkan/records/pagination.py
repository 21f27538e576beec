"""Pages of a record list that do not count every record on every page.

Where the anonymous daily counts can tell how many records a list holds, the caller says so
(`known_count`, from records.filters) and nothing is counted; otherwise:

A unit may keep a million chat conversations. Counting them all for "page 1 of 20,000" is a scan
of the whole index on every request (about 40-130 ms on SQLite with a million rows, measured
by benchmarks/web.py), so the count stops at a bound: "more than 10000" is as useful to a
reader as the exact figure, and a filtered list, usually much smaller, still gets its exact count.

A page's records are read ids first (`BoundedPaginator.page`).
"""

import math

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_LIMIT = 10_000


class BoundedPaginator(Paginator):
    """A Paginator whose count stops past the page asked for.

    The count goes up to the next multiple of `count_limit` after the last record of the page
    asked for, so that page and the one after it always exist; `more` says whether there are
    records past the count. Deeper pages push the bound further, so every record stays
    reachable by paging on.

    `object_list` is the list's records, ordered (a total order, so that pages neither repeat
    nor skip a record); a page holds them as model instances, or as tuples of `fields`.
    """

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        number: object,
        count_limit: int | None = None,
        known_count: int | None = None,
        fields: tuple[str, ...] = (),
    ) -> None:
        if not object_list.ordered:
            raise ValueError("a list paged by BoundedPaginator needs an order")
        super().__init__(object_list, per_page)
        self.fields = fields
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

    def page(self, number: object) -> Page:
        """Django's page (as `fields` values when given, else as model instances); past the
        first page its records are read in two steps: the ids of the page's records in the
        list's order, a subquery the database answers from the list's index alone, then those
        records by id.

        Read in one step (`LIMIT 50 OFFSET n`), the database reads the table row of every
        record before the page as well as of the page's own, since it orders records of the
        same moment (or, for cases, the same day) by id after reading them: page 20 read about
        a thousand rows from all over a million-row table, some 750 pages of the file, each
        read again whenever another connection had written (another worker's audit entry). Ids
        first, it reads the index and the page's 50 rows. The second step selects by id alone:
        with the list's own conditions beside the ids, SQLite would walk the whole unit's
        index instead of looking the 50 up.
        """
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        listed = self.object_list
        if bottom == 0:
            # The first page reads no rows before its own: one query is cheaper.
            return self._get_page(self._shaped(listed)[:top], number, self)
        ids = listed.values("pk")[bottom:top]
        order = listed.query.order_by or listed.model._meta.ordering  # as the list's own
        records = listed.model._base_manager.filter(pk__in=ids).order_by(*order)
        return self._get_page(self._shaped(records), number, self)

    def _shaped(self, records: QuerySet) -> QuerySet:
        return records.values_list(*self.fields) if self.fields else records
