"""The chat's pages: the young person's (open and closed), the console, the supervisor's
overview and the directory kept by coordinators."""

import datetime

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.utils import timezone

from samverkan.accounts.models import Role, User
from samverkan.chat.models import DirectoryEntry, OpeningHours
from samverkan.chat.services import is_open
from samverkan.chat.store import get_store
from samverkan.conftest import local, sign_in

pytestmark = pytest.mark.django_db


def test_the_young_persons_page_needs_no_account_and_keeps_nothing(client, small):
    response = client.get("/chatt/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    page = response.content.decode()
    assert 'id="quick-exit"' in page and "112" in page
    assert 'name="concern"' in page and 'value="perpetrator"' in page
    assert "sessionid" not in response.cookies


def test_outside_the_hours_the_page_says_where_to_turn_instead(client, small):
    now = timezone.localtime()
    OpeningHours.objects.create(
        weekday=(now.weekday() + 1) % 7, opens=datetime.time(18), closes=datetime.time(21)
    )
    DirectoryEntry.objects.create(service=small.rvc_service, contact="08-000 00 00 (test)")
    page = client.get("/chatt/").content.decode()
    assert 'id="intro"' not in page
    assert "112" in page and "RVC" in page and "08-000 00 00 (test)" in page
    assert "18:00–21:00" in page


def test_opening_hours_are_stockholm_weekdays():
    OpeningHours.objects.create(weekday=0, opens=datetime.time(18), closes=datetime.time(21))
    assert is_open(local(2026, 11, 23, 18, 0))  # a Monday
    assert not is_open(local(2026, 11, 23, 21, 0))
    assert not is_open(local(2026, 11, 24, 19, 0))


def test_the_supervisor_sees_counts_and_never_text(small):
    from samverkan.partnership.models import Unit

    store = get_store()
    async_to_sync(store.clear)()
    now = timezone.now()
    for minutes in (4, 2):
        async_to_sync(store.create)(
            client="k", intake={"concern": "victim"}, now=now - datetime.timedelta(minutes=minutes)
        )
    department = Unit.objects.create(
        key="dept", name="Dept", kind=Unit.Kind.DEPARTMENT, organisation=small.chat.organisation
    )
    coordinator = User.objects.create_user(
        "co", password="x" * 16, role=Role.COORDINATOR, unit=department
    )
    client = Client()
    sign_in(client, coordinator)
    response = client.get("/chatt/oversikt/")
    overview = response.context["overview"]
    assert (overview.waiting, overview.longest_wait_minutes, overview.mean_wait_minutes) == (
        2,
        4,
        3,
    )
    async_to_sync(store.clear)()


def test_the_console_offers_canned_replies_and_the_directory(small):
    volunteer = User.objects.create_user(
        "v", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    client = Client()
    sign_in(client, volunteer)
    page = client.get("/chatt/konsol/").content.decode()
    assert 'id="conversation-template"' in page and "Clinic" in page and "RVC" in page
    assert "112" in page  # a canned reply


def test_coordinators_keep_the_directory(small):
    from samverkan.partnership.models import Unit

    department = Unit.objects.create(
        key="dept", name="Dept", kind=Unit.Kind.DEPARTMENT, organisation=small.chat.organisation
    )
    small.partnership.organisations.add(small.chat.organisation)
    coordinator = User.objects.create_user(
        "co", password="x" * 16, role=Role.COORDINATOR, unit=department
    )
    client = Client()
    sign_in(client, coordinator)
    response = client.post(
        f"/chatt/tjanster/{small.clinic_service.pk}/",
        {
            "description": "Samtal för den som vill sluta använda våld.",
            "address": "Exempelgatan 1",
            "opening_hours": "Mån–fre 9–17",
            "contact": "Ring 08-000 00 01 (test)",
            "shown_in_chat": "on",
        },
    )
    assert response.status_code == 302
    entry = DirectoryEntry.objects.get(service=small.clinic_service)
    assert entry.address == "Exempelgatan 1" and entry.shown_in_chat
    assert "Ring 08-000 00 01 (test)" in client.get("/chatt/tjanster/").content.decode()
    # The change is audited with what changed, in the same transaction.
    from samverkan.accounts.models import AuditEntry

    audit = AuditEntry.objects.get(action="chat.directory_entry.changed")
    assert audit.user == coordinator and audit.target_id == entry.pk
    assert set(audit.fields.split(",")) == {
        "description",
        "address",
        "opening_hours",
        "contact",
    }
    # Only the entry's own values: anything else is refused and nothing is written.
    from samverkan.chat.services import directory_entry_update

    with pytest.raises(TypeError, match="id"):
        directory_entry_update(service=small.clinic_service, by=coordinator, id=None)
    assert AuditEntry.objects.filter(action="chat.directory_entry.changed").count() == 1


def test_the_chat_units_manager_supervises_and_other_managers_do_not(small):
    managers = {
        unit.key: User.objects.create_user(
            f"m-{unit.key}", password="x" * 16, role=Role.UNIT_MANAGER, unit=unit
        )
        for unit in (small.chat, small.support_centre)
    }
    seen = {}
    for key, manager in managers.items():
        client = Client()
        sign_in(client, manager)
        seen[key] = client.get("/chatt/oversikt/").status_code
    assert seen == {"chat": 200, "support": 404}
