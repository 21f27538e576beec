"""The user's unit is read with the second factor's device (accounts.middleware.OTPMiddleware):
in the same request, from the database, never kept from an earlier one; and only django-otp's
own device (the session's, confirmed, the user's) gives it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.models import Role, User
from samverkan.conftest import sign_in
from samverkan.partnership.models import Unit

pytestmark = pytest.mark.django_db

CHAT_LIST = "/registrering/chattsamtal/"


def unit_reads(queries: CaptureQueriesContext) -> list[str]:
    """The queries that read a unit on its own (not joined to the device)."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('SELECT "partnership_unit"')
    ]


def test_the_unit_comes_with_the_device_and_is_read_in_each_request(client, small):
    user = User.objects.create_user("v", password="x", role=Role.VOLUNTEER, unit=small.chat)
    sign_in(client, user)
    client.get(CHAT_LIST)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHAT_LIST)
    assert response.status_code == 200
    assert 'class="unit">Chat</span>' in response.content.decode()
    assert unit_reads(queries) == []
    assert any(
        "otp_totp_totpdevice" in q["sql"] and "partnership_unit" in q["sql"]
        for q in queries.captured_queries
    )
    # Renamed in another process: the next request shows it (nothing kept between requests).
    Unit.objects.filter(pk=small.chat.pk).update(name="Chatten")
    response = client.get(CHAT_LIST)
    assert 'class="unit">Chatten</span>' in response.content.decode()


def test_another_users_device_in_the_session_gives_neither_the_factor_nor_the_unit(client, small):
    user = User.objects.create_user("v", password="x", role=Role.VOLUNTEER, unit=small.chat)
    other = User.objects.create_user(
        "s", password="x", role=Role.SUPPORT_CENTRE_OFFICER, unit=small.support_centre
    )
    sign_in(client, user)
    foreign = TOTPDevice.objects.create(user=other, confirmed=True, name="other")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = foreign.persistent_id
    session.save()
    response = client.get(CHAT_LIST)
    # django-otp's check holds: no second factor, so to the verification page.
    assert response.status_code == 302
    assert "/konto/tvastegsverifiering/" in response["Location"]
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_an_unconfirmed_device_gives_no_second_factor(client, small):
    user = User.objects.create_user("v", password="x", role=Role.VOLUNTEER, unit=small.chat)
    sign_in(client, user)
    TOTPDevice.objects.filter(user=user).update(confirmed=False)
    response = client.get(CHAT_LIST)
    assert response.status_code == 302
