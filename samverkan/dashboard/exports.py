"""The overview's tables as CSV or XLSX: exactly the numbers on the page, no others.

The rows are the page's own `Overview` (sections and chart tables), so a public reader's export
holds the released values only, and a hidden figure is "..", as on the page. Labels pass through
`records.exports.neutralise`, so no cell can run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from samverkan.dashboard.overview import Overview
from samverkan.records.exports import neutralise
from samverkan.statistics.figures import HIDDEN_MARK

HIDDEN = HIDDEN_MARK


def _cell(value: int | float | None) -> int | float | str:
    return HIDDEN if value is None else value


def overview_tables(overview: Overview) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) of every table on the page, key figures first."""
    tables = []
    period, before = overview.period, overview.previous_period
    header = [
        _("Figure"),
        f"{period.date_from:%Y-%m-%d}–{period.date_to:%Y-%m-%d}",
        f"{before.date_from:%Y-%m-%d}–{before.date_to:%Y-%m-%d}",
    ]
    for section in overview.sections:
        rows = [
            [
                neutralise(("  " if figure.indented else "") + figure.label),
                _cell(figure.value),
                _cell(figure.previous),
            ]
            for figure in section.figures
        ]
        tables.append((section.title, header, rows))
    for chart in overview.charts:
        chart_header = [chart.category_label, *(series.label for series in chart.series)]
        rows = [
            [neutralise(category), *(_cell(value) for value in values)]
            for category, values in chart.rows()
        ]
        tables.append((chart.title, chart_header, rows))
    return tables


def _about(overview: Overview) -> list[str]:
    lines = [
        overview.partnership.name,
        _("Period %(from)s to %(to)s")
        % {"from": overview.period.date_from, "to": overview.period.date_to},
    ]
    if overview.filter_note:
        lines.append(overview.filter_note)
    lines.append(
        overview.note
        or _(
            "Exact figures, for the partnership's internal work: check disclosure control "
            "before you pass them on."
        )
    )
    return lines


def overview_csv(overview: Overview) -> str:
    """Every table one after the other: its title on a line, its header, its rows, a blank."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in _about(overview):
        writer.writerow([neutralise(line)])
    for title, header, rows in overview_tables(overview):
        writer.writerow([])
        writer.writerow([neutralise(title)])
        writer.writerow([neutralise(h) for h in header])
        writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()  # the BOM makes spreadsheet programs read å ä ö


def overview_xlsx(overview: Overview) -> bytes:
    """A sheet of what the figures are, then one sheet per table, numbers kept as numbers."""
    from openpyxl import Workbook  # noqa: PLC0415

    workbook = Workbook(write_only=True)
    about = workbook.create_sheet(_("About")[:31])
    for line in _about(overview):
        about.append([neutralise(line)])
    used: set[str] = {about.title}
    for title, header, rows in overview_tables(overview):
        name = _sheet_name(title, used)
        sheet = workbook.create_sheet(name)
        sheet.append([neutralise(title)])
        sheet.append([neutralise(h) for h in header])
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()[:28]
    name, n = clean, 2
    while name in used:
        name = f"{clean[:25]} ({n})"
        n += 1
    used.add(name)
    return name
