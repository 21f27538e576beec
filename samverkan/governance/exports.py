"""The foundation's financial reports and the payments as CSV or XLSX, one row per line.

Texts pass through `records.exports.neutralise`, so no cell can run as a spreadsheet formula.
Amounts stay numbers in XLSX; headers and category names are in the active language.
"""

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from samverkan.governance.models import FinancialReportLine, Payment
from samverkan.partnership.models import Agreement
from samverkan.records.exports import neutralise


def financial_rows(agreement: Agreement) -> tuple[list[str], list[list]]:
    header = [
        _("Year"),
        _("Status"),
        _("Income or cost"),
        _("Category"),
        _("Budget (SEK)"),
        _("Outcome (SEK)"),
        _("Outcome minus budget (SEK)"),
    ]
    lines = FinancialReportLine.objects.filter(report__agreement=agreement).select_related("report")
    rows = [
        [
            line.report.year,
            line.report.get_status_display(),
            line.get_kind_display(),
            line.get_category_display(),
            line.budget,
            line.outcome,
            line.outcome - line.budget,
        ]
        for line in lines.order_by("report__year", "kind", "pk")
    ]
    return header, [[neutralise(value) for value in row] for row in rows]


def payment_rows(agreement: Agreement) -> tuple[list[str], list[list]]:
    header = [_("For the year"), _("Paid on"), _("Amount (SEK)"), _("Reference")]
    rows = [
        [p.year, p.paid_on.isoformat(), p.amount, p.reference]
        for p in Payment.objects.filter(agreement=agreement)
    ]
    return header, [[neutralise(value) for value in row] for row in rows]


def money_export_csv(agreement: Agreement) -> str:
    """The financial report lines (the payments are in the XLSX's second sheet)."""
    header, rows = financial_rows(agreement)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[str(v) if isinstance(v, Decimal) else v for v in row] for row in rows])
    return "\ufeff" + buffer.getvalue()  # the BOM makes spreadsheet programs read å ä ö


def money_export_xlsx(agreement: Agreement) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, (header, rows) in (
        (_("Financial reports"), financial_rows(agreement)),
        (_("Payments"), payment_rows(agreement)),
    ):
        sheet = workbook.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
