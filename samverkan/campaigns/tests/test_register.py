"""Registering a campaign with its reach figures: all or nothing, errors where they belong."""

import pytest
from django.urls import reverse

from samverkan.accounts.models import Role, User
from samverkan.campaigns.models import Campaign, CampaignReach
from samverkan.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(department):
    return User.objects.create_user(
        "coord", password="x" * 16, role=Role.COORDINATOR, unit=department
    )


def _post(client, url, reach_rows, **campaign):
    data = {
        "name": "Vårkampanj",
        "starts_on": "2023-03-01",
        "ends_on": "2023-03-31",
        "channels": "Instagram, skolor",
        "reach-TOTAL_FORMS": str(len(reach_rows)),
        "reach-INITIAL_FORMS": str(sum(1 for row in reach_rows if row.get("id"))),
        "reach-MIN_NUM_FORMS": "0",
        "reach-MAX_NUM_FORMS": "50",
        **campaign,
    }
    for index, row in enumerate(reach_rows):
        for key, value in row.items():
            data[f"reach-{index}-{key}"] = value
    return client.post(url, data)


def test_a_campaign_and_its_reach_are_saved_together(client, small, coordinator):
    sign_in(client, coordinator)
    response = _post(
        client,
        reverse("campaigns:create"),
        [
            {"channel": "Instagram", "measure": "impressions", "value": "12000"},
            {"channel": "", "measure": "", "value": ""},  # an empty row is left out
        ],
    )
    campaign = Campaign.objects.get()
    assert response.url == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.partnership == small.partnership
    assert list(campaign.reach.values_list("channel", "value")) == [("Instagram", 12000)]

    reach = campaign.reach.get()
    _post(
        client,
        reverse("campaigns:edit", args=[campaign.pk]),
        [
            {
                "id": str(reach.pk),
                "channel": "Instagram",
                "measure": "impressions",
                "value": "15000",
            },
            {"channel": "TikTok", "measure": "clicks", "value": "300"},
        ],
        name="Vårkampanj 2023",
    )
    campaign.refresh_from_db()
    assert campaign.name == "Vårkampanj 2023"
    assert sorted(campaign.reach.values_list("channel", "value")) == [
        ("Instagram", 15000),
        ("TikTok", 300),
    ]


def test_a_bad_row_saves_nothing_and_says_where(client, small, coordinator):
    sign_in(client, coordinator)
    response = _post(
        client,
        reverse("campaigns:create"),
        [{"channel": "Instagram", "measure": "impressions", "value": "-5"}],
        ends_on="2023-02-01",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kampanjen kan inte sluta innan den börjar" in html
    assert Campaign.objects.count() == 0 and CampaignReach.objects.count() == 0


def test_steering_members_read_but_do_not_register(client, small, coordinator):
    steering = User.objects.create_user(
        "st", password="x" * 16, role=Role.STEERING_MEMBER, unit=coordinator.unit
    )
    sign_in(client, steering)
    assert client.get(reverse("campaigns:list")).status_code == 200
    assert client.get(reverse("campaigns:create")).status_code == 404
    assert _post(client, reverse("campaigns:create"), []).status_code == 404
    assert Campaign.objects.count() == 0
