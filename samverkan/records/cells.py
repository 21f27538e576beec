"""Readers of single cells: each takes the raw value (str from CSV; str, int, float, date or
datetime from XLSX; a typed value from the API) and returns the stored value, or raises CellError
saying why, in words for the user.

Below the import, the kinds of record (`records.kinds`: each column names its reader), the forms
and the API's fields: a reference or a date is read the same way wherever it comes from."""

import datetime
import functools
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core.names import NameIndex
from samverkan.records.models import (
    MAX_AGE,
    ViolenceForm,
)
from samverkan.statistics.counters import (
    STOCKHOLM,
    local_day,
)


class CellError(Exception):
    """A value that cannot be read; the message says why, in words for the user."""


@functools.lru_cache(maxsize=1)
def _today_cached(hour: int) -> datetime.date:
    return timezone.localdate()


def _today() -> datetime.date:
    # Asked for every row: computed once an hour, not once a row.
    return _today_cached(int(time.time() // 3600))


EARLIEST_DATE = datetime.date(2000, 1, 1)
_REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def read_text(raw: Any) -> str:
    if raw.__class__ is not str:
        if raw is None:
            return ""
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        raw = str(raw)
    value = raw.strip()
    # Bytes that were not UTF-8 arrive as lone surrogates (see _csv_rows).
    if not value.isascii() and _UNDECODABLE.search(value):
        raise CellError(_("not valid UTF-8 text"))
    return value


def choice_reader(values: list[str], *, default: str | None) -> Callable[[Any], str | None]:
    allowed = frozenset(values)
    listing = ", ".join(values)

    def read(raw: Any) -> str | None:
        value = read_text(raw).lower()
        if not value:
            if default is None:
                raise CellError(_("a value is required: one of %(values)s") % {"values": listing})
            return default or None
        if value not in allowed:
            raise CellError(
                _("%(value)r is not one of %(values)s") % {"value": value, "values": listing}
            )
        return value

    return read


def read_age(raw: Any) -> int | None:
    value = read_text(raw)
    if not value:
        return None
    try:
        age = int(value)
    except ValueError:
        raise CellError(_("%(value)r is not a whole number of years") % {"value": value}) from None
    if not 1 <= age <= MAX_AGE:
        raise CellError(_("age %(age)d is outside 1 to %(max)d") % {"age": age, "max": MAX_AGE})
    return age


def _check_date_range(day: datetime.date) -> None:
    if day < EARLIEST_DATE:
        raise CellError(_("%(date)s is before 2000") % {"date": day.isoformat()})
    if day > _today():
        raise CellError(_("%(date)s lies in the future") % {"date": day.isoformat()})


def read_date(raw: Any, *, required: bool) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        day = raw.date()
    elif isinstance(raw, datetime.date):
        day = raw
    else:
        value = read_text(raw)
        if not value:
            if required:
                raise CellError(_("a date is required (YYYY-MM-DD)"))
            return None
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise CellError(_("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}) from None
    _check_date_range(day)
    return day


def read_required_date(raw: Any) -> datetime.date:
    day = read_date(raw, required=True)
    assert day is not None
    return day


def read_optional_date(raw: Any) -> datetime.date | None:
    return read_date(raw, required=False)


def read_datetime(raw: Any) -> datetime.datetime:
    if raw.__class__ is str:
        # The common case first: a well-formed local time, as most files have on every row.
        try:
            moment = datetime.datetime.fromisoformat(raw)
        except ValueError:
            pass
        else:
            if moment.tzinfo is None and EARLIEST_DATE <= moment.date() <= _today():
                return moment.replace(tzinfo=STOCKHOLM)
    if isinstance(raw, datetime.datetime):
        moment = raw
    else:
        value = read_text(raw)
        if not value:
            raise CellError(_("a date and time is required (YYYY-MM-DD HH:MM)"))
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise CellError(
                _("%(value)r is not a date and time (YYYY-MM-DD HH:MM)") % {"value": value}
            ) from None
    if moment.tzinfo is None:
        # Times without an offset are local time where the services work.
        _check_date_range(moment.date())
        return moment.replace(tzinfo=STOCKHOLM)
    _check_date_range(local_day(moment))
    return moment


def read_yes_no(raw: Any) -> bool:
    value = read_text(raw).lower()
    if value in ("", "no"):
        return False
    if value == "yes":
        return True
    raise CellError(_("%(value)r is not yes or no") % {"value": value})


def read_optional_yes_no(raw: Any) -> bool | None:
    """Yes, no, or empty for not noted."""
    value = read_text(raw).lower()
    if not value:
        return None
    return read_yes_no(value)


def read_ref(raw: Any) -> str | None:
    value = read_text(raw)
    if not value:
        return None
    if not _REF_PATTERN.match(value):
        raise CellError(
            _(
                "a reference is 1 to 64 characters: letters a-z or A-Z, digits and . _ : / -, "
                "starting with a letter or digit (never a name or personal identity number)"
            )
        )
    return value


_VIOLENCE_FORMS = frozenset(ViolenceForm.values)


def read_violence(raw: Any) -> tuple[str, ...]:
    value = read_text(raw).lower()
    if not value:
        return ()
    forms = tuple(dict.fromkeys(part.strip() for part in value.split(";") if part.strip()))
    unknown = [form for form in forms if form not in _VIOLENCE_FORMS]
    if unknown:
        raise CellError(
            _("%(value)r is not a form of violence: use %(values)s, separated by ;")
            % {"value": unknown[0], "values": ", ".join(ViolenceForm.values)}
        )
    return forms


def configured_key_reader(
    entries: Iterable[tuple[str, str]], what: str
) -> Callable[[Any], str | None]:
    """A reader of a district or service of the partnership, by its key or its name, with or
    without diacritics, in any case ("Södermalm", "SÖDERMALM", "sodermalm" are one district)."""
    index = NameIndex(entries)

    def read(raw: Any) -> str | None:
        text = read_text(raw)
        if not text:
            return None
        key = index.key_of(text)
        if key is None:
            raise CellError(
                _("%(key)r is not a %(what)s of the partnership (known: %(known)s)")
                % {"key": text, "what": _(what), "known": index.known or "-"}
            )
        return key

    return read
