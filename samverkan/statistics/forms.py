import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.statistics.history import Metric


class HistoryMonthForm(forms.Form):
    """One month of a unit: a count for every figure, and the sum of ages where there is one."""

    def __init__(self, *args, metrics: list[Metric], **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.metrics = metrics
        for metric in metrics:
            self.fields[metric.name] = forms.IntegerField(
                label=metric.name, min_value=0, initial=0, required=False
            )
            if metric.measured:
                self.fields[f"{metric.name}:total"] = forms.IntegerField(
                    label=_("%(metric)s: sum of ages") % {"metric": metric.name},
                    min_value=0,
                    initial=0,
                    required=False,
                )

    def figures(self) -> dict[str, tuple[int, int]]:
        data = self.cleaned_data
        return {
            metric.name: (data.get(metric.name) or 0, data.get(f"{metric.name}:total") or 0)
            for metric in self.metrics
        }


class HistoryImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or XLSX with the columns unit,month,metric,n,total."),
    )


def parse_month(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(f"{text}-01")
    except ValueError:
        return None
