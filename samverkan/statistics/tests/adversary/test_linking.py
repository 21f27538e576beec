"""Linking channels: each channel protects its own output, a reader reads them all.

The campaign page shows the chat's figures for the campaign and its four weeks after; the
overview shows any period the reader types; documents, the API and the command their own.
Differences across channels work as within one. With one release mechanism for every channel
(whole months, each month perturbed once), every channel's figure for a period is the same sum
of the same published months, so linking adds nothing.
"""

import datetime

import pytest
from django.test import Client

from samverkan.campaigns.models import Campaign
from samverkan.statistics.tests.adversary.attacker import differences, small
from samverkan.statistics.tests.adversary.common import cached_command, describe_derived
from samverkan.statistics.tests.adversary.readers import (
    read_api,
    read_campaign,
    read_campaign_evaluation,
    read_document,
    read_overview,
)
from samverkan.statistics.tests.adversary.truth import exact

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
D = datetime.date


def _truth(partnership):  # noqa: ANN001, ANN202
    return lambda path, period: exact(partnership, period).get(path)


def test_campaign_page_against_the_overview_reveals_nothing(demo, steering_client, threshold):
    # The demo's autumn campaign (1 September - 31 October 2022, evaluated with four weeks
    # after: to 28 November) against the overview for September-November: the last two days
    # of November are the difference; the campaign's "before" period against the summer.
    campaign = Campaign.objects.get(partnership=demo.partnership)
    readings = [
        read_campaign_evaluation(campaign),
        read_overview(steering_client, (D(2022, 9, 1), D(2022, 11, 30))),
        read_overview(steering_client, (D(2022, 6, 1), D(2022, 8, 31))),
    ]
    found = small(differences(readings, overlaps=False), threshold)
    assert found == [], describe_derived(found, _truth(demo.partnership))


def test_every_channel_together_reveals_nothing(
    demo, readings_cache, steering_client, support_manager_token, threshold
):
    # A document for January-May, the API for January-April, the overview for January-March,
    # the command for February-May: each pair sharing an end or a start is a difference.
    readings = [
        read_document(demo.partnership, (D(2022, 1, 1), D(2022, 5, 31))),
        read_api(Client(), support_manager_token, (D(2022, 1, 1), D(2022, 4, 30))),
        read_overview(steering_client, (D(2022, 1, 1), D(2022, 3, 31))),
        cached_command(readings_cache, (D(2022, 2, 1), D(2022, 5, 31))),
    ]
    found = small(differences(readings, overlaps=False), threshold)
    assert found == [], describe_derived(found, _truth(demo.partnership))


def test_the_same_period_reads_the_same_in_every_channel(
    demo, readings_cache, steering_client, support_manager_token
):
    # One release mechanism: a figure of a period is the same wherever it is read.
    period = (D(2022, 1, 1), D(2022, 5, 31))
    readings = [
        cached_command(readings_cache, period),
        read_api(Client(), support_manager_token, period),
        read_document(demo.partnership, period),
        read_overview(steering_client, period),
    ]
    assert not [r.channel for r in readings if r.refused]
    reference = readings[0].values
    differ = [
        f"{r.channel} {path}: {value} against the command's {reference[path]}"
        for r in readings[1:]
        for path, value in r.values.items()
        if path in reference and value != reference[path]
    ]
    assert differ == []


def test_campaigns_registered_by_a_reader_reveal_nothing(demo, threshold):
    # Any unit manager may register a campaign (`can_register_campaigns`), the support centre's too,
    # and its evaluation shows the chat's figures: two campaigns whose evaluation periods end a
    # day apart give that day's chat figures; the days before them another difference.
    periods = [(D(2022, 9, 1), D(2022, 11, 28)), (D(2022, 9, 1), D(2022, 11, 29))]
    readings = [read_campaign(demo.partnership, p) for p in periods]
    found = small(differences(readings, overlaps=False), threshold)
    assert found == [], describe_derived(found, _truth(demo.partnership))
