"""samverkan report KIND --from D --to D --format docx|pdf|html [--disclosure ...] [-o FILE]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError
from samverkan.dashboard.periods import Period
from samverkan.partnership.commands import (
    add_partnership_option,
    date_argument,
    partnership_chosen,
)
from samverkan.reports.content import build_document, report_document
from samverkan.reports.models import Report
from samverkan.reports.render import FORMATS, render
from samverkan.reports.services import previous_report
from samverkan.statistics.engine import DISCLOSURE_LEVELS, PUBLIC
from samverkan.statistics.release import PublicPeriodError


class Command(BaseCommand):
    help = (
        "Write a committee document (interim, activity or annual report) from the data, with "
        "public disclosure control unless --disclosure internal."
    )
    # The system checks load the URL configuration, and with it every view and what they
    # import: `samverkan check`'s and the server's work, not each document's (as `import`).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=Report.Kind.values)
        parser.add_argument("--from", dest="date_from", required=True)
        parser.add_argument("--to", dest="date_to", required=True)
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="pdf")
        parser.add_argument("--disclosure", choices=DISCLOSURE_LEVELS, default=PUBLIC)
        parser.add_argument("-o", "--output", help="File to write; standard output if left out.")
        add_partnership_option(parser)
        parser.add_argument("--reference", default="", help="Reference number (Dnr).")
        parser.add_argument("--language", default="sv", choices=["sv", "en"])

    def handle(
        self,
        *args,
        kind,
        date_from,
        date_to,
        fmt,
        disclosure,
        output,
        partnership,  # noqa: ANN001, ANN003, PLR0913
        reference,
        language,
        **options,
    ) -> None:
        period_from, period_to = date_argument(date_from), date_argument(date_to)
        if period_to < period_from:
            raise CommandError(_("The period ends before it starts."))
        chosen = partnership_chosen(partnership)
        stored = Report.objects.filter(
            partnership=chosen, kind=kind, date_from=period_from, date_to=period_to
        ).first()
        with translation.override(language):
            try:
                if stored is not None:
                    document = report_document(stored, disclosure=disclosure, language=language)
                else:
                    # No drafted report for the period: the prose of the previous report.
                    earlier = previous_report(chosen, period_to)
                    document = build_document(
                        partnership=chosen,
                        kind=kind,
                        period=Period(period_from, period_to),
                        reference=reference,
                        document_date=timezone.localdate(),
                        drafts=dict(earlier.sections.values_list("key", "text")) if earlier else {},
                        disclosure=disclosure,
                        language=language,
                    )
                data = render(document, fmt)
            except PublicPeriodError as error:
                raise CommandError(str(error), returncode=2) from error
            except SamverkanError as error:
                raise CommandError(str(error)) from error
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(_("Wrote %(path)s.") % {"path": output})
        else:
            sys.stdout.buffer.write(data)
