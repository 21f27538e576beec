from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError
from samverkan.operations.backup import read_manifest, restore


class Command(BaseCommand):
    help = (
        "Restore the database from a backup made by `samverkan backup`, then check that the "
        "restored data give the same statistics. Stop the application first."
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
            manifest = read_manifest(path)
            if not yes:
                raise CommandError(
                    _(
                        "This replaces everything in the database with the backup of "
                        "%(created)s. Run again with --yes to do it."
                    )
                    % {"created": manifest.created_at}
                )
            restore(path)
        except SamverkanError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Restored the backup of %(created)s; the statistics are the same as when it "
                "was made."
            )
            % {"created": manifest.created_at}
        )
