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
