"""The gate: the public level answers only periods of whole calendar months.

Any run of whole months (the 1st of a month to the last day of a month) is answered; any other
period at the public level is refused, saying which periods are available: the command exits
with code 2 and a message, the API answers a 4xx RFC 9457 problem, the overview shows a message
instead of figures, documents and campaign evaluations are not made of other periods. The
coordinator's internal level stays exact for any period.
"""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from samverkan.campaigns.models import Campaign
from samverkan.core.time import local_day
from samverkan.records.models import ChatConversation
from samverkan.statistics.tests.adversary.readers import (
    is_whole_months,
    read_api,
    read_campaign_evaluation,
    read_command,
    read_document,
    read_overview,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
D = datetime.date

NOT_WHOLE_MONTHS = [
    (D(2022, 5, 3), D(2022, 5, 3)),  # a day
    (D(2022, 5, 1), D(2022, 5, 17)),  # from the 1st, not to a month's end
    (D(2022, 5, 3), D(2022, 5, 31)),  # to a month's end, not from the 1st
    (D(2022, 1, 15), D(2022, 5, 14)),  # months and days
]
WHOLE_MONTHS = [
    (D(2022, 5, 1), D(2022, 5, 31)),
    (D(2022, 2, 1), D(2022, 2, 28)),
    (D(2021, 12, 1), D(2022, 3, 31)),
]


def _names_months(message: str) -> bool:
    text = message.lower()
    return "månad" in text or "month" in text


@pytest.mark.parametrize("period", NOT_WHOLE_MONTHS)
def test_the_command_refuses_a_public_period_of_days(demo, period):
    reading = read_command(period)
    assert reading.refused, f"{period} answered at the public level"
    assert reading.status == 2
    assert _names_months(reading.message), reading.message


@pytest.mark.parametrize("period", WHOLE_MONTHS)
def test_the_command_answers_whole_months(demo, period):
    reading = read_command(period)
    assert not reading.refused, reading.message
    assert reading.level == "public"


def test_internal_figures_stay_exact_for_any_period(demo):
    out = io.StringIO()
    call_command(
        "stats",
        "--from",
        "2022-05-03",
        "--to",
        "2022-05-17",
        "--disclosure",
        "internal",
        "--format",
        "json",
        stdout=out,
    )
    figures = json.loads(out.getvalue())
    days = [
        local_day(started)
        for started in ChatConversation.objects.filter(
            unit__in=demo.partnership.units.all()
        ).values_list("started_at", flat=True)
    ]
    assert figures["chat"]["conversations"] == sum(
        D(2022, 5, 3) <= day <= D(2022, 5, 17) for day in days
    )


def test_the_api_refuses_a_period_of_days_with_a_problem(demo, support_manager_token):
    client = Client()
    for period in NOT_WHOLE_MONTHS:
        reading = read_api(client, support_manager_token, period)
        assert reading.refused, f"{period} answered"
        assert 400 <= reading.status < 500
        problem = json.loads(reading.message)
        assert {"type", "title", "status"} <= problem.keys(), problem
        assert _names_months(json.dumps(problem, ensure_ascii=False)), problem
    assert not read_api(client, support_manager_token, WHOLE_MONTHS[0]).refused


def test_the_overview_shows_a_message_instead_of_figures_for_days(demo, steering_client):
    reading = read_overview(steering_client, NOT_WHOLE_MONTHS[1])
    assert reading.refused, "the overview showed figures for 1-17 May"
    assert _names_months(reading.message), reading.message
    assert not read_overview(steering_client, WHOLE_MONTHS[0]).refused


def test_a_public_document_is_not_made_for_days(demo):
    reading = read_document(demo.partnership, NOT_WHOLE_MONTHS[3])
    assert reading.refused, "a public document for 15 January - 14 May was made"


def test_a_campaign_is_evaluated_over_whole_months_only(demo):
    # The demo's campaign runs 1 September - 31 October 2022; evaluated with four weeks after,
    # its periods today end on 28 November and start on 4 June.
    reading = read_campaign_evaluation(Campaign.objects.get(partnership=demo.partnership))
    if not reading.refused:
        periods = [reading.period] + ([reading.previous.period] if reading.previous else [])
        assert all(is_whole_months(p) for p in periods), periods
