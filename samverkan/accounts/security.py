"""Sign-in security: the second factor and what the lock-out keeps."""

from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.models import User


def no_ip_address(request: HttpRequest) -> None:
    """For django-axes: lock out by account and keep no IP address (store less)."""
    return None


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def device_for_setup(user: User) -> TOTPDevice:
    """The unconfirmed authenticator a user is setting up, made on first need."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


class Throttled(Exception):
    """Too many wrong codes in a row: django-otp makes each new try wait longer."""


def verify_code(device: TOTPDevice, code: str) -> bool:
    """Whether the code is right; a code is good once, and wrong codes slow down the next try."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        raise Throttled
    code = "".join(code.split())
    return code.isdigit() and len(code) == device.digits and device.verify_token(code)
