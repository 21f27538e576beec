"""Charts of the statistics: one definition each, drawn for the web page and for documents.

A chart is first a `Chart` — plain data: title, categories, series, and which cells disclosure
control hid. The dashboard renders it as SVG beside an accessible table of the same numbers, and
the committee documents render the very same `Chart` as SVG (HTML and PDF, `document_svg`) or
PNG (DOCX). The dashboard's SVG and the DOCX's PNG are drawn by matplotlib on the server; the
documents' SVG is written here directly (plain bars, the same palette and hatching), which spares
the committee PDF matplotlib's import and WeasyPrint the hatching's thousands of paths. Charts
need no JavaScript and look the same everywhere.

Charts are drawn with the object-oriented API (`Figure`, never `pyplot`): pyplot keeps global
state and is not safe in a threaded server.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import json
import textwrap
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.core.cache import cache
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from samverkan.records.models import ChatConcern, Gender
from samverkan.statistics.figures import HIDDEN_MARK, read

# Okabe & Ito's palette: told apart by people with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Hatching as a second cue besides colour (WCAG 1.4.1: colour is not the only means).
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo", "--"]


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int | None]  # None: hidden by disclosure control


@dataclass(frozen=True)
class Chart:
    """What a chart shows; rendering is separate so web and documents share the definition."""

    key: str
    title: str
    category_label: str
    value_label: str
    categories: list[str]
    series: list[Series]
    stacked: bool = True
    note: str = ""
    hidden_cells: int = field(default=0)

    @property
    def is_empty(self) -> bool:
        """Nothing to draw: no category, or no cell above 0 among those shown."""
        return not self.categories or all(
            not value for s in self.series for value in s.values if value is not None
        )

    @property
    def is_protected(self) -> bool:
        """Nothing to draw because disclosure control hid cells: the reader is told so, never
        that nothing was registered (a hidden cell may be 0 or a small count, and the page
        must not say which)."""
        return self.is_empty and bool(self.categories) and self.hidden_cells > 0

    def rows(self) -> list[tuple[str, list[int | None]]]:
        """The numbers as table rows: one per category, one column per series."""
        return [
            (category, [s.values[i] for s in self.series])
            for i, category in enumerate(self.categories)
        ]

    def shown_rows(self) -> list[tuple[str, list[str]]]:
        """The table's rows as written on a page: numbers grouped as in the reader's language,
        ".." for a hidden cell (formatted here once, not by a template filter per cell)."""
        return [
            (
                category,
                [
                    HIDDEN_MARK if value is None else number_format(value, force_grouping=True)
                    for value in values
                ],
            )
            for category, values in self.rows()
        ]

    def digest(self) -> str:
        payload = json.dumps(
            [self.title, self.categories, [(s.label, s.values) for s in self.series], self.stacked],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return date_format(datetime.date(int(year), int(number), 1), "M Y")


def conversations_by_month(stats: dict[str, Any]) -> Chart:
    """Chat conversations per month, stacked by what the conversation was about."""
    months = sorted((read(stats, "chat.by_month") or {}).keys())
    series = []
    hidden = 0
    for concern in ChatConcern:
        values = []
        for month in months:
            value = read(stats, f"chat.by_month.{month}.{concern.value}")
            hidden += value is None
            values.append(value)
        series.append(Series(capfirst(str(concern.label)), values))
    return Chart(
        key="conversations-by-month",
        title=_("Chat conversations per month, by concern"),
        category_label=_("Month"),
        value_label=_("Conversations"),
        categories=[_month_label(m) for m in months],
        series=series,
        hidden_cells=hidden,
    )


GENDERS = [Gender.GIRL, Gender.BOY, Gender.OTHER, "unknown"]


def _gender_label(gender: str) -> str:
    if gender == "unknown":
        return pgettext("gender", "not known")
    return str(Gender(gender).label)


def gender_breakdown(stats: dict[str, Any]) -> Chart:
    """Gender of the residents in chat, of the clinic's resident clients and of the cases."""
    groups = [
        (_("Chat (residents)"), "chat.residents.by_gender"),
        (_("Clinic (residents)"), "clinic.residents.by_gender"),
        (_("Support-centre cases"), "support_centre.by_gender"),
    ]
    series = []
    hidden = 0
    for gender in GENDERS:
        values = []
        for _label, path in groups:
            value = read(stats, f"{path}.{gender}")
            hidden += value is None
            values.append(value)
        series.append(Series(capfirst(_gender_label(gender)), values))
    return Chart(
        key="gender",
        title=_("Gender, by part of the partnership"),
        category_label=_("Part of the partnership"),
        value_label=_("Number"),
        categories=[label for label, _path in groups],
        series=series,
        stacked=False,
        hidden_cells=hidden,
    )


def referral_funnel(stats: dict[str, Any], destinations: dict[str, str]) -> Chart:
    """Referral codes issued in the period and how many of them have arrived, by destination."""
    series = []
    hidden = 0
    for stage, label in (("issued", _("Issued")), ("arrived", _("Arrived"))):
        values = []
        for key in destinations:
            value = read(stats, f"referrals.{stage}.by_destination.{key}")
            hidden += value is None
            values.append(value)
        series.append(Series(str(label), values))
    return Chart(
        key="referral-funnel",
        title=_("Referral codes issued in the period, and arrived so far, by destination"),
        category_label=_("Destination"),
        value_label=_("Referral codes"),
        categories=list(destinations.values()),
        series=series,
        stacked=False,
        hidden_cells=hidden,
    )


def residents_by_district(stats: dict[str, Any], districts: dict[str, str]) -> Chart:
    """Chat conversations with residents, by the district they said they live in."""
    keys = [*districts, "unknown"]
    values = [read(stats, f"chat.residents.by_district.{key}") for key in keys]
    return Chart(
        key="residents-by-district",
        title=_("Chat conversations with residents, by district"),
        category_label=_("District"),
        value_label=_("Conversations"),
        categories=[*districts.values(), capfirst(pgettext("district", "not known"))],
        series=[Series(_("Conversations"), values)],
        stacked=False,
        hidden_cells=sum(value is None for value in values),
    )


def wrap_label(label: str, width: int = 16) -> str:
    """A category label broken over lines between words only: a word longer than the line
    stays whole ("Samtalsmottagningen", never "Samtalsmottagnin" and "gen")."""
    return textwrap.fill(label, width, break_long_words=False, break_on_hyphens=False)


def render_svg(chart: Chart) -> str:
    """The chart as an SVG element for a web page (text kept as text, ids stable), cached."""
    key = f"chart-svg:{chart.digest()}"
    svg = cache.get(key)
    if svg is None:
        svg = _draw(chart, "svg").decode()
        svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: it goes inline
        svg = _unique_ids(svg, f"c{chart.digest()[:8]}-")
        cache.set(key, svg, 60 * 60)
    return svg


def _unique_ids(svg: str, prefix: str) -> str:
    """Prefix the SVG's element ids, so that several charts inline in one page never share one
    (matplotlib derives ids from content, and two charts can draw the same hatch pattern)."""
    return (
        svg.replace(' id="', f' id="{prefix}')
        .replace("url(#", f"url(#{prefix}")
        .replace('xlink:href="#', f'xlink:href="#{prefix}')
    )


# The documents' SVG, written by hand --------------------------------------------------------
#
# The committee PDF drew its charts with matplotlib: importing it and drawing took about a second
# and a quarter of the command, and its hatching (each hatch line a path of its own) half of
# WeasyPrint's time writing the PDF. The documents' charts are plain bars, so they are written
# here as SVG directly: the same size, palette, hatching (as SVG patterns: one tile per series,
# which the PDF repeats) and grid as matplotlib's, with text kept as text. The numbers stay in the
# table beside each chart and in its alternative text.

SVG_WIDTH, SVG_HEIGHT = 576.0, 259.2  # points: matplotlib's 8 x 3.6 inches
_FONT_SIZE = 10.0
# Advance widths of DejaVu Sans in ems, by classes of letters: enough to place labels and the
# legend without reading a font file (WeasyPrint draws the text with the real font).
_WIDTHS = (
    ("ijlI.,:;'|!", 0.30),
    (" ", 0.32),
    ("frt()-/[]", 0.38),
    ("s", 0.52),
    ("ckvxyz", 0.58),
    ("0123456789", 0.64),
    ("m", 0.97),
    ("w", 0.82),
    ("MOQÖÆŒ", 0.80),
    ("W", 0.99),
    ("%", 0.95),
)
_WIDTH = {char: width for chars, width in _WIDTHS for char in chars}


def _text_width(text: str, size: float = _FONT_SIZE) -> float:
    return size * sum(_WIDTH.get(c, 0.70 if c.isupper() else 0.62) for c in text)


def _number(value: float) -> str:
    return f"{value:g}"


def _ticks(top: int) -> list[int]:
    """Whole-number ticks from 0 past the largest bar: 1, 2, 2.5 or 5 times a power of ten
    apart, five to nine of them, as matplotlib chooses."""
    if top <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for factor in (1, 2, 5) if magnitude < 10 else (1, 2, 2.5, 5):
            step = factor * magnitude
            if top / step <= 8:
                count = -(-top // step)  # ceiling
                return [round(step * i) for i in range(int(count) + 1)]
        magnitude *= 10


def _pattern(hatch: str, pattern_id: str) -> str:
    """A tile of white hatching, repeated over each bar drawn in its series' colour (the tile has
    no background: a viewer's seams between tiles would otherwise show as a white grid)."""
    lines = {
        "//": '<path d="M-2 2L2-2M0 8L8 0M6 10L10 6"/>',
        "\\\\": '<path d="M-2 6L2 10M0 0L8 8M6-2L10 2"/>',
        "xx": '<path d="M-2 2L2-2M0 8L8 0M6 10L10 6M-2 6L2 10M0 0L8 8M6-2L10 2"/>',
        "--": '<path d="M0 4H8"/>',
        "++": '<path d="M0 4H8M4 0V8"/>',
        "..": '<circle cx="2" cy="2" r="0.9" fill="#fff"/><circle cx="6" cy="6" r="0.9"/>',
        "oo": '<circle cx="4" cy="4" r="2.2" fill="none"/>',
    }[hatch]
    return (
        f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="8" height="8">'
        f'<g stroke="#fff" stroke-width="0.8" fill="#fff">{lines}</g></pattern>'
    )


def _bar(  # noqa: PLR0913
    x: float, y: float, width: float, height: float, index: int, prefix: str, *, edge: bool = False
) -> str:
    """A bar (or legend key) in its series' colour, with the series' hatching over it; a bar is
    edged in white, as matplotlib's were, so that stacked bars stay apart."""
    box = f'x="{x:.2f}" y="{y:.2f}" width="{width:.2f}" height="{height:.2f}"'
    stroke = ' stroke="#fff" stroke-width="0.6"' if edge else ""
    drawn = f'<rect {box} fill="{PALETTE[index % len(PALETTE)]}"{stroke}/>'
    if HATCHES[index % len(HATCHES)]:
        drawn += f'<rect {box} fill="url(#{prefix}s{index})"/>'
    return drawn


def _svg_text(x: float, y: float, text: str, **attributes: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attributes.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(text)}</text>'


def document_svg(chart: Chart) -> str:
    """The chart as an inline SVG element for the committee documents (HTML, PDF): bars with
    a second cue beside colour (hatching), a grid, axis labels and a legend; text kept as text."""
    prefix = f"c{chart.digest()[:8]}-"
    series = chart.series or [Series("", [0] * len(chart.categories))]
    count = len(series)
    values = [[value or 0 for value in s.values] for s in series]
    if chart.stacked:
        top = max((sum(column) for column in zip(*values, strict=True)), default=0)
    else:
        top = max((v for row in values for v in row), default=0)
    ticks = _ticks(top)

    legend_width = max(_text_width(s.label) for s in series) + 30
    legend_x = SVG_WIDTH - legend_width - 4
    many = len(chart.categories) > 8
    # The plot's box: room for the value label and numbers on the left, the categories below.
    left = 6 + _FONT_SIZE * 1.2 + max(_text_width(_number(t)) for t in ticks) + 8
    right = legend_x - 12
    slots = max(len(chart.categories), 1)
    slot = (right - left) / slots
    if many:
        labels = [[c] for c in chart.categories]
        label_size = _FONT_SIZE
        label_room = max((_text_width(c) for c in chart.categories), default=0) * 0.71 + 14
    else:
        labels = [wrap_label(c).split("\n") for c in chart.categories]
        widest = max((_text_width(line) for lines in labels for line in lines), default=0)
        # A word longer than its slot is set smaller, not over its neighbour's.
        label_size = (
            _FONT_SIZE if widest <= slot - 4 else max(6.0, _FONT_SIZE * (slot - 4) / widest)
        )
        label_room = max((len(lines) for lines in labels), default=1) * label_size * 1.2 + 10
    top_y, bottom_y = 8.0, SVG_HEIGHT - 6 - label_room
    scale = (bottom_y - top_y) / ticks[-1]

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH:g}pt" '
        f'height="{SVG_HEIGHT:g}pt" viewBox="0 0 {SVG_WIDTH:g} {SVG_HEIGHT:g}" '
        f'font-family="DejaVu Sans" font-size="{_FONT_SIZE:g}" fill="#000">',
        "<defs>",
        *(
            _pattern(HATCHES[i % len(HATCHES)], f"{prefix}s{i}")
            for i in range(count)
            if HATCHES[i % len(HATCHES)]
        ),
        "</defs>",
    ]
    # The grid and the value axis: each kind of line one path (fewer elements to draw).
    heights = [bottom_y - tick * scale for tick in ticks]
    grid = "".join(f"M{left:.1f} {y:.1f}H{right:.1f}" for y in heights)
    marks = "".join(f"M{left - 3.5:.1f} {y:.1f}H{left:.1f}" for y in heights)
    out.append(f'<path d="{grid}" stroke="#d0d0d0" stroke-width="0.6"/>')
    out.append(f'<path d="{marks}" stroke="#000" stroke-width="0.8"/>')
    out.append('<g text-anchor="end">')
    out.extend(
        _svg_text(left - 6, y + 3.5, _number(tick)) for tick, y in zip(ticks, heights, strict=True)
    )
    out.append("</g>")
    middle = (top_y + bottom_y) / 2
    out.append(
        _svg_text(
            0,
            0,
            chart.value_label,
            text_anchor="middle",
            transform=f"translate({6 + _FONT_SIZE:.1f} {middle:.1f}) rotate(-90)",
        )
    )
    # The bars: a rectangle each, filled with its series' tile, edged in white as matplotlib's.
    width = slot * (0.8 if chart.stacked else 0.8 / count)
    bottoms = [0] * len(chart.categories)
    for index, row in enumerate(values):
        for position, value in enumerate(row):
            if chart.stacked:
                x = left + slot * (position + 0.1)
                base = bottoms[position]
                bottoms[position] += value
            else:
                x = left + slot * (position + 0.1) + width * index
                base = 0
            if value:
                y = bottom_y - (base + value) * scale
                out.append(_bar(x, y, width, value * scale, index, prefix, edge=True))
    # The axes' lines, the category ticks and their labels.
    out.append(
        f'<path d="M{left:.1f} {top_y:.1f}V{bottom_y:.1f}H{right:.1f}" fill="none" '
        'stroke="#000" stroke-width="0.8"/>'
    )
    centres = [left + slot * (position + 0.5) for position in range(len(labels))]
    marks = "".join(f"M{x:.1f} {bottom_y:.1f}v3.5" for x in centres)
    if marks:
        out.append(f'<path d="{marks}" stroke="#000" stroke-width="0.8"/>')
    for x, lines in zip(centres, labels, strict=True):
        if many:
            out.append(
                _svg_text(
                    0,
                    0,
                    lines[0],
                    text_anchor="end",
                    transform=f"translate({x + 3:.1f} {bottom_y + 10:.1f}) rotate(-45)",
                )
            )
        else:
            for number, line in enumerate(lines):
                y = bottom_y + 6 + label_size * (1.0 + 1.2 * number)
                out.append(
                    _svg_text(x, y, line, text_anchor="middle", font_size=f"{label_size:.2f}")
                )
    # The legend, to the right of the plot.
    if any(s.label for s in series):
        for index, s in enumerate(series):
            y = top_y + 4 + 15 * index
            out.append(_bar(legend_x, y, 20, 7, index, prefix))
            out.append(_svg_text(legend_x + 28, y + 7, s.label))
    out.append("</svg>\n")  # as matplotlib's ended: the page around it is as it was
    return "".join(out)


def render_png(chart: Chart, *, dpi: int = 200) -> bytes:
    """The chart as PNG for documents (DOCX)."""
    return _draw(chart, "png", dpi=dpi)


def _draw(chart: Chart, fmt: str, dpi: int = 100) -> bytes:
    from matplotlib.figure import Figure

    _configure()
    figure = Figure(figsize=(8, 3.6), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(chart.categories)))
    count = max(len(chart.series), 1)
    width = 0.8 if chart.stacked else 0.8 / count
    bottoms = [0] * len(positions)
    for index, series in enumerate(chart.series):
        values = [value or 0 for value in series.values]
        if chart.stacked:
            x = positions
        else:
            x = [p - 0.4 + width * (index + 0.5) for p in positions]
        axes.bar(
            x,
            values,
            width=width,
            bottom=bottoms if chart.stacked else None,
            label=series.label,
            color=PALETTE[index % len(PALETTE)],
            hatch=HATCHES[index % len(HATCHES)],
            edgecolor="white",
            linewidth=0.6,
        )
        if chart.stacked:
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    many = len(chart.categories) > 8
    # A few long names break over lines; many names slant so that they do not overlap.
    labels = chart.categories if many else [wrap_label(c) for c in chart.categories]
    axes.set_xticks(positions, labels)
    axes.set_ylabel(chart.value_label)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.grid(True, color="#d0d0d0", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if many:
        for label in axes.get_xticklabels():
            label.set_rotation(45)
            label.set_horizontalalignment("right")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else {})
    return buffer.getvalue()


@functools.cache
def _configure() -> None:
    import matplotlib

    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: selectable, translatable, small
            "svg.hashsalt": "samverkan",  # stable element ids: same chart, same bytes
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "hatch.linewidth": 0.6,
            "hatch.color": "white",
        }
    )
