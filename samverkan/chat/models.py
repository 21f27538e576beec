"""What the live chat keeps in the database: its opening hours, the directory of services
volunteers refer to, and anonymous daily counts of the feedback question.

No conversation, message, address or browser detail is ever stored here: a conversation lives in
the chat store (memory) only while it lasts, and what is worth keeping becomes the post-chat
record (records.ChatConversation) that the volunteer registers.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One weekday's opening, in Stockholm time. A day may have several; with no rows at all the
    chat is open around the clock (a new installation works before anyone sets hours)."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), help_text=_("Before midnight, after the opening."))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="chat_hours_closes_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def covers(self, moment: datetime.datetime) -> bool:
        return moment.weekday() == self.weekday and self.opens <= moment.time() < self.closes


class DirectoryEntry(models.Model):
    """What a volunteer tells a young person about a service to refer to.

    Its own model beside partnership.Service rather than fields on it: the directory is the
    chat's working text, kept by coordinators from their own page, while Service is the
    partnership's configuration that records, referral codes and figures point to."""

    service = models.OneToOneField(
        "partnership.Service",
        on_delete=models.CASCADE,
        related_name="directory_entry",
        verbose_name=_("service"),
    )
    description = models.TextField(
        _("what the service offers"), blank=True, help_text=_("A sentence or two.")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=300, blank=True)
    contact = models.CharField(
        _("how to get in touch"),
        max_length=300,
        blank=True,
        help_text=_("Telephone, web page or drop-in times of the service."),
    )
    shown_in_chat = models.BooleanField(
        _("offered in the chat"), default=True, help_text=_("Volunteers can refer to it.")
    )

    class Meta:
        ordering = ["service__name"]
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory of services")

    def __str__(self) -> str:
        return str(self.service)


class FeedbackAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class FeedbackCount(models.Model):
    """How many young people answered "did this help?" with each answer on a day. Nothing links a
    count to a conversation: the day and the answer are all there is."""

    day = models.DateField(_("day"))
    answer = models.CharField(_("answer"), max_length=10, choices=FeedbackAnswer.choices)
    n = models.PositiveIntegerField(_("number of answers"), default=0)

    class Meta:
        ordering = ["-day", "answer"]
        verbose_name = _("feedback count")
        verbose_name_plural = _("feedback counts")
        constraints = [
            models.UniqueConstraint(fields=["day", "answer"], name="chat_feedback_day_answer")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.answer}: {self.n}"
