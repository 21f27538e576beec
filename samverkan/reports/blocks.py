"""The parts of a committee document that the renderers (HTML, PDF, DOCX) share: sections of
paragraphs, lists, tables and charts, and the document that holds them (reports/content.py
writes it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from samverkan.reports import sentences
from samverkan.statistics import charts


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class ChartBlock:
    chart: charts.Chart


Block = Paragraph | Bullets | Table | ChartBlock


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    key: str = ""  # the drafted text it holds, if any: the editor's preview scrolls to it


@dataclass
class Document:
    title: str
    kind_label: str
    reference: str
    date: datetime.date
    partnership: str
    disclosure: str
    threshold: int | None
    sections: list[Section]
    writer: sentences.Writer
    language: str
    # The sentences written from the figures, by the drafted text they follow (the editor
    # shows them beside that text).
    generated: dict[str, list[str]] = field(default_factory=dict)

    def text(self) -> str:
        """All the document's text, tables and chart data as plain text (for checks)."""
        parts = [self.title, self.reference]
        for section in self.sections:
            parts.append(section.heading)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    parts.append(block.text)
                elif isinstance(block, Bullets):
                    parts.extend(block.items)
                elif isinstance(block, Table):
                    parts.append(block.caption)
                    parts.extend(" | ".join(row) for row in [block.header, *block.rows])
                elif isinstance(block, ChartBlock):
                    parts.append(block.chart.title)
                    for category, values in block.chart.rows():
                        parts.append(
                            " | ".join([category, *("" if v is None else str(v) for v in values)])
                        )
        return "\n".join(parts)


def prose_blocks(text: str) -> list[Block]:
    """A drafted section: paragraphs split by blank lines; lines starting '- ' or '• ' a list."""
    blocks: list[Block] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith(("- ", "• ")) for line in lines):
            blocks.append(Bullets([line[2:].strip() for line in lines]))
        else:
            blocks.append(Paragraph(" ".join(lines)))
    return blocks
