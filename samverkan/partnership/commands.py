"""The command line's choice of partnership, one way for every command that reads or writes a
partnership's data (`stats`, `agreement`, ...): `--partnership KEY`, which may be left out when
there is one partnership, as there usually is."""

import datetime

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from samverkan.partnership.models import Partnership


def add_partnership_option(parser: CommandParser) -> None:
    parser.add_argument("--partnership", help="Key of the partnership, if there are several.")


def partnership_chosen(key: str | None) -> Partnership:
    """The partnership named by `--partnership`, or the only one; a clear error otherwise."""
    partnerships = Partnership.objects.all()
    if key:
        try:
            return partnerships.get(key=key)
        except Partnership.DoesNotExist:
            raise CommandError(_("There is no partnership %(key)r.") % {"key": key}) from None
    found = list(partnerships[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandError(
            _("No partnership is configured yet: run `samverkan demo` or use the admin.")
        )
    raise CommandError(_("There are several partnerships; choose one with --partnership."))


def date_argument(value: str) -> datetime.date:
    """A day given on the command line as YYYY-MM-DD."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}) from None
