"""Which periods the public level answers: whole calendar months that have ended at least
SAMVERKAN_PUBLIC_AFTER_DAYS days ago (rule 1 of statistics/release.py), the nearest such period
for any other, and the calendar periods (months, quarters, half-years, years, the year so far)
for which distinct clinic clients are published."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError
from samverkan.statistics.period import ONE_DAY, next_month


class PublicPeriodError(SamverkanError):
    """The public level cannot answer this period; the message names one it can."""

    def __init__(self, message: str, suggestion: tuple[datetime.date, datetime.date] | None):
        super().__init__(message)
        self.suggestion = suggestion


def _month_end(day: datetime.date) -> datetime.date:
    return next_month(day.replace(day=1)) - ONE_DAY


def last_public_day(today: datetime.date) -> datetime.date:
    """The last day of the last calendar month that ended SAMVERKAN_PUBLIC_AFTER_DAYS days ago
    or more: late registrations and monthly imports have arrived before it is released."""
    cutoff = today - datetime.timedelta(days=settings.SAMVERKAN_PUBLIC_AFTER_DAYS)
    return cutoff.replace(day=1) - ONE_DAY


def is_public_period(
    date_from: datetime.date, date_to: datetime.date, today: datetime.date
) -> bool:
    return (
        date_from.day == 1
        and date_to == _month_end(date_to)
        and date_from <= date_to <= last_public_day(today)
    )


def nearest_public_period(
    date_from: datetime.date, date_to: datetime.date, today: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """The whole ended months of the period; failing that, the months it touches; failing that
    (a period in the future), the last month that has ended."""
    last = last_public_day(today)
    start = date_from if date_from.day == 1 else next_month(date_from)
    end = date_to if date_to == _month_end(date_to) else date_to.replace(day=1) - ONE_DAY
    end = min(end, last)
    if start <= end:
        return start, end
    start, end = date_from.replace(day=1), min(_month_end(date_to), last)
    if start <= end:
        return start, end
    return last.replace(day=1), last


def check_public_period(
    date_from: datetime.date, date_to: datetime.date, today: datetime.date | None = None
) -> None:
    """Raises PublicPeriodError, naming a period that can be given, unless the public level
    answers this one."""
    today = today or timezone.localdate()
    if is_public_period(date_from, date_to, today):
        return
    suggestion = nearest_public_period(date_from, date_to, today)
    message = _(
        "Figures for publication are given for whole calendar months that have ended: from the "
        "first day of a month to the last day of a month, %(last)s at the latest. "
        "%(start)s to %(end)s is not such a period"
    ) % {
        "last": date_format(last_public_day(today), "j F Y"),
        "start": date_from.isoformat(),
        "end": date_to.isoformat(),
    }
    if suggestion is not None:
        message += _("; the nearest is %(start)s to %(end)s.") % {
            "start": suggestion[0].isoformat(),
            "end": suggestion[1].isoformat(),
        }
    else:
        message += "."
    raise PublicPeriodError(message, suggestion)


def calendar_span(date_from: datetime.date, date_to: datetime.date) -> str | None:
    """The name of a period of whole months that is a calendar month, quarter, half-year, year
    or the year so far (January to some month), e.g. "2022-01..2022-05"; None for another."""
    if date_from.day != 1 or date_to != _month_end(date_to) or date_from.year != date_to.year:
        return None
    first, last = date_from.month, date_to.month
    length = last - first + 1
    if (
        length == 1
        or (length == 3 and first % 3 == 1)
        or (length == 6 and first in (1, 7))
        or first == 1
    ):
        return f"{date_from:%Y-%m}..{date_to:%Y-%m}"
    return None
