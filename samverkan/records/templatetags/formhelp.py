"""The error summary of a form (templates/forms/_error_summary.html)."""

from django import forms, template

register = template.Library()


@register.simple_tag
def error_fields(form: forms.BaseForm) -> list[tuple[str, str, list[str]]]:
    """(anchor, label, messages) of each invalid field, the anchor being the element that
    takes the focus: the input, or a group's first choice."""
    fields = []
    for field in form:
        if not field.errors:
            continue
        anchor = field.id_for_label or field.auto_id
        if field.use_fieldset and field.auto_id:
            anchor = f"{field.auto_id}_0"
        fields.append((anchor, str(field.label), list(field.errors)))
    return fields
