"""Periods as the statistics see them: calendar months, and a period as whole months plus the
days at its edges (the stored counts are monthly and daily)."""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Split:
    """A period as whole calendar months plus the days at its edges."""

    months: list[datetime.date]
    day_ranges: list[tuple[datetime.date, datetime.date]]


def split_period(date_from: datetime.date, date_to: datetime.date) -> Split:
    first_whole = date_from if date_from.day == 1 else next_month(date_from)
    ends_a_month = next_month(date_to) - ONE_DAY == date_to
    after_last_whole = next_month(date_to) if ends_a_month else date_to.replace(day=1)
    if first_whole >= after_last_whole:
        return Split(months=[], day_ranges=[(date_from, date_to)])
    months = []
    month = first_whole
    while month < after_last_whole:
        months.append(month)
        month = next_month(month)
    day_ranges = []
    if date_from < first_whole:
        day_ranges.append((date_from, first_whole - ONE_DAY))
    if after_last_whole <= date_to:
        day_ranges.append((after_last_whole, date_to))
    return Split(months=months, day_ranges=day_ranges)


ONE_DAY = datetime.timedelta(days=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_labels(date_from: datetime.date, date_to: datetime.date) -> list[str]:
    months = []
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_starts(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    """The first day of every calendar month the period touches."""
    months = []
    month = date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        month = next_month(month)
    return months
