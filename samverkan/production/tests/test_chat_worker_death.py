"""A worker dies and its participants never come back: the others are told, and the
conversation ends as abandoned.

Two gunicorn servers with a uvicorn worker each, sharing a Redis server, behind a TCP proxy on
loopback (as in test_chat_failover.py), with the chat's clocks shortened (fast_chat_settings.py:
a heartbeat a second, a resume grace of three). The young person and one volunteer's console
are on the first server's worker, the volunteer who talks with them on the second's. While both
workers live, however many heartbeats pass, nothing is swept. Then the first worker is killed
with SIGKILL, so none of its sockets' `disconnect`s runs, and neither of its clients reconnects:
the volunteer is told the young person is away, the dead worker's console leaves the
supervisor's count of volunteers online, and after the grace the conversation ends by timeout.
"""

import asyncio
import json
import os
import signal

import pytest
from websockets.asyncio.client import connect

from samverkan.chat.redis_store import RedisChatStore
from samverkan.production.loopback import (
    Proxy,
    free_port,
    prepare_site,
    start_server,
    stop,
    worker_pids,
)
from samverkan.production.tests import fast_chat_settings

# Bounds, not timings: a heartbeat is 1 s and an announcement lasts 3, so a death is noticed
# within about 4 s; the grace of 3 s, and the abandoned timeout a second after it, follow.
NOTICED_WITHIN = 15
ENDED_WITHIN = 25


@pytest.fixture
def servers(tmp_path, redis_url):
    site = prepare_site(tmp_path / "site", volunteers=2, redis_url=redis_url)
    site.env["DJANGO_SETTINGS_MODULE"] = fast_chat_settings.__name__
    ports = [free_port(), free_port()]
    started = []
    try:
        for port, log in zip(ports, ["a.log", "b.log"], strict=True):
            started.append(start_server(site, port, workers=1, log=tmp_path / log))
        yield site, ports, started
    finally:
        for server in started:
            stop(server)


async def _open(proxy: Proxy, path: str, cookie: str | None = None):  # noqa: ANN202
    headers = [("Cookie", f"sessionid={cookie}")] if cookie else []
    return await connect(
        f"ws://127.0.0.1:{proxy.port}{path}",
        origin=f"http://127.0.0.1:{proxy.port}",
        additional_headers=headers,
    )


async def _next(socket, kind: str, timeout: float, **fields) -> dict:  # noqa: ANN001
    """The next event of this kind (and these fields), skipping others."""

    async def wait() -> dict:
        while True:
            event = json.loads(await socket.recv())
            if event["type"] == kind and all(event.get(k) == v for k, v in fields.items()):
                return event

    return await asyncio.wait_for(wait(), timeout)


async def _events_within(socket, seconds: float) -> list[dict]:  # noqa: ANN001
    events = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        try:
            events.append(json.loads(await asyncio.wait_for(socket.recv(), left)))
        except TimeoutError:
            break
    return events


async def _overview_until(store: RedisChatStore, done, within: float):  # noqa: ANN001, ANN202
    from django.utils import timezone

    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        overview = await store.overview(timezone.now())
        if done(overview) or loop.time() > deadline:
            return overview
        await asyncio.sleep(0.1)


@pytest.mark.asyncio
async def test_a_killed_workers_participants_are_let_go(servers, redis_url):
    site, ports, started = servers
    first, second = ports
    # The young person and volunteer 1's console on the first worker; volunteer 0 on the second.
    proxy = Proxy(ports, plan=[first, second, first])
    await proxy.start()
    store = RedisChatStore(url=redis_url, prefix=fast_chat_settings.SAMVERKAN_CHAT_REDIS_PREFIX)
    await store.clear()
    sockets = []
    try:
        young = await _open(proxy, "/ws/chatt/")
        volunteer = await _open(proxy, "/ws/chatt/konsol/", site.sessions[0])
        bystander = await _open(proxy, "/ws/chatt/konsol/", site.sessions[1])
        sockets = [young, volunteer, bystander]
        assert proxy.served == [first, second, first]
        await _next(volunteer, "hello", 10)
        await _next(bystander, "hello", 10)
        await young.send(json.dumps({"type": "start"}))
        await _next(young, "queued", 10)
        queue = await _next(volunteer, "queue", 10)
        conversation = queue["queue"][0]["id"]
        await volunteer.send(json.dumps({"type": "take", "conversation": conversation}))
        await _next(volunteer, "taken", 10)
        await _next(young, "joined", 10)

        # Both workers alive for several heartbeats: nothing is swept.
        quiet = await _events_within(volunteer, 4)
        assert [e for e in quiet if e["type"] == "presence"] == []
        overview = await _overview_until(store, lambda o: False, 0)
        assert (overview.volunteers_online, overview.active, overview.away) == (2, 1, 0)
        await volunteer.send(
            json.dumps({"type": "message", "conversation": conversation, "text": "still here?"})
        )
        assert (await _next(young, "message", 10))["text"] == "still here?"

        os.kill(worker_pids(started[0])[0], signal.SIGKILL)
        # Neither the young person nor volunteer 1 reconnects.
        away = await _next(volunteer, "presence", NOTICED_WITHIN, who="young")
        assert away == {
            "type": "presence",
            "conversation": conversation,
            "who": "young",
            "state": "away",
        }
        overview = await _overview_until(store, lambda o: o.volunteers_online == 1, NOTICED_WITHIN)
        assert (overview.volunteers_online, overview.active, overview.away) == (1, 1, 1)

        ended = await _next(volunteer, "ended", ENDED_WITHIN, conversation=conversation)
        assert ended["by"] == "timeout"
        overview = await _overview_until(store, lambda o: False, 0)
        assert (overview.active, overview.ended_unrecorded) == (0, 1)
    finally:
        for socket in sockets:
            await socket.close()
        await proxy.close()
        await store.clear()
