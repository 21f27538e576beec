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


def test_the_periods_are_whole_months_of_equal_number():
    campaign = Campaign(starts_on=D(2022, 9, 1), ends_on=D(2022, 9, 30))
    before, during = campaign_periods(campaign, weeks_after=4)
    assert during == (D(2022, 9, 1), D(2022, 10, 31))  # September, and 4 weeks into October
    assert before == (D(2022, 7, 1), D(2022, 8, 31))
    mid_month = Campaign(starts_on=D(2022, 12, 10), ends_on=D(2023, 1, 20))
    assert campaign_periods(mid_month, weeks_after=4) == (
        (D(2022, 9, 1), D(2022, 11, 30)),
        (D(2022, 12, 1), D(2023, 2, 28)),
    )


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
    chat(D(2022, 6, 30), "victim", 3)  # the day before "before": not counted
    chat(D(2022, 9, 15), "victim", 8)  # during
    chat(D(2022, 10, 20), "perpetrator", 5)  # in the weeks after: counted as during
    chat(D(2022, 11, 1), "victim", 2)  # after the month of the weeks after
    evaluation = campaign_evaluation(campaign, today=D(2022, 12, 3))
    rows = {row.label: row for row in evaluation["comparisons"]}
    # Public figures: perturbed month by month, so within 3 of the truth for each month.
    before, during = rows["conversations"].before, rows["conversations"].during
    assert abs(before - 6) <= 3 and abs(during - 13) <= 6
    assert rows["conversations"].change == during - before
    assert rows["concern.perpetrator"].before is None  # none: hidden like a small count
    assert abs(rows["concern.perpetrator"].during - 5) <= 3
    assert [reach.value for reach in evaluation["reach"]] == [12000]


def test_the_evaluation_waits_for_its_last_month_to_end(client, small, campaign):
    evaluation = campaign_evaluation(campaign, today=D(2022, 10, 31))
    assert evaluation["comparisons"] == [] and evaluation["available_from"] == D(2022, 11, 1)


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
    assert rows["concern.perpetrator"].during in (None, 5)  # 3: hidden, or 5
    assert ">..<" in page


def evaluation_rows(campaign):
    return {row.label: row for row in campaign_evaluation(campaign)["comparisons"]}
