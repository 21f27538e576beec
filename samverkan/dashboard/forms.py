"""The overview's choices: a period (two dates) and a filter by unit or district, all in the URL
so a view can be bookmarked and shared."""

import datetime
import threading

from django import forms
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samverkan.dashboard.periods import Period
from samverkan.partnership.models import Unit

LONGEST_PERIOD = datetime.timedelta(days=366 * 10)

_DRAWN: dict[tuple, SafeString] = {}
"""The form's fields as drawn, by everything they depend on (`PeriodForm.drawn_fields`)."""
_DRAWN_MOST = 512
_DRAWN_LOCK = threading.Lock()


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    district = forms.ChoiceField(
        label=_("District"),
        required=False,
        help_text=_("Only the chat asks where a young person lives."),
    )

    def __init__(
        self,
        *args,  # noqa: ANN002
        units: list[Unit] = (),
        districts: dict[str, str] | None = None,
        **kwargs,  # noqa: ANN003
    ) -> None:
        super().__init__(*args, **kwargs)
        self.units = {unit.key: unit for unit in units}
        self.fields["unit"].choices = [
            ("", _("All units")),
            *((unit.key, unit.name) for unit in units),
        ]
        self.fields["district"].choices = [
            ("", _("All districts")),
            *(districts or {}).items(),
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_to < date_from:
                self.add_error("date_to", _("The period ends before it starts."))
            elif date_to - date_from > LONGEST_PERIOD:
                self.add_error("date_to", _("Choose a period of at most ten years."))
        return cleaned

    def drawn_fields(self) -> SafeString:
        """Every field in its `div.field`, as the page's template wrote them one by one through
        the form renderer's templates (a few milliseconds a page, mostly the district list's
        options): kept per process by what the drawing depends on — the language, each field's
        value and choices — and drawn anew for a form with errors."""
        if self.is_bound and self.errors:
            return self._draw()
        key = (
            get_language(),
            *((name, repr(self[name].value())) for name in self.fields),
            *(
                tuple((value, str(label)) for value, label in self.fields[name].choices)
                for name in ("unit", "district")
            ),
        )
        drawn = _DRAWN.get(key)
        if drawn is None:
            drawn = self._draw()
            with _DRAWN_LOCK:
                if len(_DRAWN) >= _DRAWN_MOST:
                    _DRAWN.clear()
                _DRAWN[key] = drawn
        return drawn

    def _draw(self) -> SafeString:
        return mark_safe(  # noqa: S308 - the renderer's own escaped output
            "".join(
                f'\n    <div class="field{" invalid" if field.errors else ""}">'
                f"{field.as_field_group()}</div>\n  "
                for field in self
            )
        )

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["date_from"], self.cleaned_data["date_to"])

    @property
    def chosen_unit(self) -> Unit | None:
        return self.units.get(self.cleaned_data.get("unit") or "")
