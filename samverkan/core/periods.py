"""A period chosen on a form: from and to, both days included, the end not before the start."""

from django.utils.translation import gettext_lazy as _

PERIOD_ENDS_BEFORE_START = _("The period ends before it starts.")


class PeriodFormMixin:
    """For a form with `date_from` and `date_to`: an end before the start is an error at the end,
    where the user corrects it. Either date may be left out where the form allows it."""

    def clean(self) -> dict:
        cleaned = super().clean()  # type: ignore[misc]
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", PERIOD_ENDS_BEFORE_START)  # type: ignore[attr-defined]
        return cleaned
