"""A campaign's chat conversations during it and the weeks after, against as many days before."""

import datetime

import pytest
from django.urls import reverse

from samverkan.accounts.models import Role, User
from samverkan.campaigns.evaluation import campaign_evaluation, campaign_periods
from samverkan.campaigns.models import Campaign, CampaignReach
from samverkan.conftest import local, sign_in
from samverkan.records import services

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def campaign(small):
    campaign = Campaign.objects.create(
        partnership=small.partnership,
        name="Höstkampanj",
        starts_on=D(2022, 9, 1),
        ends_on=D(2022, 9, 30),
        channels="Instagram, skolor",
    )
    CampaignReach.objects.create(
        campaign=campaign, channel="Instagram", measure="impressions", value=12000
    )
    return campaign


def test_the_periods_compare_equal_lengths():
    campaign = Campaign(starts_on=D(2022, 9, 1), ends_on=D(2022, 9, 30))
    before, during = campaign_periods(campaign, weeks_after=4)
    assert during == (D(2022, 9, 1), D(2022, 10, 28))
    assert before == (D(2022, 7, 5), D(2022, 8, 31))
    assert (during[1] - during[0]) == (before[1] - before[0])


def test_the_evaluation_counts_conversations_before_and_during(small, campaign):
    def chat(day, concern, count):
        for hour in range(count):
            services.chat_conversation_create(
                unit=small.chat,
                started_at=local(2022, day.month, day.day, 10 + hour),
                concern=concern,
                resident="yes",
                gender="girl",
            )

    chat(D(2022, 8, 10), "victim", 6)  # before
    chat(D(2022, 7, 4), "victim", 3)  # the day before "before": not counted
    chat(D(2022, 9, 15), "victim", 8)  # during
    chat(D(2022, 10, 20), "perpetrator", 5)  # in the weeks after: counted as during
    chat(D(2022, 10, 29), "victim", 2)  # after the weeks after
    evaluation = campaign_evaluation(campaign)
    rows = {row.label: row for row in evaluation["comparisons"]}
    assert (rows["conversations"].before, rows["conversations"].during) == (6, 13)
    assert rows["conversations"].change == 7
    assert (rows["concern.perpetrator"].before, rows["concern.perpetrator"].during) == (0, 5)
    assert rows["residents.gender.girl"].during == 13
    assert [reach.value for reach in evaluation["reach"]] == [12000]


def test_small_numbers_are_protected_on_the_page(client, small, campaign):
    for hour in range(3):
        services.chat_conversation_create(
            unit=small.chat, started_at=local(2022, 9, 5, 10 + hour), concern="perpetrator"
        )
    coordinator = User.objects.create_user(
        "samordnare", password="x" * 16, role=Role.COORDINATOR, unit=small.chat
    )
    sign_in(client, coordinator)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "Höstkampanj" in page and "12\xa0000" in page  # Swedish thousands
    assert "Förändring" in page
    rows = evaluation_rows(campaign)
    assert rows["concern.perpetrator"].during is None  # 3: hidden
    assert ">..<" in page


def evaluation_rows(campaign):
    return {row.label: row for row in campaign_evaluation(campaign)["comparisons"]}
