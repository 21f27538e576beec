"""The idle timeout kept to the minute without a write per page (samverkan.accounts.sessions)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts.models import Role, User
from samverkan.conftest import sign_in

pytestmark = pytest.mark.django_db

PAGE = "/konto/mitt-konto/"


def _writes(client, path: str = PAGE) -> list[str]:  # noqa: ANN001
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [
        query["sql"]
        for query in queries.captured_queries
        if "django_session" in query["sql"] and not query["sql"].startswith("SELECT")
    ]


def _end() -> datetime.datetime:
    return Session.objects.get().expire_date


@pytest.fixture
def signed_in(client):  # noqa: ANN001, ANN201
    user = User.objects.create_user("k", password="x" * 16, role=Role.COORDINATOR)
    sign_in(client, user)
    return client


def test_pages_within_a_minute_of_the_last_save_write_no_session(signed_in):
    client = signed_in
    _writes(client)  # the first page after signing in
    end = _end()
    assert end > timezone.now() + datetime.timedelta(minutes=29)
    for _ in range(3):
        assert _writes(client) == []
    assert _end() == end


def test_a_page_a_minute_after_the_last_save_moves_the_end_forward(signed_in):
    client = signed_in
    _writes(client)
    # The last save 61 seconds ago: its end is 61 seconds short of a save now.
    earlier = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 61)
    Session.objects.update(expire_date=earlier)
    assert len(_writes(client)) == 1
    assert _end() > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)
    # Then the next pages of the minute again write nothing.
    assert _writes(client) == []


def test_a_page_59_seconds_after_the_last_save_writes_nothing(signed_in):
    client = signed_in
    _writes(client)
    earlier = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 59)
    Session.objects.update(expire_date=earlier)
    assert _writes(client) == []
    assert _end() == earlier


def test_the_session_still_ends_after_the_idle_time_to_the_minute(signed_in):
    client = signed_in
    _writes(client)
    # 29 minutes and 1 second without a request: still signed in, and the end moves forward.
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(seconds=59))
    assert client.get(PAGE).status_code == 200
    assert _end() > timezone.now() + datetime.timedelta(minutes=29)
    # Past the end: signed out.
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
