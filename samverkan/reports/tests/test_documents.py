"""Committee documents written from the demo's data: the source document's figures in sentences,
nothing small at the public level, a PDF/A-2b file and a DOCX that reopens."""

import io
import re

import pytest
from django.core.management import call_command

from samverkan.demo.services import demo_build
from samverkan.reports.content import report_document
from samverkan.reports.models import Report
from samverkan.reports.render import render
from samverkan.statistics.engine import INTERNAL, PUBLIC

pytestmark = pytest.mark.django_db

# Each figure of the source document's report section, as the sentences write it.
SOURCE_FIGURES = [
    "612 chattsamtal",
    "228 med boende",
    "151 identifierade sig som tjejer och 35 som killar",
    "152 samtal om våldsutsatthet och 13 om våldsutövande",
    "drygt 17 år",
    "21 besökare",
    "16 personer boende i Stockholms stad",
    "Tolv av dem är tjejer",
    "fyra är killar",
    "Samtliga dessa samtalsserier pågår",
    "813 inkomna ärenden, varav 389 flickor och 413 pojkar",
    "knappt 16 år",
    "drygt 15 år",
    "Tio personer (varav två pojkar)",
    "den yngsta bara 13 år gammal",
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo, _created = demo_build(seed=2022)
        yield demo
        from samverkan.demo.services import demo_remove

        demo_remove()


def _interim() -> Report:
    return Report.objects.get(kind="interim", date_from="2022-01-01", date_to="2022-05-31")


def test_internal_interim_report_has_every_figure_of_the_source_document(demo):
    document = report_document(_interim(), disclosure=INTERNAL)
    text = re.sub(r"\s+", " ", document.text())
    missing = [figure for figure in SOURCE_FIGURES if figure not in text]
    assert missing == []


def test_public_document_has_no_count_below_the_threshold(demo):
    document = report_document(_interim(), disclosure=PUBLIC)
    threshold = document.threshold
    written = [(path, value) for path, value in document.writer.written]
    assert written, "the sentences and tables wrote counts"
    small = [
        (path, value) for path, value in written if value is not None and 0 < value < threshold
    ]
    assert small == []
    chart_values = [
        value
        for section in document.sections
        for block in section.blocks
        if hasattr(block, "chart")
        for _category, values in block.chart.rows()
        for value in values
    ]
    assert chart_values and not [v for v in chart_values if v is not None and 0 < v < threshold]
    # And in the words: no small number written out as a count in the generated text.
    generated = report_document(_interim(), disclosure=PUBLIC)
    generated.sections = [
        s for s in generated.sections if s.heading.startswith(("Delrapport", "Jämställdhetsanalys"))
    ]
    text = generated.text()
    assert not re.search(r"\b(två|tre|fyra)\b", text)
    digits = re.findall(r"(?<![\d.,/-])(\d+)(?![\d.,/-]|\s?%)", text)
    assert not [d for d in digits if 0 < int(d) < threshold]
    assert "ett litet antal" in text


def test_pdf_is_pdf_a_2b_with_embedded_fonts(demo, tmp_path):
    import pikepdf

    data = render(report_document(_interim(), disclosure=PUBLIC), "pdf")
    pdf = pikepdf.open(io.BytesIO(data))
    meta = pdf.open_metadata()
    assert meta.get("pdfaid:part") == "2" and meta.get("pdfaid:conformance") == "B"
    assert "/OutputIntents" in pdf.Root
    fonts = []
    for page in pdf.pages:
        resources = page.obj.get("/Resources", {})
        for font in resources.get("/Font", {}).values():
            descriptor = font.get("/FontDescriptor") or font.get("/DescendantFonts", [{}])[0].get(
                "/FontDescriptor"
            )
            fonts.append(descriptor)
    assert fonts and all(
        d is not None and any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        for d in fonts
    )


def test_docx_reopens_with_the_expected_headings(demo, tmp_path):
    from docx import Document

    path = tmp_path / "rapport.docx"
    call_command(
        "report",
        "interim",
        "--from",
        "2022-01-01",
        "--to",
        "2022-05-31",
        "--format",
        "docx",
        "-o",
        str(path),
    )
    word = Document(str(path))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    for expected in [
        "Förvaltningens förslag till beslut",
        "Sammanfattning",
        "Bakgrund",
        "Ärendets beredning",
        "Ärendet",
        "Syfte och mål med partnerskapet",
        "Målgrupp",
        "Åtaganden",
        "Jämställdhetsanalys",
        "Förvaltningens synpunkter och förslag",
    ]:
        assert expected in headings
    header = " ".join(p.text for p in word.sections[0].header.paragraphs)
    assert "Dnr 1.3.2-266/2022" in header
    assert word.inline_shapes, "the charts are pictures in the document"
