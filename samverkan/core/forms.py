"""The one form renderer of the application (settings.FORM_RENDERER).

Every form field in the application is drawn through `templates/forms/field.html`, so every form
says what is wrong where it is wrong: Django 5.2 marks an invalid input `aria-invalid` and links
its message by `aria-describedby`; this template adds a visible mark around the field (a border
and the message beside it, base.css "Forms") and the summary (`forms/_error_summary.html`)
links to each field. A choice with nothing chosen reads "Välj …", never Django's "---------"
(`templates/django/forms/widgets/select_option.html`).
"""

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class FormRenderer(DjangoTemplates):
    field_template_name = "forms/field.html"

    @cached_property
    def engine(self):  # noqa: ANN201 - Django's template engine
        # The project's templates first (they override Django's own), then Django's.
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [TEMPLATES, Path(django.forms.__file__).parent / "templates"],
                "NAME": "samverkanforms",
                "OPTIONS": {},
            }
        )
