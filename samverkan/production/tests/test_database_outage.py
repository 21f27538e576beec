"""The database goes away while a record is being saved.

The record's INSERT has gone through and its anonymous counts are being written when the
database stops answering: on PostgreSQL the server ends the session (pg_terminate_backend from
another connection, as a restart or failover does); on SQLite the engine aborts the statement
(its progress handler, the way an interrupted engine ends one). The volunteer gets a clear page
saying nothing was saved, nothing half-saved remains (no record, no count, no audit entry), and
when the database is back the same form saves.
"""

import contextlib

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import sign_in
from samverkan.records.models import ChatConversation
from samverkan.statistics.models import DailyCount, MonthlyCount

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {
    "started_at": "2022-03-01T19:30",
    "concern": "perpetrator",
    "resident": "yes",
    "gender": "boy",
    "age": "17",
    "violence": ["psychological"],
}


def _stop_the_database() -> None:
    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        pid = connection.connection.info.backend_pid
        with psycopg.connect(
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            dbname=settings["NAME"],
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
    else:
        connection.connection.set_progress_handler(lambda: 1, 1)


@contextlib.contextmanager
def outage_when_counting():
    """The database stops at the moment the record's counts are written."""
    state = {"stopped": False}

    def wrapper(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        if not state["stopped"] and "INSERT INTO" in sql and "dailycount" in sql.lower():
            state["stopped"] = True
            _stop_the_database()
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(wrapper):
            yield state
    finally:
        if connection.vendor == "sqlite" and connection.connection is not None:
            connection.connection.set_progress_handler(None, 1)


def test_a_record_saved_as_the_database_stops_is_not_half_saved(client, small):
    volunteer = User.objects.create_user(
        "volunteer", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    sign_in(client, volunteer)
    url = reverse("records:chat_create")
    assert client.get(url).status_code == 200
    audit_before = AuditEntry.objects.count()

    with outage_when_counting() as outage:
        response = client.post(url, FORM)
    assert outage["stopped"]
    assert response.status_code == 503
    assert 2 <= int(response["Retry-After"]) <= 10  # a restart takes seconds, not minutes
    page = response.content.decode()
    with translation.override("sv"):
        assert translation.gettext("Nothing was saved") in page
    assert f'href="{url}"' in page

    # Nothing half-saved: the record and its counts were one transaction.
    assert ChatConversation.objects.count() == 0
    assert DailyCount.objects.count() == 0 and MonthlyCount.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before

    # The database is back: the same form saves, and counts once.
    response = client.post(url, FORM)
    assert response.status_code == 302
    assert ChatConversation.objects.count() == 1
    assert DailyCount.objects.get(metric="chat.by_concern.perpetrator").n == 1


def test_a_read_only_database_gives_signed_in_pages_a_503_not_a_500(small):
    """A signed-in page saves its session after the view (once its idle end would move by a
    minute, accounts.sessions): on a database that refuses writes that fails outside the view,
    and is still a clear 503."""
    import datetime

    from django.contrib.sessions.models import Session
    from django.test import Client
    from django.utils import timezone

    volunteer = User.objects.create_user(
        "volunteer", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    client = Client(raise_request_exception=False)
    sign_in(client, volunteer)
    # The last page two minutes ago: this one saves the session.
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=28))
    url = reverse("records:chat_create")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET SESSION default_transaction_read_only = on")
        else:
            cursor.execute("PRAGMA query_only = ON")
    try:
        response = client.get(url)
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET SESSION default_transaction_read_only = off")
            else:
                cursor.execute("PRAGMA query_only = OFF")
    assert response.status_code == 503
    with translation.override("sv"):
        assert translation.gettext("Nothing was saved") in response.content.decode()
    assert client.get(url).status_code == 200
