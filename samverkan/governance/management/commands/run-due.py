"""`samverkan run-due`: send the reminders that are due. Safe to run every few minutes from cron
or a systemd timer, also when two runs overlap (see governance.reminders)."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.governance.reminders import run_due
from samverkan.partnership.commands import date_argument


class Command(BaseCommand):
    help = "Send the reminders that are due (reports due, notice deadlines); each only once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", help="Act as if today were this day, YYYY-MM-DD (tests).")

    def handle(self, *args, **options) -> None:  # noqa: ANN003
        today = date_argument(options["on"]) if options["on"] else timezone.localdate()
        result = run_due(today=today)
        for key, username in result.sent:
            self.stdout.write(
                _("sent %(reminder)s to %(user)s") % {"reminder": key, "user": username}
            )
        if options["verbosity"] >= 1:
            self.stdout.write(
                _("%(sent)d sent, %(already)d sent before, %(failed)d failed.")
                % {
                    "sent": len(result.sent),
                    "already": result.already_sent,
                    "failed": result.failed,
                }
            )
        if result.failed:
            raise SystemExit(1)
