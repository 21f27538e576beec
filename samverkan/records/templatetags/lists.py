"""Template tags of the staff lists.

`{% rendered_once "name" value ... %}...{% end_rendered_once %}` renders its content once per
process for each language and set of values and then places that text again: for the parts of a
list page that depend on nothing but code and translations, e.g. an unbound filter form or the
export form's fields, whose rendering by Django's form templates (a template per field, its
label and its widget, and one per option of a select) cost a list page more than its rows.

Only what the name and values fully decide may go inside: never the request, the user, a record,
a CSRF token or anything from the database (the text would be shown to the next user). The active
language is always part of the key.
"""

import html
import re

from django import template
from django.conf import settings
from django.template.base import FilterExpression, NodeList, Parser, Token, Variable, VariableNode
from django.template.context import Context
from django.utils import translation
from django.utils.formats import localize
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()

# Bounded: the keys come from the templates (names and values the code gives), not from users,
# so this stays at a few entries per language; the bound only guards against a mistake.
_RENDERED: dict[tuple, SafeString] = {}
_MAX_ENTRIES = 512


class RenderedOnceNode(template.Node):
    def __init__(self, name: FilterExpression, values: list[FilterExpression], nodelist: NodeList):
        self.name = name
        self.values = values
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        key = (
            self.name.resolve(context),
            translation.get_language(),
            *(value.resolve(context) for value in self.values),
        )
        rendered = _RENDERED.get(key)
        if rendered is None:
            rendered = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered by the template engine
            if len(_RENDERED) < _MAX_ENTRIES:
                _RENDERED[key] = rendered
        return rendered


@register.tag
def rendered_once(parser: Parser, token: Token) -> RenderedOnceNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("rendered_once needs a name")
    nodelist = parser.parse(("end_rendered_once",))
    parser.delete_first_token()
    return RenderedOnceNode(
        parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]], nodelist
    )


# `{% each_row url started_at concern in rows %}<tr>…{{ url }}…</tr>{% end_each_row %}`: as
# `{% for %}` over a list's rows of ready cells (records.views), at a fraction of its cost. The
# body is rendered once per process and language with a marker in place of each of the row's
# values, and cut at the markers; each row is then those pieces with its values escaped between
# them, as `{{ value }}` escapes them. Fifty rows of six cells were about a fifth of a list
# page's CPU through the template engine (a variable node, a look-up, a localisation and an
# escape per cell; benchmarks/RESULTS.md, "List pages (perf-lists branch)").
#
# So the body may only place the row's values as they are: no filter on them and no tag that
# tests them (a cell that is one thing or another is decided in the view). Everything else in
# it is rendered once: labels (`{% term %}`, `{% translate %}`), never the request, the user or
# anything from the database.

_MARK = "\ue000Cell{}x\ue001"
_MARKS = re.compile("\ue000Cell(\\d+)x\ue001")


def _cell(value: object) -> str:
    """A value as `{{ value }}` renders it with autoescaping on."""
    kind = type(value)
    if kind is str:
        return html.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize gives an int without grouping, without its look-ups
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(localize(value)))


class EachRowNode(template.Node):
    def __init__(self, names: list[str], rows: FilterExpression, nodelist: NodeList):
        self.names = names
        self.rows = rows
        self.nodelist = nodelist
        self.pieces: dict[str | None, tuple[list[str], list[int]]] = {}

    def _pieces(self, context: Context) -> tuple[list[str], list[int]]:
        language = translation.get_language()
        pieces = self.pieces.get(language)
        if pieces is None:
            with context.push({name: _MARK.format(i) for i, name in enumerate(self.names)}):
                text = self.nodelist.render(context)
            parts = _MARKS.split(text)
            literals, indices = parts[0::2], [int(i) for i in parts[1::2]]
            if sorted(set(indices)) != list(range(len(self.names))):
                raise template.TemplateSyntaxError(
                    "each_row: every value of a row must be placed as it is, without a filter"
                )
            pieces = self.pieces[language] = (literals, indices)
        return pieces

    def render(self, context: Context) -> SafeString:
        literals, indices = self._pieces(context)
        first, rest = literals[0], list(zip(indices, literals[1:], strict=True))
        out = []
        for row in self.rows.resolve(context, ignore_failures=True) or ():
            out.append(first)
            for index, literal in rest:
                out.append(_cell(row[index]))
                out.append(literal)
        return mark_safe("".join(out))  # noqa: S308 - literals from the template, values escaped


@register.tag
def each_row(parser: Parser, token: Token) -> EachRowNode:
    bits = token.split_contents()
    if len(bits) < 4 or bits[-2] != "in":
        raise template.TemplateSyntaxError("each_row: {% each_row a b c in rows %}")
    names = bits[1:-2]
    nodelist = parser.parse(("end_each_row",))
    parser.delete_first_token()
    for node in nodelist.get_nodes_by_type(VariableNode):
        expression = node.filter_expression
        if isinstance(expression.var, Variable) and expression.filters:
            if expression.var.var.split(".")[0] in names:
                raise template.TemplateSyntaxError(
                    f"each_row: {expression.token!r}: a row's value is placed as it is"
                )
    return EachRowNode(names, parser.compile_filter(bits[-1]), nodelist)
