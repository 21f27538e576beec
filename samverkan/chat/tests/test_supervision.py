"""Supervision: the service's anonymous daily counts (waits, young people who gave up waiting,
lengths, the consoles' time online) written by the chat itself, their figures in the
statistics contract, and the supervisor's page kept up to date by server-sent events with each
volunteer's status."""

import datetime
import json

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient, Client
from django.utils import timezone

from samverkan.accounts.models import Role, User
from samverkan.chat import actions, services
from samverkan.chat.tests.conftest import console, receive_type, young
from samverkan.conftest import sign_in
from samverkan.core.time import local_day
from samverkan.statistics.models import DailyCount
from samverkan.statistics.sections import chat_service

pytestmark = pytest.mark.django_db(transaction=True)


async def _connected(communicator):
    connected, _code = await communicator.connect()
    assert connected
    return communicator


def _service_rows():
    return {
        metric: (n, total)
        for metric, n, total in DailyCount.objects.filter(
            metric__startswith="chat.service."
        ).values_list("metric", "n", "total")
    }


def _supervisor(small) -> Client:  # noqa: ANN001
    manager = User.objects.create_user(
        "manager", password="x" * 16, role=Role.UNIT_MANAGER, unit=small.chat
    )
    client = Client()
    sign_in(client, manager)
    return client


@pytest.mark.asyncio
async def test_waits_gave_up_lengths_and_console_time_are_counted_by_band(small, volunteer):
    desk = await _connected(console(volunteer))
    await receive_type(desk, "hello")

    # One young person gives up waiting: counted with their wait, by band.
    leaving = await _connected(young())
    await leaving.send_json_to({"type": "start", "intake": {"concern": "victim"}})
    await receive_type(leaving, "queued")
    await receive_type(desk, "queue")
    await leaving.send_json_to({"type": "end"})
    await receive_type(leaving, "ended")
    await receive_type(desk, "queue")

    # Another is taken and the conversation ends: the wait and the length are counted.
    person = await _connected(young())
    await person.send_json_to({"type": "start"})
    await receive_type(person, "queued")
    conversation_id = (await receive_type(desk, "queue"))["queue"][0]["id"]
    await desk.send_json_to({"type": "take", "conversation": conversation_id})
    await receive_type(desk, "taken", skip_all=True)
    await person.send_json_to({"type": "message", "text": "Det här ska inte räknas.", "id": "m1"})
    await receive_type(person, "sent", skip_all=True)
    await desk.send_json_to({"type": "end", "conversation": conversation_id})
    await receive_type(person, "ended", skip_all=True)
    await receive_type(desk, "ended", skip_all=True)
    await desk.disconnect()
    await leaving.disconnect()
    await person.disconnect()

    await actions.counted()
    rows = await sync_to_async(_service_rows)()
    assert rows == {
        "chat.service.abandoned.under_1_min": (1, 0),
        "chat.service.taken.under_1_min": (1, 0),
        "chat.service.ended.under_5_min": (1, 0),
        "chat.service.consoles": (1, 0),
    }
    # The counts of the chat's own are none of the records' counts.
    from samverkan.statistics.counters import counts_from_records, stored_counts

    stored = await sync_to_async(lambda: dict(stored_counts([small.chat.pk])))()
    assert stored == await sync_to_async(counts_from_records)([small.chat.pk])


@pytest.mark.asyncio
async def test_an_absence_past_the_grace_while_waiting_is_giving_up(small, settings):
    from samverkan.chat.actions import end_abandoned

    person = await _connected(young())
    await person.send_json_to({"type": "start"})
    await receive_type(person, "queued")
    await person.disconnect()
    later = timezone.now() + datetime.timedelta(minutes=7)
    assert len(await end_abandoned(later)) == 1
    await actions.counted()
    rows = await sync_to_async(_service_rows)()
    assert rows == {"chat.service.abandoned.5_to_15_min": (1, 7)}


def test_bands_are_by_minutes_and_the_sums_in_whole_minutes(small):  # noqa: ARG001
    assert services.band_of(59.9, services.WAIT_BANDS) == "under_1_min"
    assert services.band_of(60, services.WAIT_BANDS) == "1_to_5_min"
    assert services.band_of(4000, services.WAIT_BANDS) == "over_30_min"
    assert services.band_of(3599, services.LENGTH_BANDS) == "30_to_60_min"
    now = timezone.now()
    services.service_count("taken", seconds=150, when=now)
    services.service_count("taken", seconds=200, when=now)
    services.service_count("ended", seconds=2000, when=now)
    assert _service_rows() == {
        "chat.service.taken.1_to_5_min": (2, 5),  # 2 (2.5 to even) + 3
        "chat.service.ended.30_to_60_min": (1, 33),
    }
    row = DailyCount.objects.get(metric="chat.service.taken.1_to_5_min")
    assert row.day == local_day(now) and row.unit_id == small.chat.pk


def test_the_statistics_section_reads_the_chats_own_bands():
    assert chat_service.WAIT_BANDS == tuple(key for _u, key in services.WAIT_BANDS)
    assert chat_service.LENGTH_BANDS == tuple(key for _u, key in services.LENGTH_BANDS)


def test_the_figures_carry_the_service_and_keep_volunteer_hours_internal(small):
    from samverkan.statistics.engine import statistics_compute

    day = datetime.date(2026, 3, 10)
    when = timezone.make_aware(datetime.datetime(2026, 3, 10, 15))
    for seconds in (30, 100, 200, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000):
        services.service_count("taken", seconds=seconds, when=when)
    services.service_count("abandoned", seconds=400, when=when)
    services.service_count("ended", seconds=1200, when=when)
    services.service_count("consoles", seconds=3 * 3600, when=when)
    figures = statistics_compute(
        partnership=small.partnership, date_from=day, date_to=day, disclosure="internal"
    )
    service = figures["chat"]["service"]
    assert service["taken"]["count"] == 12
    assert service["taken"]["by_wait"] == {
        "under_1_min": 1,
        "1_to_5_min": 2,
        "5_to_15_min": 0,
        "15_to_30_min": 9,
        "over_30_min": 0,
    }
    assert service["taken"]["mean_wait_minutes"] == round((0 + 2 + 3 + 9 * 17) / 12, 1)
    assert service["abandoned"]["count"] == 1
    assert service["abandoned"]["by_wait"]["5_to_15_min"] == 1
    assert service["ended"]["by_length"]["15_to_30_min"] == 1
    assert service["volunteer_hours"] == 3

    public = statistics_compute(
        partnership=small.partnership,
        date_from=datetime.date(2026, 3, 1),
        date_to=datetime.date(2026, 3, 31),
        today=datetime.date(2026, 5, 1),
    )
    published = public["chat"]["service"]
    assert published["volunteer_hours"] is None
    assert (
        published["taken"]["count"] == sum(v or 0 for v in published["taken"]["by_wait"].values())
        or published["taken"]["count"] is None
    )


async def _events(client: AsyncClient, count: int) -> list[dict]:
    """The first `count` `live` events of the supervisor's stream."""
    response = await client.get("/chatt/oversikt/handelser/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-store"
    events, buffer = [], ""
    iterator = response.streaming_content.__aiter__()
    while len(events) < count:
        chunk = await iterator.__anext__()
        buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            if block.startswith("event: live\n"):
                events.append(json.loads(block.split("data: ", 1)[1]))
    await iterator.aclose()
    return events


@pytest.mark.asyncio
async def test_the_supervisors_page_follows_each_volunteers_status_live(small, volunteer):
    from samverkan.chat import views

    views.STREAM_EVERY_SECONDS = 0.1
    supervisor = await sync_to_async(_supervisor)(small)
    client = AsyncClient()
    client.cookies = supervisor.cookies
    try:
        [first] = await _events(client, 1)
        assert "Ingen volontär har konsolen öppen." in first["html"]
        assert "under 1 min" in first["html"] and "30 min eller mer" in first["html"]

        desk = await _connected(console(volunteer))
        await receive_type(desk, "hello")
        [online] = await _events(client, 1)
        assert '<tr data-status="available"><td>volunteer</td>' in online["html"]
        assert online["summary"] == "0 unga väntar. 1 volontär är ledig."

        person = await _connected(young())
        await person.send_json_to({"type": "start", "intake": {"concern": "victim"}})
        await receive_type(person, "queued")
        conversation_id = (await receive_type(desk, "queue"))["queue"][0]["id"]
        await desk.send_json_to({"type": "take", "conversation": conversation_id})
        await receive_type(desk, "taken", skip_all=True)
        [busy] = await _events(client, 1)
        assert '<tr data-status="in_conversation"><td>volunteer</td>' in busy["html"]
        assert conversation_id not in busy["html"] and "victim" not in busy["html"]
        await desk.disconnect()
        await person.disconnect()
    finally:
        views.STREAM_EVERY_SECONDS = 3


@pytest.mark.asyncio
async def test_the_stream_is_only_for_supervisors(small, volunteer):  # noqa: ARG001
    client = AsyncClient()
    client.cookies = volunteer.client.cookies
    response = await client.get("/chatt/oversikt/handelser/")
    assert response.status_code == 404
    anonymous = await AsyncClient().get("/chatt/oversikt/handelser/")
    assert anonymous.status_code == 302
