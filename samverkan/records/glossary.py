"""One label per concept, for every place a record's field is named: the forms, the lists and
pages, the filters, the exports' headings and the chat console (`{% load glossary %}` and
`{% term "resident" %}` in a template, `glossary.label("resident")` in code).

A concept keeps its name here however a kind of record stores it, so that the volunteer's
console, the registration form and the committee's documents say the same thing. Meant to be
read by the declarations of the kinds of record (issue 18, `records/kinds.py`) when they come.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TERMS: dict[str, Promise] = {
    "started_at": _("Started at"),
    "received_on": _("Received on"),
    "first_visit": _("First visit"),
    "concern": _("What was it about?"),
    "clinic_concern": _("Seeks support as"),
    "resident": _("Lives in the municipality"),
    "district": _("District"),
    "gender": _("Gender"),
    "age": _("Age"),
    "age_at_first_visit": _("Age at first visit"),
    "violence": _("Forms of violence talked about"),
    "referred_to": _("Referred to"),
    "category": _("Category"),
    "screening": _("The routine question on violence in close relationships"),
    "told_of_support_to_stop": _("Told that support to stop using violence exists"),
    "ref": _("The clinic's reference"),
    "came_via": _("Came via"),
    "sessions": _("Sessions"),
    "series": _("Series"),
    "closed_on": _("Closed on"),
    "closure": _("How the series ended"),
}


def label(concept: str) -> Promise:
    """The label of a concept; an unknown concept is a programming error."""
    return TERMS[concept]
