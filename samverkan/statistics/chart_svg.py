"""The committee documents' charts as SVG, written by hand (HTML and PDF): see below."""

from __future__ import annotations

from html import escape

from samverkan.statistics.chart_base import HATCHES, PALETTE, Chart, Series, wrap_label

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
