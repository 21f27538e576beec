"""The overview's choices: a period (two dates) and a filter by unit or district, all in the URL
so a view can be bookmarked and shared."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.dashboard.overview import Period
from samverkan.partnership.models import Unit

LONGEST_PERIOD = datetime.timedelta(days=366 * 10)


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

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["date_from"], self.cleaned_data["date_to"])

    @property
    def chosen_unit(self) -> Unit | None:
        return self.units.get(self.cleaned_data.get("unit") or "")
