"""Readers of the other organisation: the city's support-centre manager and their tokens read
the foundation's chat figures only as released (public level, whole months); the chat's
manager the support centre's likewise. On the overview a unit manager reads their own unit's
figures exactly (issue 16: what their lists show anyway), and every other figure as released."""

import datetime

import pytest
from django.test import Client

from samverkan.statistics.tests.adversary.common import cached_command
from samverkan.statistics.tests.adversary.readers import read_api, read_overview
from samverkan.statistics.tests.adversary.truth import exact

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


OWN_UNIT = ("support_centre.", "referrals.by_source.support_centre.")
"""The figures of the support centre's own sections on the overview."""


def test_the_support_centre_manager_sees_the_overview_only_as_released(
    demo, readings_cache, support_manager_client
):
    reading = read_overview(support_manager_client, MONTHS)
    assert not reading.refused
    own = {path: value for path, value in reading.values.items() if path.startswith(OWN_UNIT)}
    reading.values = {path: v for path, v in reading.values.items() if path not in own}
    assert _same_as_released(reading, cached_command(readings_cache, MONTHS)) == []
    assert any(path.startswith("chat.") for path in reading.values)
    # Their own unit exactly, as their lists show it.
    truth = exact(demo.partnership, MONTHS)
    assert own and {path: truth[path] for path in own} == own
    # Any other period than whole released months is refused for the rest of the partnership.
    assert read_overview(support_manager_client, DAY).refused
