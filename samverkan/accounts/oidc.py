"""Sign-in through identity providers (OpenID Connect) with Authlib: docs/sign-in.md.

The authorisation code flow with PKCE (S256), a state and a nonce per sign-in (Authlib keeps
them in the session and checks them: a callback whose state is unknown, or whose ID token
carries another nonce, is refused). A person is provisioned at their first sign-in; their role
and unit come from the provider's groups claim through `GroupRule`s at every sign-in, so a
changed group changes the role the next time. The provider's second factor counts when its
`amr` or `acr` says so; otherwise our own code is asked, as for a local account. A provider's
session here ends after SAMVERKAN_OIDC_SESSION_MINUTES (or the ID token's lifetime, if
shorter): the person is sent to the provider again, which refuses one it no longer knows.
"""

from __future__ import annotations

import datetime
import functools
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import ExternalIdentity, GroupRule, User

SESSION_PROVIDER = "oidc_provider"
SESSION_UNTIL = "oidc_until"
SESSION_ID_TOKEN = "oidc_id_token"
SESSION_MFA = "oidc_mfa"


def providers() -> dict[str, dict[str, Any]]:
    return settings.SAMVERKAN_OIDC_PROVIDERS


@functools.cache
def _registry(configured: str):  # noqa: ANN202 - Authlib's OAuth, per configuration
    from authlib.integrations.django_client import OAuth

    oauth = OAuth()
    for name, config in json.loads(configured).items():
        oauth.register(
            name,
            client_id=config["client_id"],
            client_secret=config["client_secret"] or None,
            server_metadata_url=f"{config['issuer']}/.well-known/openid-configuration",
            client_kwargs={"scope": config["scopes"], "code_challenge_method": "S256"},
        )
    return oauth


def client(name: str):  # noqa: ANN201 - Authlib's DjangoOAuth2App
    if name not in providers():
        raise KeyError(name)
    return _registry(json.dumps(providers(), sort_keys=True)).create_client(name)


class Refused(Exception):
    """The provider's person may not sign in here; `str()` says why, for them to read."""


@dataclass
class SignIn:
    user: User
    second_factor_done: bool
    until: datetime.datetime


def _groups(claims: dict[str, Any], claim: str) -> list[str]:
    value = claims.get(claim) or []
    if isinstance(value, str):
        value = [value]
    return [str(group) for group in value]


def rule_for(provider: str, groups: list[str]) -> GroupRule | None:
    """The first rule (by position) for this provider or any whose group the person has."""
    wanted = set(groups)
    for rule in GroupRule.objects.filter(provider__in=[provider, ""]).select_related("unit"):
        if rule.group in wanted:
            return rule
    return None


def provider_checked_second_factor(config: dict[str, Any], claims: dict[str, Any]) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(config["mfa_amr"]):
        return True
    acr = claims.get("acr")
    return bool(acr) and acr in config["mfa_acr"]


def _username(provider: str, claims: dict[str, Any]) -> str:
    """A user name no local account can already have: the provider's name and the person's
    own (preferred_username or e-mail), or their subject when they have neither."""
    base = claims.get("preferred_username") or claims.get("email") or claims["sub"]
    name = f"{provider}:{base}"[:140]
    while User.objects.filter(username=name).exists():
        name = f"{provider}:{base}"[:130] + "-" + secrets.token_hex(4)
    return name


def sign_in(provider: str, claims: dict[str, Any]) -> SignIn:
    """The user for a provider's verified claims: provisioned at the first sign-in, role and
    unit from the group rules every time. Raises Refused when no rule matches."""
    from django.utils.translation import gettext as _

    config = providers()[provider]
    groups = _groups(claims, config["groups_claim"])
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider, subject=str(claims["sub"]))
        .first()
    )
    rule = rule_for(provider, groups)
    if rule is None:
        # Kept, though the sign-in fails: the account closes and the refusal is logged.
        with transaction.atomic():
            if identity is not None:
                identity.user.is_active = False
                identity.user.save(update_fields=["is_active"])
            log_action("accounts.oidc.refused", user=identity.user if identity else None)
        raise Refused(
            _(
                "Your account at the identity provider gives you no role here. Ask your unit "
                "manager to have you added to the right group."
            )
        )
    with transaction.atomic():
        return _signed_in(provider, config, claims, groups, identity, rule)


def _signed_in(
    provider: str,
    config: dict[str, Any],
    claims: dict[str, Any],
    groups: list[str],
    identity: ExternalIdentity | None,
    rule: GroupRule,
) -> SignIn:
    if identity is None:
        user = User.objects.create(
            username=_username(provider, claims),
            role=rule.role,
            unit=rule.unit,
            first_name=str(claims.get("given_name", ""))[:150],
            last_name=str(claims.get("family_name", ""))[:150],
            email=str(claims.get("email", ""))[:254],
        )
        user.set_unusable_password()  # no password here: the provider signs them in
        user.save(update_fields=["password"])
        identity = ExternalIdentity.objects.create(
            user=user, provider=provider, subject=str(claims["sub"])
        )
        log_action("accounts.oidc.provisioned", user=user)
    user = identity.user
    if (user.role, user.unit_id) != (rule.role, rule.unit_id) or not user.is_active:
        user.role, user.unit, user.is_active = rule.role, rule.unit, True
        user.save(update_fields=["role", "unit", "is_active"])
        log_action("accounts.oidc.role_changed", user=user)
    identity.last_groups = groups
    identity.last_sign_in = timezone.now()
    identity.save(update_fields=["last_groups", "last_sign_in"])
    log_action("accounts.oidc.signed_in", user=user)
    lifetime = datetime.timedelta(minutes=settings.SAMVERKAN_OIDC_SESSION_MINUTES)
    until = timezone.now() + lifetime
    if claims.get("exp"):
        until = min(until, datetime.datetime.fromtimestamp(int(claims["exp"]), tz=datetime.UTC))
    return SignIn(
        user=user,
        second_factor_done=provider_checked_second_factor(config, claims),
        until=until,
    )


def session_expired(request: HttpRequest) -> bool:
    until = request.session.get(SESSION_UNTIL)
    return until is not None and timezone.now().timestamp() >= until
