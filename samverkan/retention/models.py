"""How long each kind of record is kept, set by its organisation, and what was disposed of.

The rule's clock starts at a record's *last entry*: the latest day the record documents (a chat
conversation's day, a case's day of receipt, a clinic client's last session or closing day, an
audit entry's day). A record is kept through the anniversary of its last entry `years` later and
may be disposed of from the next day; with `yearly`, expired records are disposed of together on
the first of January after they expire. Either way they are gone by the end of the calendar year
after the one they expired in, the deadline the partnership's default rule sets (docs/privacy.md).
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CHAT_CONVERSATION = "chat-conversation", _("chat conversations")
    SUPPORT_CENTRE_CASE = "support-centre-case", _("support-centre cases")
    CLINIC_CLIENT = "clinic-client", _("clinic clients and their sessions")
    AUDIT_ENTRY = "audit-entry", _("audit log entries")


DEFAULT_YEARS = {
    Kind.CHAT_CONVERSATION: 5,
    Kind.SUPPORT_CENTRE_CASE: 5,
    Kind.CLINIC_CLIENT: 5,
    Kind.AUDIT_ENTRY: 5,
}
"""The rule where an organisation has set none: 5 years after the last entry, disposed of daily."""


def anniversary(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class RetentionRule(models.Model):
    organisation = models.ForeignKey(
        "partnership.Organisation",
        on_delete=models.CASCADE,
        related_name="retention_rules",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind of record"), max_length=30, choices=Kind.choices)
    years = models.PositiveSmallIntegerField(
        _("years after the last entry"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Empty: kept until the organisation decides otherwise."),
    )
    yearly = models.BooleanField(
        _("dispose of at the turn of the year"),
        default=False,
        help_text=_(
            "Dispose of the records that expired during a year together on 1 January, "
            "instead of on the day after they expire."
        ),
    )

    class Meta:
        ordering = ["organisation__name", "kind"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="retention_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_kind_display()}"


class Disposal(models.Model):
    """One disposal: which kind, whose, how many, of which period, when and under which rule.

    Never the records themselves: only how many there were and the range of their last entries.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True)
    run_on = models.DateField(_("run as of"))
    organisation = models.ForeignKey(
        "partnership.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind of record"), max_length=30, choices=Kind.choices)
    count = models.PositiveIntegerField(_("number of records"))
    first_entry = models.DateField(_("earliest last entry"))
    last_entry = models.DateField(_("latest last entry"))
    rule = models.CharField(_("rule"), max_length=200)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("disposal")
        verbose_name_plural = _("disposal log")

    def __str__(self) -> str:
        return f"{self.run_on} {self.kind} {self.count}"
