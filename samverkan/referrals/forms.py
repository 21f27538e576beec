from django import forms
from django.utils.translation import gettext_lazy as _


class ArrivalForm(forms.Form):
    code = forms.CharField(
        label=_("Referral code"),
        max_length=40,
        help_text=_("8 characters, e.g. K7QP-4XMC. Case, spaces and hyphens do not matter."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code",
            }
        ),
    )
