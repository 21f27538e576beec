"""Staff users. Young people never have accounts; every staff user belongs to a unit."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("chat volunteer")
    COUNSELLOR = "counsellor", _("counsellor")
    SUPPORT_CENTRE_OFFICER = "support-centre-officer", _("support-centre officer")
    UNIT_MANAGER = "unit-manager", _("unit manager")
    COORDINATOR = "coordinator", _("partnership coordinator")
    STEERING_MEMBER = "steering-member", _("steering-group member")
    ADMINISTRATOR = "administrator", _("administrator")


class SamverkanUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):  # noqa: ANN001, ANN201
        # `samverkan createsuperuser` makes an administrator: every user has a role.
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        "partnership.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("unit"),
    )

    objects = SamverkanUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit entry from the application."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ANN003, ANN201
        raise AppendOnlyError("The audit log is append-only: entries cannot be changed.")

    def delete(self):  # noqa: ANN201
        raise AppendOnlyError("The audit log is append-only: entries cannot be deleted.")


class AuditEntry(models.Model):
    """One action of a staff user on records: who, which unit, what, on which record, when.

    Written by `samverkan.accounts.audit.log_action` only. It names records by id, never by
    their content, and keeps no IP address.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("user")
    )
    unit = models.ForeignKey(
        "partnership.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    action = models.CharField(_("action"), max_length=80)
    target_type = models.CharField(_("kind of record"), max_length=80, blank=True)
    target_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    count = models.PositiveIntegerField(_("number of records"), null=True, blank=True)
    fields = models.CharField(
        _("changed fields"),
        max_length=300,
        blank=True,
        help_text=_("Names of the fields a change touched, never their values."),
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only: entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        raise AppendOnlyError("The audit log is append-only: entries cannot be deleted.")


class GroupRule(models.Model):
    """A role and unit for people whose identity provider says they belong to a group.

    At every sign-in through a provider the rules are read in order (lowest position first) and
    the first whose group is among the person's groups gives their role and unit; a person no
    rule matches is refused. An administrator edits the rules in the admin.
    """

    provider = models.CharField(
        _("identity provider"),
        max_length=40,
        blank=True,
        help_text=_("The provider's name in SAMVERKAN_OIDC_PROVIDERS; empty for any provider."),
    )
    group = models.CharField(
        _("group"),
        max_length=200,
        help_text=_("A value of the provider's groups claim (in Entra ID, the group's object id)."),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        "partnership.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    position = models.PositiveIntegerField(_("position"), default=100)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("group rule")
        verbose_name_plural = _("group rules")

    def __str__(self) -> str:
        return f"{self.group} → {self.get_role_display()}"


class ExternalIdentity(models.Model):
    """The person a provider's subject identifier names: provisioned at their first sign-in."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="identities", verbose_name=_("user")
    )
    provider = models.CharField(_("identity provider"), max_length=40)
    subject = models.CharField(_("subject"), max_length=255)
    last_groups = models.JSONField(_("groups at the last sign-in"), default=list, blank=True)
    last_sign_in = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="external_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.user}"


class UserSession(models.Model):
    """A signed-in session of a user, so that they can see and end their others. Made at
    sign-in, removed at sign-out; names the session by its key, holds no address or device."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="signed_in_sessions", verbose_name=_("user")
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    signed_in_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    how = models.CharField(_("signed in with"), max_length=60, blank=True)

    class Meta:
        ordering = ["-signed_in_at"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.signed_in_at:%Y-%m-%d %H:%M}"
