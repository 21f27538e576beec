import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError
from samverkan.partnership.commands import (
    add_partnership_option,
    date_argument,
    partnership_chosen,
)
from samverkan.statistics.engine import DISCLOSURE_LEVELS, INTERNAL, statistics_compute
from samverkan.statistics.release import PublicPeriodError
from samverkan.statistics.text import figures_as_text


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
        add_partnership_option(parser)

    def handle(self, *args, **options) -> None:  # noqa: ANN003
        date_from, date_to = date_argument(options["date_from"]), date_argument(options["date_to"])
        partnership = partnership_chosen(options["partnership"])
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
