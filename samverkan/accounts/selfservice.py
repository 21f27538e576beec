"""Self-service for local accounts: change one's password, set up a new authenticator, see and
end one's other sessions, and be told by e-mail when one's credentials change; account recovery
through the unit manager. Every change is in the audit log.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import Role, User, UserSession
from samverkan.accounts.permissions import RECOVERABLE_ROLES


@receiver(user_logged_in)
def _remember_session(sender, request: HttpRequest, user: User, **kwargs) -> None:  # noqa: ANN001, ANN003
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "how": request.session.get("oidc_provider", "")},
    )


@receiver(user_logged_out)
def _forget_session(sender, request: HttpRequest, user: User | None, **kwargs) -> None:  # noqa: ANN001, ANN003
    if request is not None and getattr(request, "session", None) is not None:
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def live_sessions(user: User) -> list[UserSession]:
    """The user's sessions that have not ended (expired ones are swept away here)."""
    records = list(UserSession.objects.filter(user=user))
    live = set(
        Session.objects.filter(
            session_key__in=[r.session_key for r in records], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    gone = [r.pk for r in records if r.session_key not in live]
    if gone:
        UserSession.objects.filter(pk__in=gone).delete()
    return [r for r in records if r.session_key in live]


def end_session(record: UserSession) -> None:
    Session.objects.filter(session_key=record.session_key).delete()
    record.delete()


def end_other_sessions(user: User, keep: str | None) -> int:
    others = [r for r in UserSession.objects.filter(user=user) if r.session_key != keep]
    for record in others:
        end_session(record)
    return len(others)


def notify(user: User, what: str) -> None:
    """An e-mail to the user that their credentials changed: if it was not them, they know."""
    if not user.email:
        return
    send_mail(
        _("Samverkan: %(what)s") % {"what": what},
        _(
            "Hello %(name)s,\n\n%(what)s for your account %(username)s on %(when)s.\n\n"
            "If it was not you, tell your unit manager at once: they can lock the account and "
            "give you a new start.\n"
        )
        % {
            "name": user.get_full_name() or user.username,
            "what": what,
            "username": user.username,
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        },
        None,
        [user.email],
        fail_silently=True,
    )


def is_local(user: User) -> bool:
    """A local account: a password here, not signed in through an identity provider."""
    return user.has_usable_password() and not user.identities.exists()


def password_changed(user: User, request: HttpRequest) -> None:
    end_other_sessions(user, keep=request.session.session_key)
    log_action("accounts.password.changed", user=user)
    notify(user, _("Your password was changed"))


@transaction.atomic
def authenticator_replaced(user: User, new: TOTPDevice) -> None:
    TOTPDevice.objects.filter(user=user).exclude(pk=new.pk).delete()
    new.confirmed = True
    new.save(update_fields=["confirmed"])
    log_action("accounts.authenticator.replaced", user=user)
    notify(user, _("A new authenticator app was set up"))


def recoverable_by(manager: User):  # noqa: ANN201 - a QuerySet of User
    """The accounts a unit manager may recover: local accounts of their own unit's staff."""
    if manager.role != Role.UNIT_MANAGER or manager.unit_id is None:
        return User.objects.none()
    return (
        User.objects.filter(unit_id=manager.unit_id, role__in=RECOVERABLE_ROLES, is_active=True)
        .exclude(pk=manager.pk)
        .filter(identities__isnull=True)
        .order_by("username")
    )


@transaction.atomic
def recover(manager: User, user: User) -> str:
    """A new start for a user who lost their password or phone: a one-time password for the
    manager to hand over in person, the user's authenticators removed (a new one is set up at the
    next sign-in), every session of theirs ended, the user told by e-mail, and an audit entry
    naming the manager. Returns the one-time password."""
    temporary = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    user.set_password(temporary)
    user.save(update_fields=["password"])
    TOTPDevice.objects.filter(user=user).delete()
    end_other_sessions(user, keep=None)
    log_action("accounts.recovered", user=manager, target=user)
    notify(user, _("Your unit manager gave your account a new start"))
    return temporary
