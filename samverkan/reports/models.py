"""Committee documents: a report is its kind, period and reference; its prose sections are drafted
in the application and keep every earlier wording. The figures are never stored here: they are
computed from the records each time the document is written, so a document always says what the
data say now."""

from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    class Kind(models.TextChoices):
        INTERIM = "interim", _("interim report")
        ACTIVITY = "activity", _("activity report (half-year, to the steering group)")
        ANNUAL = "annual", _("annual report")

    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    reference = models.CharField(
        _("reference number (Dnr)"), max_length=100, blank=True, help_text=_("E.g. 1.3.2-266/2022.")
    )
    document_date = models.DateField(_("date of the document"))
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("texts taken from"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_to", "-pk"]
        verbose_name = _("committee document")
        verbose_name_plural = _("committee documents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_from__lte=models.F("date_to")), name="report_period_order"
            )
        ]

    def __str__(self) -> str:
        # A heading and a link: "Delrapportering 2022-01-01–2022-05-31", not "delrapportering".
        return (
            f"{capfirst(self.get_kind_display())} {self.date_from:%Y-%m-%d}–{self.date_to:%Y-%m-%d}"
        )

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reports:detail", args=[self.pk])


class ReportSection(models.Model):
    """The current wording of one prose section; earlier wordings are its versions."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(_("section"))
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["report", "key"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="report_section_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.key}"


class ReportSectionVersion(models.Model):
    """One saved wording of a section: who wrote it and when (the section's history)."""

    section = models.ForeignKey(ReportSection, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField(_("text"), blank=True)
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-saved_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.section} {self.saved_at:%Y-%m-%d %H:%M}"
