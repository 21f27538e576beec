"""Anonymous records of the services' work.

No names, personal identity numbers, addresses, phone numbers, e-mail, IP addresses or free text
about a young person are stored anywhere: every field here is a date, a number or a choice. The
`ref` of a record is the unit's own pseudonymous reference (for idempotent imports), never an
identifier of a person.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_AGE = 99


class Gender(models.TextChoices):
    GIRL = "girl", _("girl")
    BOY = "boy", _("boy")
    OTHER = "other", _("other gender")
    UNKNOWN = "unknown", _("unknown")


class Resident(models.TextChoices):
    YES = "yes", _("resident")
    NO = "no", _("not resident")
    UNKNOWN = "unknown", _("unknown")


class ChatConcern(models.TextChoices):
    VICTIM = "victim", _("subjected to violence")
    PERPETRATOR = "perpetrator", _("uses violence")
    FRIEND = "friend", _("friend of someone affected")
    OTHER = "other", _("other")


class ViolenceForm(models.TextChoices):
    PHYSICAL = "physical", _("physical")
    PSYCHOLOGICAL = "psychological", _("psychological")
    SEXUAL = "sexual", _("sexual")
    DIGITAL = "digital", _("digital")
    ECONOMIC = "economic", _("economic")
    OTHER = "other", _("other")


class ClinicConcern(models.TextChoices):
    VICTIM = "victim", _("subjected to violence")
    PERPETRATOR = "perpetrator", _("uses violence")


class CameVia(models.TextChoices):
    CHAT = "chat", _("the chat")
    SUPPORT_CENTRE = "support-centre", _("the support centre")
    YOUTH_SERVICE = "youth-service", _("the youth community service")
    SELF = "self", _("on their own")
    OTHER = "other", _("other")


class Closure(models.TextChoices):
    COMPLETED = "completed", _("completed")
    ENDED_EARLY = "ended-early", _("ended early")


class SupportCategory(models.TextChoices):
    VICTIM = "victim", _("crime victim")
    WITNESS = "witness", _("witness")
    RELATIVE = "relative", _("relative")
    SUSPECT_MEDIATION = "suspect-mediation", _("suspect, mediation")
    SUSPECT_INTERROGATION = "suspect-interrogation", _("suspect, interrogation")


class ScreeningAnswer(models.TextChoices):
    NONE = "none", _("no experience")
    VICTIM = "victim", _("subjected to violence")
    PERPETRATOR = "perpetrator", _("has used violence")
    BOTH = "both", _("both")
    DECLINED = "declined", _("declined to answer")


class ImportBatch(models.Model):
    """One run of `samverkan import`: what was read, into which unit, and what was added."""

    unit = models.ForeignKey("partnership.Unit", on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=30)
    # The file's checksum identifies it; its name is not kept (a name is free text that could
    # say something about a person).
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    rows_read = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.sha256[:12]} ({self.created_at:%Y-%m-%d %H:%M})"


def _age_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(age__isnull=True) | Q(age__gte=1, age__lte=MAX_AGE), name=f"{name}_age_range"
    )


def _ref_unique(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["unit", "ref"], condition=Q(ref__isnull=False), name=f"{name}_ref_unique"
    )


class Record(models.Model):
    # Indexed through each record's (unit, date) index and the (unit, ref) constraint instead:
    # a separate unit index would cost every imported row one more index write.
    unit = models.ForeignKey(
        "partnership.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("unit"),
    )
    ref = models.CharField(
        _("reference"),
        max_length=64,
        null=True,
        blank=True,
        help_text=_("The unit's own reference; never a name or personal identity number."),
    )
    # No index: only the rare deletion of an import looks records up by it, and every index
    # costs each of the million rows an import may write.
    import_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ChatConversation(Record):
    started_at = models.DateTimeField(_("started at"))
    resident = models.CharField(
        _("resident"), max_length=10, choices=Resident.choices, default=Resident.UNKNOWN
    )
    district = models.ForeignKey(
        "partnership.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("district"),
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    concern = models.CharField(_("concern"), max_length=20, choices=ChatConcern.choices)
    violence_physical = models.BooleanField(_("physical violence"), default=False)
    violence_psychological = models.BooleanField(_("psychological violence"), default=False)
    violence_sexual = models.BooleanField(_("sexual violence"), default=False)
    violence_digital = models.BooleanField(_("digital violence"), default=False)
    violence_economic = models.BooleanField(_("economic violence"), default=False)
    violence_other = models.BooleanField(_("other violence"), default=False)
    referred_to = models.ForeignKey(
        "partnership.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("referred to"),
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("chat conversation")
        verbose_name_plural = _("chat conversations")
        constraints = [_age_check("chat"), _ref_unique("chat")]
        # The list's order, with its filters' values: a filtered list is counted from the index
        # alone instead of reading each row (80-140 ms with a million rows, benchmarks/web.py).
        indexes = [
            models.Index(
                fields=["unit", "started_at", "concern", "resident", "gender"],
                name="chat_unit_started_filters",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def violence_forms(self) -> list[str]:
        return [form for form in ViolenceForm.values if getattr(self, f"violence_{form}")]

    @property
    def violence_labels(self) -> list[str]:
        return [ViolenceForm(form).label for form in self.violence_forms]


class ClinicClient(Record):
    """A client of the counselling clinic; `ref` is the clinic's pseudonymous reference."""

    first_visit = models.DateField(_("first visit"))
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    age = models.PositiveSmallIntegerField(_("age at first visit"), null=True, blank=True)
    resident = models.CharField(
        _("resident"), max_length=10, choices=Resident.choices, default=Resident.UNKNOWN
    )
    concern = models.CharField(_("concern"), max_length=20, choices=ClinicConcern.choices)
    came_via = models.CharField(
        _("came via"), max_length=20, choices=CameVia.choices, null=True, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure = models.CharField(
        _("closure"), max_length=20, choices=Closure.choices, null=True, blank=True
    )

    class Meta:
        ordering = ["-first_visit"]
        verbose_name = _("clinic client")
        verbose_name_plural = _("clinic clients")
        indexes = [models.Index(fields=["unit", "first_visit"])]
        constraints = [
            _age_check("clinic"),
            _ref_unique("clinic"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True, closure__isnull=True)
                | Q(closed_on__isnull=False, closure__isnull=False),
                name="clinic_closed_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("first_visit")),
                name="clinic_closed_after_first_visit",
            ),
        ]

    def __str__(self) -> str:
        return self.ref or f"{self._meta.verbose_name} {self.pk}"


class ClinicSession(models.Model):
    client = models.ForeignKey(ClinicClient, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["client", "date"], name="clinic_session_once_a_day")
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.client} {self.date:%Y-%m-%d}"


class SupportCentreCase(Record):
    received_on = models.DateField(_("received on"))
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=30, choices=SupportCategory.choices)
    screened = models.BooleanField(
        _("routine question asked"),
        default=False,
        help_text=_("The routine question on violence in young people's close relationships."),
    )
    screening_answer = models.CharField(
        _("answer to the routine question"),
        max_length=20,
        choices=ScreeningAnswer.choices,
        null=True,
        blank=True,
    )
    referred_to = models.ForeignKey(
        "partnership.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("referred to"),
    )
    # The agreement's commitment: the support centre tells the target group that support to
    # stop using violence exists. Yes, no, or not noted (cases registered before it was asked).
    told_of_support_to_stop = models.BooleanField(
        _("told that support to stop using violence exists"), null=True, blank=True
    )

    class Meta:
        ordering = ["-received_on"]
        verbose_name = _("support-centre case")
        verbose_name_plural = _("support-centre cases")
        constraints = [
            _age_check("support"),
            _ref_unique("support"),
            models.CheckConstraint(
                condition=Q(screened=True) | Q(screening_answer__isnull=True),
                name="support_answer_only_if_screened",
            ),
        ]
        # As for chat conversations: the list's order with its filters' values.
        indexes = [
            models.Index(
                fields=["unit", "received_on", "category", "gender"],
                name="support_unit_received_filters",
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
