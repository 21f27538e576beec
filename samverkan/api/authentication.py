"""Who calls the API: a token in `Authorization: Bearer ...`, its scope, and its rate."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from samverkan.api.models import ApiToken
from samverkan.api.tokens import TokenRefused, api_token_check


class TokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request):  # noqa: ANN201
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token as: Authorization: Bearer <token>.")
            )
        try:
            token = api_token_check(parts[1].decode("ascii"))
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not known.")) from None
        except TokenRefused as refused:
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
