"""Writing a Document as HTML, tagged PDF (PDF/UA-1 and PDF/A-2b, WeasyPrint, from the same HTML)
or DOCX (python-docx, from a Word template a municipality can swap for its own letterhead).

Both documents are for screen readers as much as for print (the Swedish law on accessibility of
digital public services): headings are headings, tables have header cells, each chart has an
alternative text written from its own numbers, and the language is set.
"""

from __future__ import annotations

import copy
import functools
import io
import re
from html import escape
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samverkan.reports import pdf
from samverkan.reports.content import Bullets, ChartBlock, Document, Paragraph, Table

# The PDF's parts, now in reports.pdf, named here as before (benchmarks/report.py uses them).
from samverkan.reports.pdf import (  # noqa: F401
    PDF_VARIANT,
    _accessible_metadata,
    _libraries_found_by_one_ldconfig,
    _scope_table_headers,
)
from samverkan.statistics.charts import Chart, document_svg, render_png
from samverkan.statistics.figures import HIDDEN_MARK

FORMATS = ("html", "pdf", "docx")
DEFAULT_DOCX_TEMPLATE = Path(__file__).parent / "word" / "report-template.docx"


def render(document: Document, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    with translation.override(document.language):
        if fmt == "html":
            return document_html(document).encode()
        if fmt == "pdf":
            return document_pdf(document)
        return document_docx(document)


def chart_alt(chart: Chart) -> str:
    """A chart's alternative text, from its own data table: what a screen reader says."""
    hidden = _("protected")
    rows = []
    for category, values in chart.rows():
        if len(chart.series) == 1:
            value = values[0]
            rows.append(f"{category} {hidden if value is None else value}")
        else:
            parts = ", ".join(
                f"{series.label} {hidden if value is None else value}"
                for series, value in zip(chart.series, values, strict=True)
            )
            rows.append(f"{category}: {parts}")
    return _("Chart: %(title)s. %(value_label)s by %(category_label)s: %(rows)s.") % {
        "title": chart.title,
        "value_label": chart.value_label,
        "category_label": chart.category_label.lower(),
        "rows": "; ".join(rows),
    }


def _svg_with_title(svg: str, alt: str) -> str:
    """The SVG with a <title>: its accessible name on the page, its /Alt in the tagged PDF."""
    start = svg.index(">", svg.index("<svg")) + 1
    return f"{svg[:start]}<title>{escape(alt)}</title>{svg[start:]}"


def document_html(document: Document, *, for_print: bool = False) -> str:
    blocks = []
    for section in document.sections:
        rendered = []
        for block in section.blocks:
            if isinstance(block, ChartBlock):
                alt = chart_alt(block.chart)
                rendered.append(
                    ("chart", block.chart, _svg_with_title(document_svg(block.chart), alt))
                )
            else:
                rendered.append((type(block).__name__.lower(), block, None))
        blocks.append((section, rendered))
    return _document_engine().render_to_string(
        "reports/document.html",
        {
            "document": document,
            "sections": blocks,
            "for_print": for_print,
            "disclosure_note": _disclosure_note(document)
            if document.disclosure == "public"
            else "",
        },
    )


@functools.cache
def _document_engine():  # noqa: ANN202 - a django.template.Engine
    """The document's template engine: the project's template folders, and only the tag
    libraries the document loads. Django's own engine imports every installed app's tag
    libraries when first used (Django REST framework's pull in psycopg, requests and pygments):
    about a third of a second of `samverkan report`'s start, for a template that needs two."""
    from django.template import Engine

    options = settings.TEMPLATES[0]
    return Engine(
        dirs=[str(folder) for folder in options["DIRS"]],
        app_dirs=options["APP_DIRS"],
        libraries={
            "i18n": "django.templatetags.i18n",
            "reports": "samverkan.reports.templatetags.reports",
        },
    )


def document_pdf(document: Document) -> bytes:
    return pdf.write_pdf(document_html(document, for_print=True), str(settings.BASE_DIR))


def _docx_template() -> Path:
    configured = getattr(settings, "SAMVERKAN_REPORT_DOCX_TEMPLATE", "")
    return Path(configured) if configured else DEFAULT_DOCX_TEMPLATE


def document_docx(document: Document) -> bytes:
    from docx import Document as WordDocument

    word = WordDocument(str(_docx_template()))
    _fill_header(word, document)
    body = word.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):  # keep the page set-up, drop sample content
            body.remove(child)
    word.core_properties.title = document.title
    word.core_properties.language = document.language
    _set_language(word, document.language)
    word.core_properties.author = document.partnership
    word.add_heading(document.title, level=1)
    for section in document.sections:
        word.add_heading(section.heading, level=section.level)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                word.add_paragraph(block.text)
            elif isinstance(block, Bullets):
                for item in block.items:
                    word.add_paragraph(item, style="List Bullet")
            elif isinstance(block, Table):
                _docx_table(word, block)
            elif isinstance(block, ChartBlock):
                word.add_paragraph(block.chart.title, style="Caption")
                word.add_picture(io.BytesIO(render_png(block.chart)), width=_text_width(word))
                _describe_picture(word, block.chart.title, chart_alt(block.chart))
                _docx_table(
                    word,
                    Table(
                        block.chart.title,
                        [block.chart.category_label, *(s.label for s in block.chart.series)],
                        [
                            [category, *(HIDDEN_MARK if v is None else str(v) for v in values)]
                            for category, values in block.chart.rows()
                        ],
                    ),
                )
    if document.disclosure == "public":
        word.add_paragraph(_disclosure_note(document), style="Caption")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _disclosure_note(document: Document) -> str:
    from samverkan.statistics.release import public_note  # noqa: PLC0415

    return public_note(document.threshold)


TABLE_FONT_SIZES = (10, 9, 8)
"""Points: a table's text, a little smaller than the body's, as in the PDF; smaller still for a
wide table whose longest words would not fit otherwise."""

# A cell's text width estimated from its characters in ems, by classes of letters of a serif
# font of the Times kind (Word's Times New Roman, LibreOffice's metric twin Liberation Serif):
# no font file is read, the template's fonts being the municipality's. Rounded up, bold a tenth
# wider. LibreOffice's and Word's cells have 0.19 cm of margin on each side, and a border.
_NARROW = frozenset("fijlrt.,:;!|'()[]/-1 ")
_WIDE = frozenset("mwæœ%")
_WIDEST = frozenset("MWÆŒ")
_CELL_PADDING_CM = 0.45


def _ems(text: str, *, bold: bool) -> float:
    total = 0.0
    for char in text:
        if char in _NARROW:
            total += 0.33
        elif char in _WIDE:
            total += 0.8
        elif char in _WIDEST:
            total += 0.95
        elif char.isupper():
            total += 0.72
        else:
            total += 0.5
    return total * (1.1 if bold else 1.0) * 1.05


def _text_width(word):  # noqa: ANN001, ANN202 - python-docx Document; a Length
    from docx.shared import Length

    section = word.sections[-1]
    return Length(section.page_width - section.left_margin - section.right_margin)


def _column_widths(table: Table, available_cm: float, size: float) -> list[float] | None:
    """Widths (cm) that fit the page at a font size: no column narrower than its longest word,
    the room left shared by how much each column's longest cell would still need to stand on
    one line. None if the longest words alone do not fit."""
    em_cm = size / 72 * 2.54

    def width(text: str, bold: bool) -> float:
        return _ems(text, bold=bold) * em_cm + _CELL_PADDING_CM

    columns = list(zip(table.header, *table.rows, strict=True))
    least, most = [], []
    for column in columns:
        cells = [(column[0], True), *((text, False) for text in column[1:])]
        least.append(max(width(w, bold) for text, bold in cells for w in text.split() or [""]))
        most.append(max(width(text, bold) for text, bold in cells))
    if sum(least) > available_cm:
        return None
    room = available_cm - sum(least)
    wanted = [m - w for m, w in zip(most, least, strict=True)]
    if sum(wanted) <= room:
        # Everything fits on one line: the spare room to each column alike.
        spare = (room - sum(wanted)) / len(columns)
        return [m + spare for m in most]
    return [w + room * n / sum(wanted) for w, n in zip(least, wanted, strict=True)]


def _table_layout(table: Table, available_cm: float) -> tuple[float, list[float]]:
    """The largest of TABLE_FONT_SIZES at which the table's words fit, and its column widths
    (at the smallest size, shared by the longest words, if none fits)."""
    for size in TABLE_FONT_SIZES:
        widths = _column_widths(table, available_cm, size)
        if widths is not None:
            return size, widths
    size = TABLE_FONT_SIZES[-1]
    least = _column_widths(table, 1e9, size)
    return size, [available_cm * w / sum(least) for w in least]


def _docx_table(word, table: Table) -> None:  # noqa: ANN001 - a python-docx Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    size, widths_cm = _table_layout(table, _text_width(word).cm)
    widths = [Cm(w) for w in widths_cm]
    # The caption first, as in the PDF (<caption>): a screen reader meets it before the table.
    word.add_paragraph(table.caption, style="Caption")
    grid = word.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    grid.autofit = False
    # Fixed widths: Word and LibreOffice then keep them instead of squeezing a column.
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    grid._tbl.tblPr.append(layout)  # noqa: SLF001
    for column, width in zip(grid._tbl.tblGrid.gridCol_lst, widths, strict=True):  # noqa: SLF001
        column.w = width
    header = grid.rows[0]
    # The first row is the table's header: repeated on each page, read as column headers.
    row_properties = header._tr.get_or_add_trPr()  # noqa: SLF001
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row_properties.append(repeat)
    no_split = OxmlElement("w:cantSplit")
    no_split.set(qn("w:val"), "true")
    row_properties.append(no_split)
    for cell, text in zip(header.cells, table.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for texts in table.rows:
        for cell, text in zip(grid.add_row().cells, texts, strict=True):
            cell.text = text
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(size)


def _set_language(word, language: str) -> None:  # noqa: ANN001
    """The text's language in the styles' defaults, where Word and screen readers look for it
    (the core property alone is metadata)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tag = {"sv": "sv-SE", "en": "en-GB"}.get(language, language)
    defaults = word.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        word.styles.element.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), tag)


def _describe_picture(word, title: str, alt: str) -> None:  # noqa: ANN001
    """The last picture's name and alternative text (Word's "Alt Text", read by screen
    readers), on its drawing's wp:docPr."""
    from docx.oxml.ns import qn

    pictures = word.inline_shapes
    properties = pictures[len(pictures) - 1]._inline.find(qn("wp:docPr"))  # noqa: SLF001
    properties.set("title", title)
    properties.set("descr", alt)


PLACEHOLDER = re.compile(r"\{(reference|date|title|page|pages)\}")


def _fill_header(word, document: Document) -> None:  # noqa: ANN001
    """Replace {reference}, {date} and {title} in the template's headers, and {page}/{pages} with
    Word's PAGE and NUMPAGES fields (so Word numbers "Sida X (Y)" itself)."""
    values = {
        "reference": document.reference,
        "date": date_format(document.date, "Y-m-d"),
        "title": document.title,
    }
    for section in word.sections:
        for part in (section.header, section.first_page_header):
            for paragraph in _paragraphs(part):
                for run in list(paragraph.runs):
                    text = run.text
                    if not PLACEHOLDER.search(text):
                        continue
                    pieces = PLACEHOLDER.split(text)
                    run.text = ""
                    anchor = run._r  # noqa: SLF001 - python-docx exposes fields only via XML
                    for index, piece in enumerate(pieces):
                        if index % 2 == 0:
                            if piece:
                                anchor = _insert_text_run(anchor, run, piece)
                        elif piece in ("page", "pages"):
                            anchor = _insert_field(
                                anchor, run, "PAGE" if piece == "page" else "NUMPAGES"
                            )
                        else:
                            anchor = _insert_text_run(anchor, run, values[piece])


def _paragraphs(part):  # noqa: ANN001, ANN202
    yield from part.paragraphs
    for table in part.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _insert_text_run(anchor, model_run, text: str):  # noqa: ANN001, ANN202
    new = copy.deepcopy(model_run._r)  # noqa: SLF001
    for child in list(new):
        if not child.tag.endswith("}rPr"):
            new.remove(child)
    from docx.oxml import OxmlElement

    t = OxmlElement("w:t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    new.append(t)
    anchor.addnext(new)
    return new


def _insert_field(anchor, model_run, instruction: str):  # noqa: ANN001, ANN202
    from docx.oxml import OxmlElement

    field = OxmlElement("w:fldSimple")
    field.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instr", instruction)
    run = copy.deepcopy(model_run._r)  # noqa: SLF001
    for child in list(run):
        if not child.tag.endswith("}rPr"):
            run.remove(child)
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    field.append(run)
    anchor.addnext(field)
    return field
