"""Fixtures shared by the test tree: a small partnership configured from scratch."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from samverkan.partnership.models import District, Organisation, Partnership, Service, Unit

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args: int) -> datetime.datetime:
    """An aware datetime in Stockholm time: local(2022, 1, 31, 23, 30)."""
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


@dataclass
class SmallPartnership:
    partnership: Partnership
    chat: Unit
    clinic: Unit
    support_centre: Unit
    clinic_service: Service
    rvc_service: Service
    district: District


def sign_in(client, user) -> None:  # noqa: ANN001
    """Sign a test client in with both factors: the password and a confirmed authenticator."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "test"}
    )
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def admin_client(client, admin_user):  # noqa: ANN001
    """pytest-django's admin_client, past the second factor as every user must be."""
    sign_in(client, admin_user)
    return client


@pytest.fixture
def small() -> SmallPartnership:
    foundation = Organisation.objects.create(key="foundation", name="Foundation", kind="non-profit")
    city = Organisation.objects.create(key="city", name="City", kind="public")
    chat = Unit.objects.create(
        key="chat", name="Chat", kind=Unit.Kind.CHAT, organisation=foundation
    )
    clinic = Unit.objects.create(
        key="clinic", name="Clinic", kind=Unit.Kind.CLINIC, organisation=foundation
    )
    support = Unit.objects.create(
        key="support", name="Support centre", kind=Unit.Kind.SUPPORT_CENTRE, organisation=city
    )
    partnership = Partnership.objects.create(key="p", name="Partnership", municipality="Town")
    partnership.units.set([chat, clinic, support])
    return SmallPartnership(
        partnership=partnership,
        chat=chat,
        clinic=clinic,
        support_centre=support,
        clinic_service=Service.objects.create(
            partnership=partnership, key="clinic", name="Clinic", unit=clinic
        ),
        rvc_service=Service.objects.create(partnership=partnership, key="rvc", name="RVC"),
        district=District.objects.create(partnership=partnership, key="north", name="North"),
    )


@pytest.fixture
def department(small) -> Unit:  # noqa: ANN001
    """A department of the city (the support centre's organisation, a party to the
    partnership): the unit of the coordinator and of the steering group's members."""
    unit = Unit.objects.create(
        key="dept",
        name="Department",
        kind=Unit.Kind.DEPARTMENT,
        organisation=small.support_centre.organisation,
    )
    small.partnership.organisations.add(small.support_centre.organisation)
    return unit


def pytest_report_header(config) -> str:  # noqa: ANN001
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


@pytest.fixture(autouse=True)
def _disclosure_key(settings):  # noqa: ANN001, ANN202 - pytest-django's settings fixture
    """A fixed secret for the public level's perturbation, so that public figures are the same
    in every run (the key otherwise made in each test database would be random)."""
    settings.SAMVERKAN_DISCLOSURE_KEY = "test-disclosure-key"
    # Months public as soon as they end, so that tests name their periods plainly; the lag
    # before release is tested where it matters (statistics/tests/test_release.py).
    settings.SAMVERKAN_PUBLIC_AFTER_DAYS = 0


@pytest.fixture(autouse=True)
def _default_language():  # noqa: ANN202
    """Every test starts in the default language (Swedish) and leaves it so: a request or a
    command that activates another language in a test would otherwise carry into the next one
    in the same thread, and what a test reads would depend on the order of the suite."""
    from django.conf import settings  # noqa: PLC0415
    from django.utils import translation  # noqa: PLC0415

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
