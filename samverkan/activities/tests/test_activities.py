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


def test_the_activity_form_offers_stockholms_ungdomstjanst_rvc_and_the_youth_clinics(client):
    """The source document's network: the demo's form lists the services it names, and a
    consultation with Stockholms ungdomstjänst is registered by its services."""
    from samverkan.demo.services import demo_build

    demo, _created = demo_build(seed=2022)
    sign_in(client, User.objects.get(username="samordnare"))
    page = client.get(reverse("activities:register")).content.decode()
    for name in [
        "Stockholms ungdomstjänst",
        "Relationsvåldscentrum (RVC)",
        "Ungdomsmottagningarna",
        "Arbetsgruppen för våld i ungas nära relationer",
        "Stödcentrum för unga brottsutsatta och vittnen",
    ]:
        assert name in page, name
    youth_service = demo.units["ungdomstjansten"]
    clinic = demo.units["samtalsmottagningen"]
    response = client.post(
        reverse("activities:register"),
        {
            "kind": "consultation",
            "date": "2022-06-14",
            "units": [youth_service.pk, clinic.pk],
            "participants": "5",
            "topic": "Konsultation om motiverande samtal",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(topic="Konsultation om motiverande samtal")
    assert set(activity.units.all()) == {youth_service, clinic}
    # Each service's organisation is present with it.
    assert set(activity.organisations.all()) == {youth_service.organisation, clinic.organisation}
    listing = client.get(reverse("activities:list")).content.decode()
    assert "Stockholms ungdomstjänst" in listing
    # The demo has the consultations and network meetings the document tells of.
    assert Activity.objects.filter(
        partnership=demo.partnership, kind="network-meeting", units=demo.units["rvc"]
    ).exists()
