"""Anonymous aggregates kept up to date in the same transaction as every write of a record.

A `DailyCount` row says: on this day, in this unit, this many records had this fact (and the sum of
a measured value, e.g. ages, over them). It holds no record and no identifier, so it outlives the
records it came from when they are disposed of after the retention period, and the figures of past
years stay comparable. It also makes a year's statistics a sum over a few thousand rows, whatever
the number of records.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyCount(models.Model):
    unit = models.ForeignKey("partnership.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    metric = models.CharField(_("metric"), max_length=120)
    n = models.BigIntegerField(_("count"), default=0)
    total = models.BigIntegerField(
        _("sum"), default=0, help_text=_("Sum of the measured value, e.g. ages, over the count.")
    )

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(fields=["unit", "day", "metric"], name="daily_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.metric} = {self.n}"


class MonthlyCount(models.Model):
    """The same counts summed by calendar month, written together with the daily ones.

    A period's figures take whole months from here and only the days at its edges from
    DailyCount: a year is a sum over about a thousand rows instead of tens of thousands.
    """

    unit = models.ForeignKey("partnership.Unit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    metric = models.CharField(_("metric"), max_length=120)
    n = models.BigIntegerField(_("count"), default=0)
    total = models.BigIntegerField(_("sum"), default=0)

    class Meta:
        verbose_name = _("monthly count")
        verbose_name_plural = _("monthly counts")
        constraints = [
            models.UniqueConstraint(fields=["unit", "month", "metric"], name="monthly_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.metric} = {self.n}"
