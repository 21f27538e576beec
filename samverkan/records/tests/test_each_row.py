"""`{% each_row %}` (records/templatetags/lists.py) renders a list's rows byte for byte as
`{% for %}` does, in each language, with every value escaped as `{{ value }}` escapes it."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation
from django.utils.safestring import mark_safe

ROWS = [
    ("/a/1/", '<b>"Tjej" & kille\'s</b>', 17, None),
    ("/a/2/?x=1&y=2", mark_safe("<i>safe</i>"), 1234567, 0.5),
    ("", "", "–", False),
]
BODY = """
    <tr><th scope="row"><a href="{{ url }}">{{ label }}</a></th>
  <td data-label="{% term "age" %}">{{ age }}</td><td>{{ other }}</td>
  <td data-label="{% translate "Routine question" %}">{{ label }}</td></tr>
  """


def _render(source: str, rows: list[tuple]) -> str:
    return Template("{% load i18n glossary lists %}" + source).render(Context({"rows": rows}))


@pytest.mark.parametrize("language", ["sv", "en"])
def test_each_row_renders_as_the_for_loop(language):
    each = Template(
        "{% load i18n glossary lists %}{% each_row url label age other in rows %}"
        + BODY
        + "{% end_each_row %}"
    )
    loop = Template(
        "{% load i18n glossary lists %}{% for url, label, age, other in rows %}"
        + BODY
        + "{% endfor %}"
    )
    with translation.override(language):
        for rows in (ROWS, ROWS[:1], []):
            assert each.render(Context({"rows": rows})) == loop.render(Context({"rows": rows}))
    with translation.override(language):
        text = each.render(Context({"rows": ROWS}))
    assert "&lt;b&gt;&quot;Tjej&quot; &amp; kille&#x27;s&lt;/b&gt;" in text
    assert "<i>safe</i>" in text and "?x=1&amp;y=2" in text
    assert ("Ålder" if language == "sv" else "Age") in text


def test_a_value_with_a_filter_is_refused():
    with pytest.raises(TemplateSyntaxError):
        _render(
            "{% each_row url label in rows %}{{ url }}{{ label|upper }}{% end_each_row %}",
            [("u", "l")],
        )
