"""Following the agreement up: notices, reporting obligations and their reminders, meetings and
decisions of the groups, the compensation and the foundation's financial reports.

Everything here is about organisations and staff, never about a young person.
"""

import datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """A party's notice (uppsägning): the agreement is not extended after the period whose notice
    deadline is the first on or after the day notice was given."""

    agreement = models.ForeignKey(
        "partnership.Agreement", on_delete=models.CASCADE, related_name="notices"
    )
    given_by = models.ForeignKey(
        "partnership.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("given by"),
    )
    given_on = models.DateField(_("notice given on"))
    registered_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["given_on", "pk"]
        verbose_name = _("notice of termination")
        verbose_name_plural = _("notices of termination")

    def __str__(self) -> str:
        return f"{self.given_by} {self.given_on:%Y-%m-%d}"


class Obligation(models.Model):
    """A reporting duty of the agreement: who reports what to whom, how often and by when.

    It covers consecutive periods of `period_months` from `first_period_starts_on`; the report on
    a period is due `due_days_after` days after the period ends.
    """

    class Kind(models.TextChoices):
        ACTIVITY_REPORT = "activity-report", _("activity report")
        ANNUAL_COMPILATION = "annual-compilation", _("annual compilation")
        FINANCIAL_REPORT = "financial-report", _("financial report")
        INTERIM_REPORT = "interim-report", _("interim report")
        OTHER = "other", _("other")

    agreement = models.ForeignKey(
        "partnership.Agreement", on_delete=models.CASCADE, related_name="obligations"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("what is reported"), max_length=200)
    reported_by = models.CharField(_("reported by"), max_length=200)
    reported_to = models.CharField(_("reported to"), max_length=200)
    period_months = models.PositiveSmallIntegerField(
        _("period, months"), help_text=_("6 for twice a year, 12 for once a year.")
    )
    first_period_starts_on = models.DateField(_("first period starts on"))
    due_days_after = models.PositiveSmallIntegerField(
        _("due, days after the period"), help_text=_("0: due on the period's last day.")
    )
    responsible = models.ManyToManyField(
        "accounts.User",
        blank=True,
        related_name="obligations",
        verbose_name=_("responsible"),
        help_text=_("Staff reminded by e-mail before each due date."),
    )

    class Meta:
        ordering = ["agreement", "kind", "title"]
        verbose_name = _("reporting obligation")
        verbose_name_plural = _("reporting obligations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_months__gte=1), name="obligation_period_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ObligationItem(models.Model):
    """One report due: the obligation for one period."""

    class Status(models.TextChoices):
        DUE = "due", _("due")
        SUBMITTED = "submitted", _("submitted")
        LATE = "late", _("late")

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="items")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_on = models.DateField(_("due on"), db_index=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "obligation"]
        verbose_name = _("report due")
        verbose_name_plural = _("reports due")
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "period_start"], name="obligation_item_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.obligation} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def status_on(self, day: datetime.date) -> str:
        if self.submitted_on is not None:
            return self.Status.SUBMITTED
        return self.Status.LATE if day > self.due_on else self.Status.DUE


class SentReminder(models.Model):
    """A reminder that was sent: the row is written in the transaction that sends it, and its
    uniqueness is what keeps two overlapping runs from sending the same reminder twice."""

    key = models.CharField(_("reminder"), max_length=120)
    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="reminder_sent_once")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient}"


class Meeting(models.Model):
    group = models.ForeignKey(
        "partnership.Group",
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("group"),
    )
    held_on = models.DateField(_("date"))
    attendees = models.ManyToManyField(
        "partnership.GroupMember", blank=True, related_name="meetings", verbose_name=_("present")
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Never about a particular young person.")
    )
    registered_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.group} {self.held_on:%Y-%m-%d}"


class Decision(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"))
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)

    class Meta:
        ordering = ["-meeting__held_on", "meeting", "number"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} §{self.number}"


class Payment(models.Model):
    """A payment of the compensation from the committee to the foundation."""

    agreement = models.ForeignKey(
        "partnership.Agreement", on_delete=models.CASCADE, related_name="payments"
    )
    year = models.PositiveSmallIntegerField(_("for the year"))
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (SEK)"), max_digits=12, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.paid_on:%Y-%m-%d} {self.amount}"


class FinancialReport(models.Model):
    """The foundation's yearly report on the funds: entered by the foundation, approved by the
    coordinator. Once submitted it is read-only for the foundation; approved, for everyone."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")

    agreement = models.ForeignKey(
        "partnership.Agreement", on_delete=models.CASCADE, related_name="financial_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    comment = models.TextField(_("comment"), blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    class Meta:
        ordering = ["agreement", "-year"]
        verbose_name = _("financial report")
        verbose_name_plural = _("financial reports")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="financial_report_yearly")
        ]

    def __str__(self) -> str:
        return f"{self.agreement.partnership} {self.year}"


class FinancialReportLine(models.Model):
    class Kind(models.TextChoices):
        INCOME = "income", _("income")
        COST = "cost", _("cost")

    class Category(models.TextChoices):
        # Income
        COMPENSATION = "compensation", _("compensation from the city")
        GRANTS = "grants", _("other grants")
        OWN_FUNDS = "own-funds", _("own funds and donations")
        # Costs
        STAFF = "staff", _("staff")
        VOLUNTEERS = "volunteers", _("volunteers: recruitment, training, supervision")
        PREMISES = "premises", _("premises")
        INFORMATION = "information", _("information and campaigns")
        IT = "it", _("IT and the chat platform")
        ADMINISTRATION = "administration", _("administration")
        OTHER = "other", _("other")

    report = models.ForeignKey(FinancialReport, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    budget = models.DecimalField(
        _("budget (SEK)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    outcome = models.DecimalField(
        _("outcome (SEK)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        ordering = ["report", "kind", "pk"]
        verbose_name = _("financial report line")
        verbose_name_plural = _("financial report lines")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind", "category"], name="financial_line_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_category_display()}"


INCOME_CATEGORIES = [
    FinancialReportLine.Category.COMPENSATION,
    FinancialReportLine.Category.GRANTS,
    FinancialReportLine.Category.OWN_FUNDS,
]
COST_CATEGORIES = [
    FinancialReportLine.Category.STAFF,
    FinancialReportLine.Category.VOLUNTEERS,
    FinancialReportLine.Category.PREMISES,
    FinancialReportLine.Category.INFORMATION,
    FinancialReportLine.Category.IT,
    FinancialReportLine.Category.ADMINISTRATION,
    FinancialReportLine.Category.OTHER,
]
