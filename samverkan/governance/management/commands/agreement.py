import datetime
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.governance.agreement_calendar import (
    agreement_day_as_text,
    agreement_for,
    agreement_on,
)
from samverkan.partnership.commands import (
    add_partnership_option,
    date_argument,
    partnership_chosen,
)


class Command(BaseCommand):
    help = (
        "The agreement on a day: status (not-started, active, ended), current period, the next "
        "notice deadline, the final end and any notice given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="The day, YYYY-MM-DD (default: today).")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        add_partnership_option(parser)

    def handle(self, *args, **options) -> None:  # noqa: ANN003
        on: datetime.date = date_argument(options["on"]) if options["on"] else timezone.localdate()
        partnership = partnership_chosen(options["partnership"])
        agreement = agreement_for(partnership, on)
        if agreement is None:
            raise CommandError(
                _("The partnership %(partnership)s has no agreement.")
                % {"partnership": partnership}
            )
        day = agreement_on(agreement, on)
        if options["format"] == "json":
            self.stdout.write(json.dumps(day.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(agreement_day_as_text(day))
