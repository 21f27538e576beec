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
import io
from typing import Any

from django.core.cache import cache
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from samverkan.statistics.chart_base import HATCHES, PALETTE, Chart, Series, wrap_label
from samverkan.statistics.chart_svg import document_svg
from samverkan.statistics.facts import CHAT_BY_CONCERN, GENDER
from samverkan.statistics.figures import read

# What a chart is (chart_base.py) and the documents' hand-written SVG (chart_svg.py) have homes
# of their own; the dashboard and the documents import them from here with the drawings.
__all__ = [
    "Chart",
    "Series",
    "conversations_by_month",
    "document_svg",
    "gender_breakdown",
    "referral_funnel",
    "render_png",
    "render_svg",
    "residents_by_district",
    "wrap_label",
]


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return date_format(datetime.date(int(year), int(number), 1), "M Y")


def conversations_by_month(stats: dict[str, Any]) -> Chart:
    """Chat conversations per month, stacked by what the conversation was about."""
    months = sorted((read(stats, "chat.by_month") or {}).keys())
    series = []
    hidden = 0
    for concern, label in CHAT_BY_CONCERN.dimension("concern").labels().items():
        values = []
        for month in months:
            value = read(stats, f"chat.by_month.{month}.{concern}")
            hidden += value is None
            values.append(value)
        series.append(Series(capfirst(str(label)), values))
    return Chart(
        key="conversations-by-month",
        title=_("Chat conversations per month, by concern"),
        category_label=_("Month"),
        value_label=_("Conversations"),
        categories=[_month_label(m) for m in months],
        series=series,
        hidden_cells=hidden,
    )


GENDERS = list(GENDER.labels())
"""Girl, boy, other gender, unknown: the declared dimension's values, in its order."""


def _gender_label(gender: str) -> str:
    if gender == "unknown":
        return pgettext("gender", "not known")
    return str(GENDER.labels()[gender])


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
