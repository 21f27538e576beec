from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.reports.models import Report

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["kind", "date_from", "date_to", "reference", "document_date"]
        widgets = {"date_from": DATE, "date_to": DATE, "document_date": DATE}

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The period ends before it starts."))
        return cleaned


class SectionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Paragraphs separated by an empty line; lines starting with “- ” become a list. "
            "Never anything about a particular young person."
        ),
    )
