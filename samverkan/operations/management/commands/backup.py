from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError
from samverkan.operations.backup import backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite or PostgreSQL) to one file, with a manifest of its row "
        "counts and figures taken from the same snapshot as the data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", help="The file to write (default: samverkan-YYYYMMDD-HHMMSS.tar.gz)."
        )

    def handle(self, *args, output: str | None, **options) -> None:  # noqa: ANN002, ANN003
        path = Path(output or f"samverkan-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        try:
            manifest = backup(path)
        except SamverkanError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest.row_counts.values())
        self.stdout.write(
            _("Backed up %(rows)d rows to %(path)s (statistics digest %(digest)s).")
            % {"rows": rows, "path": path, "digest": manifest.statistics_digest[:12]}
        )
