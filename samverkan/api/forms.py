from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.api.models import Scope
from samverkan.api.tokens import DEFAULT_DAYS, MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Which system uses it"),
        max_length=80,
        help_text=_("So that you recognise it later, e.g. the case system. Not a person's name."),
    )
    scope = forms.ChoiceField(
        label=_("Access"), choices=Scope.choices, initial=Scope.READ, widget=forms.RadioSelect
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )
