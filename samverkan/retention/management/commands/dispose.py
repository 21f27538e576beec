import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from samverkan.core.time import local_day
from samverkan.retention.disposal import dispose


class Command(BaseCommand):
    help = (
        "Dispose of the records whose retention period has run out, keeping the anonymous "
        "aggregates; safe to run daily. Writes the disposal log, never the records."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be disposed of; change nothing."
        )
        parser.add_argument("--today", help="Run as of this day, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        today = local_day(timezone.now())
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"{options['today']!r} is not a date (YYYY-MM-DD)") from None
        outcomes = dispose(today=today, dry_run=options["dry_run"])
        verb = "would dispose of" if options["dry_run"] else "disposed of"
        for outcome in outcomes:
            self.stdout.write(
                f"{outcome.organisation or '-'}: {verb} {outcome.count} {outcome.kind} "
                f"(last entries {outcome.first_entry} to {outcome.last_entry}; {outcome.rule})"
            )
        if not outcomes:
            self.stdout.write(f"Nothing to dispose of as of {today}.")
