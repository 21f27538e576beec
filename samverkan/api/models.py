"""API tokens: a partner system's key to its own unit's records, kept only as a hash.

A token acts through a user of its own (`principal`) that cannot sign in: the services' `by=`
checks and the audit log then treat a partner system like a person of the unit, and every entry
it leaves names the token, not the manager who issued it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("read only")
    WRITE = "write", _("read and write")


class ApiToken(models.Model):
    unit = models.ForeignKey(
        "partnership.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("Which system uses the token, e.g. the case system.")
    )
    scope = models.CharField(_("access"), max_length=10, choices=Scope.choices)
    # The first characters of the token, to find its row; the rest is only ever hashed.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    sha256 = models.CharField(_("SHA-256 of the token"), max_length=64)
    principal = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE
