"""Every signed-in user passes the second factor before anything else; a session from an
identity provider lasts no longer than its bound (accounts.oidc)."""

from collections.abc import Callable
from contextlib import suppress
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import middleware as otp_middleware
from django_otp.models import Device

from samverkan.accounts import oidc
from samverkan.accounts.security import confirmed_device

# Pages a signed-in user reaches before the second factor: to give it, set it up, or leave.
OPEN_PATHS = ("accounts:verify", "accounts:setup", "accounts:logout")


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """django-otp's, whose read of the session's device also reads its user's unit.

    Every signed-in page reads the user (Django's authentication), the device of the second
    factor (here) and, for most pages, the user's unit: three queries by primary key. The device's
    query joins its user and unit, and the unit so read is given to the request's user when the
    two rows agree; the unit is still read from the database in the request, only in the same
    statement as the device. What is checked is django-otp's own: a device of another user or
    one not confirmed counts as none (`_finalize_device`).
    """

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        persistent_id = self._normalize_persistent_id(persistent_id)
        with suppress(ValueError, LookupError):
            devices = Device._filter_persistent_id(persistent_id)  # noqa: SLF001 - as django-otp reads it
            if devices is not None:
                return devices.select_related("user__unit").first()
        return None

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:  # noqa: ANN401 - Django's user
        user = super()._verify_user_sync(request, user)
        device = getattr(user, "otp_device", None)
        if device is not None and device.user_id == user.pk:
            owner = device.user
            if owner.unit_id is not None and owner.unit_id == user.unit_id:
                user.unit = owner.unit
        return user


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
