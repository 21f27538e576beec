"""`{% term "resident" %}`: a concept's one label (records.glossary)."""

from django import template
from django.utils.text import capfirst

from samverkan.records import glossary, rules
from samverkan.records.models import SupportCentreCase

register = template.Library()


@register.simple_tag
def term(concept: str) -> str:
    return str(glossary.label(concept))


@register.simple_tag
def screening(case: SupportCentreCase) -> str:
    """The one answer to a case's routine question (records.rules)."""
    value = rules.screening_value(case.screened, case.screening_answer)
    return capfirst(str(dict(rules.SCREENING_CHOICES)[value]))
