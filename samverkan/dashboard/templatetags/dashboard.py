from django import template
from django.utils.safestring import SafeString, mark_safe

from samverkan.statistics.charts import Chart, render_svg

register = template.Library()


@register.simple_tag
def chart_svg(chart: Chart) -> SafeString:
    # Safe: the SVG is drawn by matplotlib from numbers and our own translated labels, with
    # text escaped by matplotlib's SVG writer; nothing in it comes from a user.
    return mark_safe(render_svg(chart))  # noqa: S308
