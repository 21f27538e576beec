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


class ClinicSeriesCount(models.Model):
    """Anonymous counts that keep the clinic's figures of disposed clients (see ARCHITECTURE.md).

    The clinic counts distinct clients with a session in a period, which no sum of daily counts
    gives. When a client's record is disposed of, its contribution to every period is kept as
    counts of three kinds, each with the client's categories but no reference, age or id, and
    nothing that links one row to another:

    - `span`: first and last session day (and closing day): a client counts in [a, b] when
      first <= b and last >= a ...
    - `gap`: ... unless [a, b] falls strictly between two consecutive sessions (first < a and
      b < last), which takes it away again;
    - `session`: sessions on a day (first = last = the day).

    Written by `samverkan.retention.disposal` in the transaction that deletes the records, read by
    `statistics.engine` together with the records still kept, so a period's figures stay the same.
    """

    class Kind(models.TextChoices):
        SPAN = "span", _("span of sessions")
        GAP = "gap", _("gap between sessions")
        SESSION = "session", _("sessions on a day")

    unit = models.ForeignKey("partnership.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    resident = models.CharField(_("resident"), max_length=10, blank=True)
    gender = models.CharField(_("gender"), max_length=10, blank=True)
    concern = models.CharField(_("concern"), max_length=20, blank=True)
    came_via = models.CharField(_("came via"), max_length=20, blank=True)
    n = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("clinic series count")
        verbose_name_plural = _("clinic series counts")
        indexes = [models.Index(fields=["unit", "kind", "first"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.first}..{self.last} = {self.n}"


class HistoricalMonthlyCount(models.Model):
    """Figures of months before the application was used, entered or imported by the
    coordinator: the same metrics as MonthlyCount, kept apart so that they are never mistaken
    for counts of records (nor changed by a record's correction or disposal), and so that the
    engine can say which figures come from them (statistics.history)."""

    unit = models.ForeignKey("partnership.Unit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    metric = models.CharField(_("metric"), max_length=120)
    n = models.BigIntegerField(_("count"))
    total = models.BigIntegerField(_("sum"), default=0)
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("figure of an earlier year")
        verbose_name_plural = _("figures of earlier years")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "metric"], name="historical_monthly_count_key"
            ),
            models.CheckConstraint(
                condition=models.Q(n__gte=0, total__gte=0), name="historical_count_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.metric} = {self.n} (history)"


class DisclosureKey(models.Model):
    """The secret from which the public level's perturbation is drawn (statistics.perturbation).

    One row, made on first use. It lives in the database so that a restored backup publishes
    exactly the figures published before (a new key would give every cell fresh noise, and a
    reader holding both versions would have two noisy readings of each count). Whoever can read
    this table can read the counts themselves, so it adds no exposure.
    """

    secret = models.BinaryField(_("secret"), max_length=32)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("disclosure key")
        verbose_name_plural = _("disclosure keys")

    def __str__(self) -> str:
        return f"disclosure key of {self.created_at:%Y-%m-%d}"


class ReleasedFigure(models.Model):
    """The public figures of one cell of time as first released: a month; for distinct clinic
    clients a calendar period such as "2022-01..2022-05"; for means and medians a period such as
    "statistics:2022-01..2022-05". `values` maps each figure's path to its published value, one
    row per cell so that a period of years reads a few dozen rows.

    The public level publishes each month once and keeps it (statistics.release): a later
    registration or correction changes the exact figures but not what was released, so a reader
    who watches the figures over time, or an insider who adds and removes records of their own
    and watches, learns nothing from the changes. Holds no record and no exact count.
    """

    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    cell = models.CharField(_("cell of time"), max_length=40)
    values = models.JSONField(_("published values"))
    released_at = models.DateTimeField(_("released"), auto_now_add=True)

    class Meta:
        verbose_name = _("released figures")
        verbose_name_plural = _("released figures")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "cell"], name="released_figures_key")
        ]

    def __str__(self) -> str:
        return f"{self.cell}: {len(self.values)} figures"


class DataRevision(models.Model):
    """One row whose value moves with every write to a table the figures are read from, by
    database triggers (statistics.revision): what the overview's cache is keyed by. Never
    shown to anyone, so its names are not translated."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    epoch = models.CharField(max_length=16)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.epoch}:{self.value}"
