"""Registering the partnership's other work: consultations, network meetings, trainings."""

import datetime

import pytest
from django.urls import reverse

from samverkan.accounts.models import Role, User
from samverkan.activities.models import Activity
from samverkan.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client, small):
    user = User.objects.create_user("s", password="x" * 16, role=Role.COORDINATOR, unit=small.chat)
    sign_in(client, user)
    return user


def test_the_coordinator_registers_a_network_meeting(client, small, coordinator):
    organisations = [small.chat.organisation.pk, small.support_centre.organisation.pk]
    response = client.post(
        reverse("activities:register"),
        {
            "kind": "network-meeting",
            "date": "2022-05-10",
            "organisations": organisations,
            "participants": "14",
            "topic": "Samverkan kring unga våldsutövare",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.kind, activity.date, activity.participants) == (
        "network-meeting",
        datetime.date(2022, 5, 10),
        14,
    )
    assert activity.organisations.count() == 2
    assert activity.registered_by == coordinator
    listing = client.get(reverse("activities:list")).content.decode()
    assert "Samverkan kring unga våldsutövare" in listing and "nätverksmöte" in listing.lower()


def test_an_activity_needs_organisations_and_cannot_be_in_the_future(client, small, coordinator):
    response = client.post(
        reverse("activities:register"),
        {"kind": "training", "date": "2999-01-01", "participants": "0", "topic": ""},
    )
    assert response.status_code == 200
    assert response.content.decode().count('aria-invalid="true"') >= 2
    assert not Activity.objects.exists()
