"""A campaign and its reach figures in one form: the figures are a formset of rows, so the page
works without JavaScript (empty rows to fill in, a box to remove a row)."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from samverkan.campaigns.models import Campaign, CampaignReach

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "starts_on", "ends_on", "channels"]
        widgets = {"starts_on": DATE, "ends_on": DATE}


class ReachForm(forms.ModelForm):
    class Meta:
        model = CampaignReach
        fields = ["channel", "measure", "value"]
        help_texts = {"channel": _("E.g. Instagram.")}


ReachFormSet = inlineformset_factory(
    Campaign,
    CampaignReach,
    form=ReachForm,
    extra=3,
    can_delete=True,
    max_num=50,
    validate_max=True,
)
