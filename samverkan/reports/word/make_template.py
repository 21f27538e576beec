"""Make the default Word template of committee documents (report-template.docx).

A municipality replaces the file with its own letterhead (setting SAMVERKAN_REPORT_DOCX_TEMPLATE):
the document is written into the template's body, and these placeholders in its headers are
filled in: {reference} (Dnr), {date}, {title}, {page} and {pages} (Word's page fields). The
template must have the styles Heading 1, Heading 2, List Bullet, Table Grid and Caption (Word's
built-in ones). Run: python -m samverkan.reports.word.make_template
"""

from pathlib import Path

from docx import Document
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.shared import Cm, Pt


def make(path: Path) -> None:
    word = Document()
    section = word.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    normal = word.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    for name, size in (("Heading 1", 16), ("Heading 2", 13)):
        style = word.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
    word.styles["Caption"].font.size = Pt(9)
    header = section.header
    first = header.paragraphs[0]
    first.text = "Tjänsteutlåtande\tSida {page} ({pages})"
    first.paragraph_format.tab_stops.add_tab_stop(Cm(16), WD_TAB_ALIGNMENT.RIGHT)
    header.add_paragraph("Dnr {reference}")
    header.add_paragraph("{date}")
    word.add_paragraph("")  # the body is replaced by the document
    word.save(str(path))


if __name__ == "__main__":
    make(Path(__file__).with_name("report-template.docx"))
