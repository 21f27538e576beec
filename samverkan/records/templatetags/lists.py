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

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

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
