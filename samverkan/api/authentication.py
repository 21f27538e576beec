"""Who calls the API: a token in `Authorization: Bearer ...`, its scope, and its rate."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from samverkan.accounts.audit import log_action
from samverkan.api.models import ApiToken
from samverkan.api.tokens import TokenRefused, api_token_check


def _refusals_key(request: Request) -> str:
    """The cache key counting one client's refused tokens: a keyed hash of its address and the
    day, so the address itself is kept nowhere (and yesterday's keys match no one)."""
    address = request.META.get("REMOTE_ADDR", "")
    day = timezone.localdate().isoformat()
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{day}|{address}".encode(), hashlib.sha256
    ).hexdigest()
    return f"api-refusals:{digest[:32]}"


def _count_refusal(key: str) -> int:
    window = settings.SAMVERKAN_API_REFUSAL_WINDOW
    cache.add(key, 0, timeout=window)  # the window starts at the first refusal
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=window)
        return 1


class TokenAuthentication(BaseAuthentication):
    """A Bearer token, checked and audited (samverkan.api.tokens).

    A client whose tokens were refused SAMVERKAN_API_REFUSALS times within the window gets
    429 until it ends, before any token is looked at: someone guessing tokens can neither go on
    nor fill the audit log (each refusal is an entry; these stop at the limit, with one entry
    saying the client was stopped). A partner system with a mistyped token waits out the
    window once it is fixed.
    """

    def authenticate(self, request: Request):  # noqa: ANN201
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        key = _refusals_key(request)
        limit = settings.SAMVERKAN_API_REFUSALS
        if (cache.get(key) or 0) >= limit:
            raise exceptions.Throttled(
                wait=settings.SAMVERKAN_API_REFUSAL_WINDOW,
                detail=_("Too many refused tokens from this address; try again later."),
            )
        try:
            if len(parts) != 2:
                raise TokenRefused(_("Give the token as: Authorization: Bearer <token>."))
            try:
                text = parts[1].decode("ascii")
            except UnicodeDecodeError:
                raise TokenRefused(_("The token is not known.")) from None
            token = api_token_check(text)
        except TokenRefused as refused:
            if _count_refusal(key) == limit:
                log_action("api.token.refusals_limited", user=None, count=limit)
            raise exceptions.AuthenticationFailed(str(refused)) from None
        return token.principal, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="samverkan"'


class TokenScope(BasePermission):
    """A valid token reads; only a write token changes anything."""

    message = gettext_lazy("This token may only read.")

    def has_permission(self, request: Request, view) -> bool:  # noqa: ANN001
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        return request.method in SAFE_METHODS or token.can_write


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token in a window, counted in Django's cache (Redis in production)."""

    scope = "token"

    def get_rate(self) -> str:
        return settings.SAMVERKAN_API_RATE

    def get_cache_key(self, request: Request, view) -> str | None:  # noqa: ANN001
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "samverkan.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):  # noqa: ANN001, ANN201
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token issued by the unit's manager: svk_<prefix>_<secret>.",
        }
