import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError
from samverkan.operations.backup import restore, restore_check


class Command(BaseCommand):
    help = (
        "Restore the database from a backup made by `samverkan backup`: the backup is checked "
        "in a scratch database first (row counts and statistics of its manifest), then the "
        "database's content is replaced and checked again. Stop the application first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="The backup file.")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask: replace the database's content."
        )

    def handle(self, *args, backup: str, yes: bool, **options) -> None:  # noqa: ANN002, ANN003
        path = Path(backup)
        if not path.is_file():
            raise CommandError(_("%(path)s does not exist.") % {"path": path})
        try:
            manifest = restore_check(path)
            if not yes:
                self._ask(manifest)
            restore(path)
        except SamverkanError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Restored the backup of %(created)s: %(rows)d rows; the row counts and the "
                "statistics are those of its manifest."
            )
            % {"created": manifest.created_at, "rows": sum(manifest.row_counts.values())}
        )

    def _ask(self, manifest) -> None:  # noqa: ANN001
        question = _(
            "This replaces everything in the database %(name)s with the backup of %(created)s "
            "(%(rows)d rows)."
        ) % {
            "name": connection.settings_dict["NAME"],
            "created": manifest.created_at,
            "rows": sum(manifest.row_counts.values()),
        }
        if not sys.stdin.isatty():
            raise CommandError(
                f"{question} "
                + _("Nothing was changed: there is no terminal to ask on; run it with --yes.")
            )
        self.stdout.write(question)
        answer = input(_("Type yes to go on: ")).strip().lower()
        if answer not in {"yes", "ja", _("yes")}:
            raise CommandError(_("Nothing was changed."))
