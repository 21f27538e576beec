"""Information campaigns of the partnership and their reach (the source document asks that the
autumn campaign be evaluated for how widely it reached the target group)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    channels = models.CharField(
        _("channels"), max_length=300, blank=True, help_text=_("E.g. Instagram, TikTok, schools.")
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})


class CampaignReach(models.Model):
    """A reach figure the campaign's channels report: how many saw, clicked or visited."""

    class Measure(models.TextChoices):
        IMPRESSIONS = "impressions", _("impressions")
        PEOPLE_REACHED = "people-reached", _("people reached")
        CLICKS = "clicks", _("clicks")
        VISITS = "visits", _("visits to the website")
        PARTICIPANTS = "participants", _("participants at events")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reach")
    channel = models.CharField(_("channel"), max_length=100)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        ordering = ["channel", "measure"]
        verbose_name = _("reach figure")
        verbose_name_plural = _("reach figures")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel", "measure"], name="campaign_reach_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.value} {self.get_measure_display()}"
