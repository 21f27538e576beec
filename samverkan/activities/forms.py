from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.activities.models import Activity
from samverkan.partnership.models import Organisation, Partnership, Unit


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Activity.Kind.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Services present"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their organisations count as present."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Other organisations present"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for an organisation none of whose services is listed above."),
    )
    participants = forms.IntegerField(
        label=_("Number of participants"), min_value=1, max_value=10000
    )
    topic = forms.CharField(
        label=_("Topic"),
        max_length=200,
        help_text=_("In general terms; never about a particular young person."),
    )

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.select_related("organisation").order_by(
            "organisation__name", "name"
        )
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    def clean(self) -> dict:
        cleaned = super().clean()
        if "units" in cleaned and "organisations" in cleaned:
            if not cleaned["units"] and not cleaned["organisations"]:
                self.add_error("units", _("Name at least one service or organisation present."))
        return cleaned
