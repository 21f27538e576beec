"""Writing a Document as HTML, PDF/A-2b (WeasyPrint, from the same HTML) or DOCX (python-docx,
from a Word template a municipality can swap for its own letterhead)."""

from __future__ import annotations

import copy
import io
import logging
import re
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samverkan.reports.content import Bullets, ChartBlock, Document, Paragraph, Table
from samverkan.statistics.charts import render_png, render_svg

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


def document_html(document: Document, *, for_print: bool = False) -> str:
    blocks = []
    for section in document.sections:
        rendered = []
        for block in section.blocks:
            if isinstance(block, ChartBlock):
                rendered.append(("chart", block.chart, render_svg(block.chart)))
            else:
                rendered.append((type(block).__name__.lower(), block, None))
        blocks.append((section, rendered))
    return render_to_string(
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


def document_pdf(document: Document) -> bytes:
    from weasyprint import HTML

    # WeasyPrint's CSS parser warns about every SVG presentation property (fill, stroke, ...)
    # of the inline charts, which its SVG renderer then uses all the same: noise, not news.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)

    html = document_html(document, for_print=True)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/a-2b", pdf_identifier=False, uncompressed_pdf=False
    )


def _docx_template() -> Path:
    configured = getattr(settings, "SAMVERKAN_REPORT_DOCX_TEMPLATE", "")
    return Path(configured) if configured else DEFAULT_DOCX_TEMPLATE


def document_docx(document: Document) -> bytes:
    from docx import Document as WordDocument
    from docx.shared import Cm

    word = WordDocument(str(_docx_template()))
    _fill_header(word, document)
    body = word.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):  # keep the page set-up, drop sample content
            body.remove(child)
    word.core_properties.title = document.title
    word.core_properties.language = document.language
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
                word.add_picture(io.BytesIO(render_png(block.chart)), width=Cm(16))
                _docx_table(
                    word,
                    Table(
                        block.chart.title,
                        [block.chart.category_label, *(s.label for s in block.chart.series)],
                        [
                            [category, *(".." if v is None else str(v) for v in values)]
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
    return _(
        "Figures are protected for publication: counts from 1 to %(max)d read “fewer than "
        "%(n)d”, and counts that would reveal them are protected (..)."
    ) % {"max": document.threshold - 1, "n": document.threshold}


def _docx_table(word, table: Table) -> None:  # noqa: ANN001 - a python-docx Document
    grid = word.add_table(rows=1, cols=len(table.header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in table.rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    word.add_paragraph(table.caption, style="Caption")


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
