"""The overview's tables: rows written here in one pass rather than by the template engine cell
by cell (a year's page has some 500 cells; per-cell tags and look-ups were most of its cost).
Text is escaped with `html.escape`, which is what Django's `escape` calls (without its lazy
wrapper): the same bytes as the template wrote."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from samverkan.dashboard.figures import HIDDEN, Section, count_format
from samverkan.statistics.charts import Chart, render_svg

register = template.Library()


@register.simple_tag
def chart_svg(chart: Chart) -> SafeString:
    # Safe: the SVG is drawn by matplotlib from numbers and our own translated labels, with
    # text escaped by matplotlib's SVG writer; nothing in it comes from a user.
    return mark_safe(render_svg(chart))  # noqa: S308


@register.simple_tag
def figure_rows(section: Section) -> SafeString:
    """The rows of a section's table: label, value, the year before's and the change."""
    rows = []
    count = count_format()
    for figure in section.figures:
        value, previous, change = figure.shown(count)
        part = ' class="part"' if figure.indented else ""
        kind = "number statistic" if figure.is_mean else "number"
        mark = "data-statistic" if figure.is_mean else "data-figure"
        rows.append(
            f'\n    <tr{part}>\n      <th scope="row">{escape(figure.label)}</th>\n'
            f'      <td class="{kind}" {mark}="{escape(figure.path)}">{escape(value)}</td>\n'
            f'      <td class="{kind}">{escape(previous)}</td>\n'
            f'      <td class="{kind}">{escape(change)}</td>\n    </tr>\n  '
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def chart_rows(chart: Chart) -> SafeString:
    """The rows of a chart's table of numbers: a category, then a cell per series."""
    rows = []
    count = count_format()
    for category, values in chart.rows():
        cells = "".join(
            f'<td class="number">{HIDDEN if value is None else escape(count(value))}</td>'
            for value in values
        )
        rows.append(f'\n        <tr><th scope="row">{escape(category)}</th>{cells}</tr>\n      ')
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
