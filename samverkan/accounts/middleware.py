"""Every signed-in user passes the second factor before anything else; a session from an
identity provider lasts no longer than its bound (accounts.oidc)."""

from collections.abc import Callable
from contextlib import suppress
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, load_backend, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import middleware as otp_middleware
from django_otp.models import Device

from samverkan.accounts import oidc
from samverkan.accounts.security import confirmed_device

# Pages a signed-in user reaches before the second factor: to give it, set it up, or leave.
OPEN_PATHS = ("accounts:verify", "accounts:setup", "accounts:logout")


MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's, reading the session's user, its device of the second factor and the user's
    unit in one query.

    Every signed-in page reads the user (Django's authentication), the device (django-otp's
    middleware) and, for most pages, the user's unit: three queries by primary key, each mostly
    the ORM's own cost. Here the device is read joined to its user and the user's unit, and when
    it is the session's user's device, that user is the request's user, taken only if Django
    would take it: the session names ModelBackend, one of AUTHENTICATION_BACKENDS; the backend
    lets the user sign in (`user_can_authenticate`: an active account); the session's auth hash
    is the user's with the current SECRET_KEY (password, and so sessions, unchanged). Anything
    else (no user or no device in the session, another backend, another user's device, a hash
    that only a fallback key verifies or none does, an inactive account) goes Django's and
    django-otp's own way, which decides and acts as before (a session of a changed password is
    flushed; one verified by SECRET_KEY_FALLBACKS gets a new key and hash). django-otp's checks
    of the device are its own (`_finalize_device`: another user's or an unconfirmed device
    counts as none).
    """

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:  # noqa: ANN401 - Django's user
        found = self._user_with_device(request)
        if found is None:
            return super()._verify_user_sync(request, user)
        user, device = found
        # What django.contrib.auth.middleware.get_user would give for this request.
        request._cached_user = user  # noqa: SLF001 - Django's per-request cache of the user
        self._init_user_fields(user)
        user.otp_device = self._finalize_device(request, user, device)
        return user

    def _user_with_device(self, request: HttpRequest) -> tuple[Any, Device | None] | None:
        """The session's user and device from one query, when Django would take that user as
        it is; None for Django's way."""
        session = request.session
        persistent_id = session.get(DEVICE_ID_SESSION_KEY)
        if not persistent_id or session.get(BACKEND_SESSION_KEY) != MODEL_BACKEND:
            return None
        if MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS:
            return None
        try:
            user_id = auth._get_user_session_key(request)  # noqa: SLF001 - as auth.get_user reads it
        except (KeyError, ValueError, ValidationError):
            return None
        device = self._device_from_persistent_id(persistent_id)
        if device is None or device.user_id != user_id:
            return None
        user = device.user
        backend = load_backend(MODEL_BACKEND)
        if not backend.user_can_authenticate(user):
            return None
        session_hash = session.get(HASH_SESSION_KEY)
        if not session_hash or not constant_time_compare(
            session_hash, user.get_session_auth_hash()
        ):
            return None
        return user, device

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        persistent_id = self._normalize_persistent_id(persistent_id)
        with suppress(ValueError, LookupError):
            devices = Device._filter_persistent_id(persistent_id)  # noqa: SLF001 - as django-otp reads it
            if devices is not None:
                return devices.select_related("user__unit").first()
        return None


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and oidc.SESSION_PROVIDER in request.session:
            provider = request.session[oidc.SESSION_PROVIDER]
            if oidc.session_expired(request) or provider not in oidc.providers():
                # Back to the provider: it signs a person it still knows in again at once (its
                # own session), and refuses one removed there.
                logout(request)
                if provider not in oidc.providers():
                    return redirect("accounts:login")
                target = reverse("accounts:oidc_login", args=[provider])
                if request.method == "GET":
                    target += "?" + urlencode({"next": request.get_full_path()})
                return redirect(target)
            if request.session.get(oidc.SESSION_MFA):
                # The provider checked a second factor (its amr or acr says so).
                user.is_verified = lambda: True  # type: ignore[union-attr]
        if user.is_authenticated and not user.is_verified():  # type: ignore[union-attr]
            open_paths = {reverse(name) for name in OPEN_PATHS}
            if request.path not in open_paths and not request.path.startswith(
                ("/static/", "/sprak/")
            ):
                target = reverse("accounts:verify" if confirmed_device(user) else "accounts:setup")
                if request.method == "GET" and request.path != reverse("home"):
                    # The page asked for is kept through the second factor (see
                    # accounts.views.requested_page, which accepts only this site's paths).
                    target += "?" + urlencode({"next": request.get_full_path()})
                return redirect(target)
        response = self.get_response(request)
        provider = (
            request.session.get(oidc.SESSION_PROVIDER) if hasattr(request, "session") else None
        )
        if provider in oidc.providers():
            # The sign-out form's answer leads on to the provider's sign-out: the page's
            # Content Security Policy must let a form's redirect go there (form-action).
            issuer = urlsplit(oidc.providers()[provider]["issuer"])
            update = getattr(response, "_csp_update", None) or {}
            update["form-action"] = ["'self'", f"{issuer.scheme}://{issuer.netloc}"]
            response._csp_update = update  # noqa: SLF001 - django-csp's per-response update
        return response
