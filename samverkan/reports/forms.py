from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.partnership.models import Partnership
from samverkan.reports.content import PROSE_SECTIONS
from samverkan.reports.models import Report
from samverkan.reports.services import previous_report

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PROSE_HELP = _(
    "Paragraphs separated by an empty line; lines starting with “- ” become a list. "
    "Never anything about a particular young person."
)


class ReportForm(forms.ModelForm):
    based_on = forms.ModelChoiceField(
        label=_("Texts taken from"),
        queryset=Report.objects.none(),
        required=False,
        empty_label=_("No earlier document (empty texts)"),
        help_text=_(
            "The new document's texts start as this document's; the figures are always "
            "computed anew. Proposed: the latest document whose period ends by the new one's end."
        ),
    )

    class Meta:
        model = Report
        fields = ["kind", "date_from", "date_to", "reference", "document_date", "based_on"]
        widgets = {"date_from": DATE, "date_to": DATE, "document_date": DATE}

    def __init__(self, *args, partnership: Partnership, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        reports = Report.objects.filter(partnership=partnership)
        self.fields["based_on"].queryset = reports
        if not self.is_bound:
            latest = previous_report(partnership, self.initial.get("date_to") or _far_future())
            if latest is not None:
                self.initial.setdefault("based_on", latest.pk)

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The period ends before it starts."))
        return cleaned


def _far_future():  # noqa: ANN202
    import datetime

    return datetime.date.max


class ReportTextsForm(forms.Form):
    """Every prose section of a document in one form: one save keeps all the changes."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        for key, heading in PROSE_SECTIONS.items():
            self.fields[key] = forms.CharField(
                label=heading,
                required=False,
                strip=False,
                max_length=50_000,
                widget=forms.Textarea(attrs={"rows": 8, "data-section": key}),
            )
