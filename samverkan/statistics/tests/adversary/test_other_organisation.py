"""Readers of the other organisation: the city's support-centre manager and their tokens read
the foundation's chat figures only as released (public level, whole months); the chat's
manager the support centre's likewise."""

import datetime

import pytest
from django.test import Client

from samverkan.statistics.tests.adversary.common import cached_command
from samverkan.statistics.tests.adversary.readers import read_api, read_overview

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
D = datetime.date
MONTHS = (D(2022, 1, 1), D(2022, 5, 31))
DAY = (D(2022, 5, 28), D(2022, 5, 28))  # one resident chat, named by nested days today


def _same_as_released(reading, released):  # noqa: ANN001, ANN202
    return [
        f"{path}: {value} where the public release says {released.values[path]}"
        for path, value in reading.values.items()
        if path in released.values and value != released.values[path]
    ]


def test_a_support_centre_token_reads_chat_figures_only_as_released(
    demo, readings_cache, support_manager_token
):
    client = Client()
    reading = read_api(client, support_manager_token, MONTHS)
    assert reading.level == "public"
    assert _same_as_released(reading, cached_command(readings_cache, MONTHS)) == []
    day = read_api(client, support_manager_token, DAY)
    assert day.refused, (
        "the city's token read the chat's figures for 28 May 2022: "
        f"{day.values.get('chat.residents.conversations')} resident chat(s)"
    )


def test_a_chat_token_reads_support_centre_figures_only_as_released(
    demo, readings_cache, chat_manager_token
):
    client = Client()
    reading = read_api(client, chat_manager_token, MONTHS)
    assert reading.level == "public"
    assert _same_as_released(reading, cached_command(readings_cache, MONTHS)) == []
    assert read_api(client, chat_manager_token, DAY).refused


def test_the_support_centre_manager_sees_the_overview_only_as_released(
    demo, readings_cache, support_manager_client
):
    reading = read_overview(support_manager_client, MONTHS)
    assert not reading.refused
    assert _same_as_released(reading, cached_command(readings_cache, MONTHS)) == []
    assert read_overview(support_manager_client, DAY).refused
