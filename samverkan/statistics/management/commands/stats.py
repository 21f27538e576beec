import datetime
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Partnership
from samverkan.statistics.engine import DISCLOSURE_LEVELS, INTERNAL, statistics_compute
from samverkan.statistics.release import PublicPeriodError
from samverkan.statistics.text import figures_as_text


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}) from None


class Command(BaseCommand):
    help = "A partnership's figures for a period (bounds included), as JSON or text."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="date_from", required=True, help="First day, YYYY-MM-DD."
        )
        parser.add_argument("--to", dest="date_to", required=True, help="Last day, YYYY-MM-DD.")
        parser.add_argument("--format", choices=["json", "text"], default="json")
        # The command line's user can read the database anyway: exact figures by default.
        parser.add_argument("--disclosure", choices=DISCLOSURE_LEVELS, default=INTERNAL)
        parser.add_argument("--threshold", type=int, help="Smallest count published (default 5).")
        parser.add_argument("--partnership", help="Key of the partnership, if there are several.")

    def handle(self, *args, **options) -> None:  # noqa: ANN003
        date_from, date_to = _date(options["date_from"]), _date(options["date_to"])
        partnership = _partnership(options["partnership"])
        threshold = options["threshold"]
        if threshold is not None and threshold < 3:
            # The same floor as SAMVERKAN_DISCLOSURE_THRESHOLD (settings.py).
            raise CommandError(_("--threshold must be at least 3."))
        try:
            figures = statistics_compute(
                partnership=partnership,
                date_from=date_from,
                date_to=date_to,
                disclosure=options["disclosure"],
                threshold=threshold,
            )
        except PublicPeriodError as error:
            # A request the public level cannot answer: say which period it can, exit 2 as for
            # any usage error.
            raise CommandError(str(error), returncode=2) from None
        except SamverkanError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(figures_as_text(figures))


def _partnership(key: str | None) -> Partnership:
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
