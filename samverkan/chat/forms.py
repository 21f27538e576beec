"""The young person's optional question before the chat, and the directory's form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.chat.models import DirectoryEntry
from samverkan.records.models import MAX_AGE, ChatConcern, Gender


class IntakeForm(forms.Form):
    """Every answer optional; nothing here identifies anyone. Sent over the chat's socket."""

    age = forms.IntegerField(
        label=_("How old are you?"), min_value=1, max_value=MAX_AGE, required=False
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("I would rather not say"))]
        + [(value, label) for value, label in Gender.choices if value != Gender.UNKNOWN],
        required=False,
        widget=forms.RadioSelect,
    )
    concern = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[("", _("I would rather not say"))] + list(ChatConcern.choices),
        required=False,
        widget=forms.RadioSelect,
    )


class DirectoryEntryForm(forms.ModelForm):
    class Meta:
        model = DirectoryEntry
        fields = ["description", "address", "opening_hours", "contact", "shown_in_chat"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
