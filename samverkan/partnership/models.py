"""The partnership as data: who takes part, under which agreement, governed by whom, towards what.

A partnership is configuration, not code: everything here is edited in the admin, and a second
partnership needs no code change.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NON_PROFIT = "non-profit", _("non-profit organisation")
        PUBLIC = "public", _("public authority")

    key = models.SlugField(_("key"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A service or department of an organisation; records and users belong to a unit."""

    class Kind(models.TextChoices):
        CHAT = "chat", _("anonymous chat")
        CLINIC = "clinic", _("counselling clinic")
        SUPPORT_CENTRE = "support-centre", _("support centre")
        DEPARTMENT = "department", _("department for city-wide social issues")
        YOUTH_SERVICE = "youth-service", _("youth community service")
        RVC = "rvc", _("relationship violence centre")
        YOUTH_CLINIC = "youth-clinic", _("youth clinic")
        SOCIAL_SERVICES = "social-services", _("local social services")
        OTHER = "other", _("other")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisation")
    )
    key = models.SlugField(_("key"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class PartnershipQuerySet(models.QuerySet):
    def of_unit(self, unit: Unit) -> "PartnershipQuerySet":
        """The partnerships a unit takes part in, itself or through its organisation."""
        return self.filter(models.Q(units=unit) | models.Q(organisations=unit.organisation_id))

    def for_user(self, user) -> "PartnershipQuerySet":  # noqa: ANN001 - accounts is above this
        """The partnerships of a signed-in staff user's unit: none for an inactive user or one
        without a unit. What the user may do in them is for the role to decide (the callers)."""
        if not (user.is_active and user.unit_id):
            return self.none()
        return self.of_unit(user.unit).distinct()

    def first_for_user(self, user) -> "Partnership | None":  # noqa: ANN001
        """The one partnership of pages that show a single partnership. A user whose unit takes
        part in several works in the oldest (the first created), the same on every page."""
        return self.for_user(user).order_by("pk").first()


class Partnership(models.Model):
    key = models.SlugField(_("key"), unique=True)
    name = models.CharField(_("name"), max_length=300)
    purpose = models.TextField(_("purpose"), blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    target_age_min = models.PositiveSmallIntegerField(_("target group, lowest age"), null=True)
    target_age_max = models.PositiveSmallIntegerField(_("target group, highest age"), null=True)
    municipality = models.CharField(
        _("municipality"),
        max_length=100,
        help_text=_("Records say whether a young person lives here (resident)."),
    )
    organisations = models.ManyToManyField(
        Organisation, through="Party", related_name="partnerships", verbose_name=_("parties")
    )
    units = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="partnerships",
        verbose_name=_("units"),
        help_text=_("Units whose records count towards the partnership's figures."),
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_age_min__lte=models.F("target_age_max"))
                | models.Q(target_age_min__isnull=True)
                | models.Q(target_age_max__isnull=True),
                name="partnership_target_ages_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Party(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    represented_by = models.ManyToManyField(
        Unit,
        blank=True,
        verbose_name=_("represented by"),
        help_text=_("The units that act for the organisation in this partnership."),
    )
    commitments = models.TextField(_("commitments"), blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "organisation"], name="party_once")
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class Service(models.Model):
    """A place a young person can be referred to (the clinic, RVC, social services, ...)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="services")
    key = models.SlugField(_("key"))
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("receiving unit"),
        help_text=_("Set when the service is a unit of the partnership."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "key"], name="service_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="districts")
    key = models.SlugField(_("key"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "key"], name="district_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Goal(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("goal"))

    class Meta:
        ordering = ["partnership", "position"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class AgreementPeriod:
    number: int
    starts_on: datetime.date
    ends_on: datetime.date
    notice_deadline: datetime.date | None
    """Last day a party can give notice so that this period is the last; None if it is anyway."""


class Agreement(models.Model):
    """The agreement (överenskommelse): its first period and how it extends itself."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="agreements"
    )
    reference = models.CharField(_("reference number"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    first_period_ends_on = models.DateField(_("first period ends on"))
    extension_months = models.PositiveSmallIntegerField(
        _("extension, months"),
        default=12,
        help_text=_("Length of each automatic extension; 0 means no extension."),
    )
    final_end_on = models.DateField(
        _("final end date"), null=True, blank=True, help_text=_("No extension goes beyond it.")
    )
    notice_month = models.PositiveSmallIntegerField(_("notice deadline, month"), null=True)
    notice_day = models.PositiveSmallIntegerField(_("notice deadline, day"), null=True)
    yearly_compensation = models.DecimalField(
        _("yearly compensation (SEK)"), max_digits=12, decimal_places=2
    )

    class Meta:
        ordering = ["partnership", "starts_on"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return f"{self.partnership} {self.starts_on:%Y-%m-%d}"

    def clean(self) -> None:
        if (
            self.first_period_ends_on
            and self.starts_on
            and self.first_period_ends_on < self.starts_on
        ):
            raise ValidationError(
                {"first_period_ends_on": _("The first period cannot end before it starts.")}
            )
        if (
            self.final_end_on
            and self.first_period_ends_on
            and (self.final_end_on < self.first_period_ends_on)
        ):
            raise ValidationError(
                {"final_end_on": _("The final end date cannot come before the first period ends.")}
            )
        if (self.notice_month is None) != (self.notice_day is None):
            raise ValidationError(
                {"notice_day": _("Give both the month and the day of the notice deadline.")}
            )
        if self.notice_month is not None:
            try:
                # A leap year, so 29 February is allowed (it falls on the 28th in other years).
                datetime.date(2000, self.notice_month, self.notice_day)
            except ValueError:
                raise ValidationError(
                    {"notice_day": _("The notice deadline is not a valid day of the year.")}
                ) from None

    def periods(self, *, list_until: datetime.date | None = None) -> list[AgreementPeriod]:
        """Every period the agreement can run for, if no party gives notice."""
        return agreement_periods(
            starts_on=self.starts_on,
            first_period_ends_on=self.first_period_ends_on,
            extension_months=self.extension_months,
            final_end_on=self.final_end_on,
            notice_month=self.notice_month,
            notice_day=self.notice_day,
            list_until=list_until,
        )


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def day_of_year(year: int, month: int, day: int) -> datetime.date:
    """(month, day) in a year; 29 February is the 28th in a year that has no 29th."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return datetime.date(year, month, day - 1)


def agreement_periods(
    *,
    starts_on: datetime.date,
    first_period_ends_on: datetime.date,
    extension_months: int,
    final_end_on: datetime.date | None,
    notice_month: int | None,
    notice_day: int | None,
    list_until: datetime.date | None = None,
) -> list[AgreementPeriod]:
    """Periods of an agreement that extends itself unless a party gives notice.

    The notice deadline for a period is the last (notice_month, notice_day) on or before the day
    the period ends: "senast den 14 september respektive år" for periods ending 14 December.
    A notice day of 29 February falls on the 28th in other years. Each extension ends a whole
    number of extensions after the first period's end (counted from it, so a period ending on
    29 February ends on the 28th in other years and on the 29th again in the next leap year).
    Without a final end date the next ten extensions are listed, or as many as reach list_until.
    """
    periods = []
    start, end = starts_on, first_period_ends_on
    number = 1
    while True:
        last = extension_months == 0 or (final_end_on is not None and end >= final_end_on)
        if number > 10 and final_end_on is None and (list_until is None or end >= list_until):
            last = True
        deadline = None
        if not last and notice_month is not None and notice_day is not None:
            deadline = day_of_year(end.year, notice_month, notice_day)
            if deadline > end:
                deadline = day_of_year(end.year - 1, notice_month, notice_day)
        periods.append(AgreementPeriod(number, start, end, deadline))
        if last:
            return periods
        start = end + datetime.timedelta(days=1)
        end = _add_months(first_period_ends_on, extension_months * number)
        if final_end_on is not None:
            end = min(end, final_end_on)
        number += 1


class Group(models.Model):
    """A governing group: the steering group decides strategy, the cooperation group operations."""

    class Kind(models.TextChoices):
        STEERING = "steering", _("steering group")
        COOPERATION = "cooperation", _("cooperation group")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    mandate = models.TextField(_("mandate"), blank=True)

    class Meta:
        ordering = ["partnership", "kind"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A member of a group, by the organisation and function they represent (staff, not clients).

    The name is that of a staff member holding the function; it may stay empty.
    """

    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        MEMBER = "member", _("member")
        SECRETARY = "secretary", _("secretary")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    function = models.CharField(_("function"), max_length=200)
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(
        _("role in the group"), max_length=20, choices=Role.choices, default=Role.MEMBER
    )
    member_from = models.DateField(_("member from"), null=True, blank=True)
    member_until = models.DateField(_("member until"), null=True, blank=True)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("user")
    )

    class Meta:
        ordering = ["group", "organisation__name"]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")

    def __str__(self) -> str:
        who = f"{self.name} ({self.function})" if self.name else self.function
        return f"{who}, {self.organisation}"

    def is_member_on(self, day: datetime.date) -> bool:
        return (self.member_from is None or self.member_from <= day) and (
            self.member_until is None or day <= self.member_until
        )
