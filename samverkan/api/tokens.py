"""Issue, revoke and check API tokens. Writes are audited like every staff action.

A token reads `svk_<prefix>_<secret>`: the prefix finds its row, the secret (32 random bytes)
is never stored, only the SHA-256 of the whole token. A slow password hash is not needed: no
one can guess 256 random bits, and a fast hash keeps each request cheap.
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import Role, User
from samverkan.accounts.permissions import can_manage_tokens
from samverkan.api.models import ApiToken, Scope
from samverkan.core.errors import Forbidden, NotFound, SamverkanError
from samverkan.partnership.models import Unit

TOKEN_START = "svk_"
MAX_DAYS = 730
DEFAULT_DAYS = 365
# Use is audited at most this often per token: the log shows who used it and when, without an
# entry for each of a partner system's thousands of requests (those it writes are audited).
USE_AUDIT_INTERVAL = datetime.timedelta(hours=1)


class TokenRefused(SamverkanError):
    """The token is missing, malformed, unknown, revoked or expired; the message says which."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str
    """The whole token, shown once to the manager who issued it and never again."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def tokens_for_user(user: User):  # noqa: ANN201 - QuerySet[ApiToken]
    if not can_manage_tokens(user):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(unit_id=user.unit_id).select_related("issued_by")


@transaction.atomic
def api_token_create(
    *,
    by: User,
    name: str,
    scope: str,
    days: int = DEFAULT_DAYS,
    now: datetime.datetime | None = None,
) -> IssuedToken:
    if not can_manage_tokens(by):
        raise Forbidden(_("Only a unit manager can issue API tokens for their unit."))
    if scope not in Scope.values:
        raise SamverkanError(_("Unknown access %(scope)r.") % {"scope": scope})
    if not 1 <= days <= MAX_DAYS:
        raise SamverkanError(_("A token is valid for 1 to %(max)d days.") % {"max": MAX_DAYS})
    now = now or timezone.now()
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    unit: Unit = by.unit
    principal = User(username=f"api-{prefix}", role=Role.UNIT_MANAGER, unit=unit)
    principal.set_unusable_password()  # it can never sign in to the web application
    principal.save()
    token = ApiToken.objects.create(
        unit=unit,
        name=name.strip(),
        scope=scope,
        prefix=prefix,
        sha256=_digest(secret),
        principal=principal,
        issued_by=by,
        expires_at=now + datetime.timedelta(days=days),
    )
    log_action("api.token.created", user=by, target=token)
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, by: User, token_id: object) -> ApiToken:
    try:
        # Lock the token's own row only: PostgreSQL refuses FOR UPDATE on the nullable side of
        # the outer join to the user who issued it (select_related).
        token = tokens_for_user(by).select_for_update(of=("self",)).get(pk=int(str(token_id)))
    except (ApiToken.DoesNotExist, ValueError):
        raise NotFound(_("There is no such token.")) from None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        # The token's own user goes too, so nothing it could reach stays reachable.
        User.objects.filter(pk=token.principal_id).update(is_active=False)
        log_action("api.token.revoked", user=by, target=token)
    return token


def api_token_check(text: str, *, now: datetime.datetime | None = None) -> ApiToken:
    """The active token `text` is, or TokenRefused saying why; every refusal is audited."""
    now = now or timezone.now()
    parts = text.split("_")
    if not text.startswith(TOKEN_START) or len(parts) < 3:
        _refused(None)
        raise TokenRefused(_("The token is not in the form svk_<prefix>_<secret>."))
    token = (
        ApiToken.objects.select_related("principal__unit", "unit").filter(prefix=parts[1]).first()
    )
    if token is None or not hmac.compare_digest(token.sha256, _digest(text)):
        _refused(token)
        raise TokenRefused(_("The token is not known."))
    if token.revoked_at is not None:
        _refused(token)
        raise TokenRefused(_("The token has been revoked."))
    if token.expires_at <= now:
        _refused(token)
        raise TokenRefused(_("The token expired on %(day)s.") % {"day": token.expires_at.date()})
    if token.last_used_at is None or now - token.last_used_at >= USE_AUDIT_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        log_action("api.token.used", user=token.principal, target=token)
    return token


def _refused(token: ApiToken | None) -> None:
    # With the token's own user the entry carries its unit; an unknown token has neither.
    log_action("api.token.refused", user=token.principal if token else None, target=token)
