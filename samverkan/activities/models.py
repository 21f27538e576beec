"""The partnership's other work: consultations with the youth community service, network
meetings of the city's services, trainings. About meetings of professionals, never about a
young person: the topic says what was discussed in general terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("consultation with the youth community service")
        NETWORK_MEETING = "network-meeting", _("network meeting")
        TRAINING = "training", _("training")
        OTHER = "other", _("other")

    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    organisations = models.ManyToManyField(
        "partnership.Organisation", related_name="+", verbose_name=_("organisations present")
    )
    units = models.ManyToManyField(
        "partnership.Unit",
        related_name="+",
        blank=True,
        verbose_name=_("services present"),
        help_text=_(
            "The services that took part, e.g. Stockholms ungdomstjänst, RVC, the youth clinics; "
            "their organisations count as present."
        ),
    )
    participants = models.PositiveIntegerField(_("number of participants"))
    topic = models.CharField(
        _("topic"),
        max_length=200,
        help_text=_("In general terms; never about a particular young person."),
    )
    registered_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"
