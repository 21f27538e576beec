"""The audit log: append-only from the application, searchable by coordinators and administrators."""

import datetime

import pytest
from django.urls import reverse

from samverkan.accounts.audit import audit_search, log_action
from samverkan.accounts.models import AppendOnlyError, AuditEntry, Role, User
from samverkan.conftest import local, sign_in
from samverkan.records import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(small):
    return User.objects.create_user("vol", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat)


@pytest.fixture
def coordinator(small):
    return User.objects.create_user(
        "coord", password="x" * 16, role=Role.COORDINATOR, unit=small.support_centre
    )


def test_entries_cannot_be_changed_or_deleted(volunteer):
    entry = log_action("records.listed", user=volunteer, count=3)
    entry.count = 0
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(count=0)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).count == 3


def test_search_combines_criteria(small, volunteer, coordinator):
    record = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 18), concern="victim", by=volunteer
    )
    log_action("records.chat_conversation.viewed", user=volunteer, target=record)
    log_action("records.listed", user=coordinator, count=1)
    assert audit_search(username="VOL").count() == 2  # created and viewed; case does not matter
    assert audit_search(action="records.chat_conversation.viewed").get().target_id == record.pk
    assert audit_search(target_type="records.chatconversation", target_id=record.pk).count() == 2
    assert audit_search(unit_id=small.support_centre.pk).get().user == coordinator
    today = datetime.date.today()
    assert audit_search(date_from=today + datetime.timedelta(days=1)).count() == 0


def test_coordinators_search_the_log_page(client, small, volunteer, coordinator):
    log_action("records.exported", user=volunteer, count=12)
    sign_in(client, coordinator)
    page = client.get(reverse("accounts:audit_log"), {"username": "vol"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "exporterade registreringar" in html and ">12<" in html
    wrong = client.get(
        reverse("accounts:audit_log"), {"date_from": "2022-02-02", "date_to": "2022-01-01"}
    )
    assert "Perioden slutar innan den börjar" in wrong.content.decode()


def test_others_do_not_reach_the_log(client, volunteer):
    sign_in(client, volunteer)
    assert client.get(reverse("accounts:audit_log")).status_code == 404
