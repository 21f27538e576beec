"""A referral code: a destination, where and when it was issued, and whether it arrived.

It links to nothing about a person and nothing of what was said: only to the destination
service, the issuing (chat) unit and, once the volunteer saves it, the anonymous post-chat record
(concern, gender, age), which is what the figures by concern need.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from samverkan.referrals.codes import LENGTH, display


class Referral(models.Model):
    code = models.CharField(_("code"), max_length=LENGTH, unique=True)
    destination = models.ForeignKey(
        "partnership.Service",
        on_delete=models.PROTECT,
        related_name="referral_codes",
        verbose_name=_("destination"),
    )
    issuing_unit = models.ForeignKey(
        "partnership.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by unit"),
    )
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    conversation = models.ForeignKey(
        "records.ChatConversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referral_codes",
        verbose_name=_("chat conversation"),
    )
    # The linked conversation's concern, copied when that record is disposed of (retention), so
    # the figures by concern stay the same; nothing else of the record is kept.
    concern_kept = models.CharField(_("concern"), max_length=20, blank=True, default="")
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    arrival_unit = models.ForeignKey(
        "partnership.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("arrived at unit"),
    )

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")
        indexes = [
            models.Index(fields=["destination", "issued_at"]),
            models.Index(fields=["arrival_unit", "arrived_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("issued_at")),
                name="referral_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(arrived_at__isnull=True, arrival_unit__isnull=True)
                | models.Q(arrived_at__isnull=False, arrival_unit__isnull=False),
                name="referral_arrival_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        """The code grouped for reading aloud: K7QP-4XMC."""
        return display(self.code)

    @property
    def masked_code(self) -> str:
        """The code with its middle hidden, for lists: K7Q•-••MC."""
        shown = self.code[:3] + "•" * (LENGTH - 5) + self.code[-2:]
        return display(shown)
