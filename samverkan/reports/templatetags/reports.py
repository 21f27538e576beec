from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def css_string(value: object) -> SafeString:
    """Text for inside a double-quoted CSS string (the page header's content): backslashes,
    quotes and line breaks escaped as CSS wants, and angle brackets too since it sits in HTML."""
    text = str(value)
    for char, escape in (
        ("\\", "\\\\"),
        ('"', '\\"'),
        ("\n", "\\A "),
        ("<", "\\3C "),
        (">", "\\3E "),
    ):
        text = text.replace(char, escape)
    # Safe: inside <style> HTML entities are not decoded, and < > are escaped above.
    return mark_safe(text)  # noqa: S308
