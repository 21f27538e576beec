"""Stockholm time: the partnership's days, months and periods are Stockholm's calendar days.

Moments are stored in UTC; every reading of a moment as a day (counts, filters, periods, disposal)
goes through `local_day`, so that a conversation at 00:30 on 1 March in Stockholm is March's in
every list, count and figure.
"""

import datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local_day(moment: datetime.datetime) -> datetime.date:
    """The calendar day in Stockholm on which a moment falls: periods are read as such days."""
    return moment.astimezone(STOCKHOLM).date()
