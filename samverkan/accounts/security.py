"""Sign-in security: the second factor and what the lock-out keeps."""

from django.http import HttpRequest
from django_otp.oath import hotp
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


class AlreadyUsed(Exception):
    """The right code, but one already used to sign in: a code is good once, so the person
    waits for the app's next one (a new code every 30 seconds)."""


def verify_code(device: TOTPDevice, code: str) -> bool:
    """Whether the code is right; a code is good once, and wrong codes slow down the next try.
    Raises AlreadyUsed for the code that was last accepted (still counted as a failed try, so
    that a code seen over a shoulder cannot be used to lift the slowing-down)."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        raise Throttled
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == device.digits):
        return False
    if device.verify_token(code):
        return True
    if device.last_t >= 0 and int(code) == hotp(
        device.bin_key, device.last_t, digits=device.digits
    ):
        raise AlreadyUsed
    return False
