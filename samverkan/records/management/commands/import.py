from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError
from samverkan.core.garbage import collect_less_often
from samverkan.records.imports import KINDS, ImportFailed, records_import


class Command(BaseCommand):
    help = "Import anonymous records from a CSV (UTF-8, comma, header row) or XLSX file."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("kind", choices=list(KINDS), help="What the file holds.")
        parser.add_argument("file", type=Path, help="A .csv or .xlsx file.")
        parser.add_argument("--unit", help="Key of the unit the records belong to.")
        parser.add_argument(
            "--partnership", help="Key of the partnership, if the unit has several."
        )

    # The system checks load the URL configuration, and with it every view and what they
    # import (an import needs the models only): they are `samverkan check`'s and the server's
    # work, not each import's.
    requires_system_checks: list[str] = []
    own_process = False

    def run_from_argv(self, argv: list[str]) -> None:
        # From the command line (not call_command): a process of its own, so its garbage
        # collector may be set for bulk work once everything is loaded (see handle).
        self.own_process = True
        super().run_from_argv(argv)

    def handle(
        self, *args, kind: str, file: Path, unit: str | None, partnership: str | None, **options
    ) -> None:  # noqa: ANN003
        if self.own_process:
            collect_less_often()  # a quarter less time for a large file (benchmarks/RESULTS.md)
        try:
            result = records_import(
                kind=kind, path=file, unit_key=unit, partnership_key=partnership
            )
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(file)s: %(count)d bad row(s); nothing was imported.")
                % {"file": file, "count": len({error.line for error in failed.errors})}
            ) from None
        except SamverkanError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "%(file)s: %(read)d row(s) read, %(added)d added, "
                "%(skipped)d already there (unit %(unit)s)."
            )
            % {
                "file": file,
                "read": result.rows_read,
                "added": result.rows_added,
                "skipped": result.rows_skipped,
                "unit": result.unit.key,
            }
        )
