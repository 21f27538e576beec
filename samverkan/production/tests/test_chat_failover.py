"""A worker dies mid-conversation and the conversation goes on.

Two gunicorn servers with a uvicorn worker each, sharing a Redis server, behind a TCP proxy on
loopback (like nginx's upstream). A young person and a volunteer talk, each sending a message
every 0.4 s as a client of the protocol should (docs/chat-protocol.md, "Delivery": every
message has an id, is kept until acknowledged and resent after a reconnect). The worker serving
the young person is killed with SIGKILL, later the volunteer's: each reconnects through the
proxy (the young person with the resume token), and every message sent after the kills (indeed
every message) arrives exactly once, in order. The workers' output names neither the chat's
path nor a message.
"""

import asyncio
import contextlib
import json
import os
import signal
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from samverkan.production.loopback import (
    Proxy,
    free_port,
    prepare_site,
    start_server,
    stop,
    worker_pids,
)

MESSAGES = 40
INTERVAL = 0.4  # a young person's socket takes at most 30 frames in 10 s


class Participant:
    """A protocol client that loses nothing: ids, acknowledgements, resending, reconnecting."""

    def __init__(self, side: str, proxy_port: int, cookie: str | None = None) -> None:
        self.side, self.port, self.cookie = side, proxy_port, cookie
        self.url = f"ws://127.0.0.1:{proxy_port}" + (
            "/ws/chatt/" if side == "young" else "/ws/chatt/konsol/"
        )
        self.socket = None
        self.events: asyncio.Queue = asyncio.Queue()
        self.outbox: dict[str, str] = {}  # sent and not yet acknowledged, in order
        self.received: list[str] = []
        self.seen: set[str] = set()
        self.conversation: str | None = None
        self.token: str | None = None
        self.dropped = asyncio.Event()
        self.reconnections = 0
        self.queue: list[dict] = []
        self.sent_at: dict[str, float] = {}
        self._reader: asyncio.Task | None = None

    async def open(self) -> None:
        headers = [("Cookie", f"sessionid={self.cookie}")] if self.cookie else []
        self.socket = await connect(
            self.url, origin=f"http://127.0.0.1:{self.port}", additional_headers=headers
        )
        self.dropped.clear()
        self._reader = asyncio.create_task(self._read(self.socket))

    async def _read(self, socket) -> None:  # noqa: ANN001
        try:
            async for raw in socket:
                event = json.loads(raw)
                if event["type"] == "sent":
                    self.outbox.pop(event["id"], None)
                elif event["type"] == "message":
                    if event["id"] not in self.seen:
                        self.seen.add(event["id"])
                        self.received.append(event["id"])
                elif event["type"] == "queue":
                    self.queue = event["queue"]
                elif event["type"] not in {"position", "presence", "typing"}:
                    await self.events.put(event)
        except ConnectionClosed:
            pass
        if socket is self.socket:
            self.dropped.set()

    async def expect(self, kind: str, timeout: float = 10) -> dict:
        while True:
            event = await asyncio.wait_for(self.events.get(), timeout)
            if event["type"] == kind:
                return event
            if event["type"] == "error":
                raise AssertionError(f"{self.side}: {event}")

    def _frame(self, message_id: str) -> str:
        frame = {"type": "message", "text": f"text {message_id}", "id": message_id}
        if self.side == "volunteer":
            frame["conversation"] = self.conversation
        return json.dumps(frame)

    async def say(self, message_id: str) -> None:
        self.sent_at[message_id] = time.monotonic()
        self.outbox[message_id] = message_id
        if not self.dropped.is_set():
            with contextlib.suppress(ConnectionClosed):
                await self.socket.send(self._frame(message_id))

    async def reconnect(self) -> None:
        """Back through the proxy to whichever worker is there; then what was unacknowledged."""
        for _ in range(100):
            try:
                await self.open()
                break
            except (OSError, InvalidHandshake):
                await asyncio.sleep(0.1)
        self.reconnections += 1
        if self.side == "young":
            await self.socket.send(json.dumps({"type": "resume", "token": self.token}))
            resumed = await self.expect("resumed")
            assert resumed["state"] == "active"
            self.token = resumed["resume"]  # a token is good for one resume
        else:
            hello = await self.expect("hello")
            assert [c["id"] for c in hello["conversations"]] == [self.conversation]
        for message_id in list(self.outbox):
            await self.socket.send(self._frame(message_id))

    async def keep_talking(self, prefix: str, on_sent) -> None:  # noqa: ANN001
        for n in range(MESSAGES):
            if self.dropped.is_set():
                await self.reconnect()
            await self.say(f"{prefix}{n}")
            await on_sent(n)
            await asyncio.sleep(INTERVAL)
        for _ in range(200):
            if self.dropped.is_set():
                await self.reconnect()
            if not self.outbox:
                return
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


@pytest.fixture
def servers(tmp_path, redis_url):
    site = prepare_site(tmp_path / "site", volunteers=1, redis_url=redis_url)
    ports = [free_port(), free_port()]
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    started = []
    try:
        for port, log in zip(ports, logs, strict=True):
            started.append(start_server(site, port, workers=1, log=log))
        yield site, ports, started, logs
    finally:
        for server in started:
            stop(server)


@pytest.mark.asyncio
async def test_a_worker_killed_mid_conversation_loses_no_message(servers):
    site, ports, started, logs = servers
    # Both participants on the first server's worker, the one to be killed.
    proxy = Proxy(ports, plan=[ports[0], ports[0]])
    await proxy.start()
    young = Participant("young", proxy.port)
    volunteer = Participant("volunteer", proxy.port, cookie=site.sessions[0])
    try:
        await asyncio.wait_for(_conversation(proxy, ports, started, young, volunteer), 90)
    finally:
        await young.close()
        await volunteer.close()
        await proxy.close()
    output = b"".join(log.read_bytes() for log in logs)
    assert b"/ws/chatt" not in output and b"text y" not in output and b"text v" not in output


async def _conversation(proxy, ports, started, young, volunteer) -> None:  # noqa: ANN001
    await young.open()
    await volunteer.open()
    assert proxy.served == [ports[0], ports[0]]
    await volunteer.expect("hello")
    await young.socket.send(json.dumps({"type": "start"}))
    young.token = (await young.expect("queued"))["resume"]
    while not volunteer.queue:
        await asyncio.sleep(0.02)
    conversation = volunteer.queue[0]["id"]
    await volunteer.socket.send(json.dumps({"type": "take", "conversation": conversation}))
    await volunteer.expect("taken")
    await young.expect("joined")
    volunteer.conversation = conversation

    worker = worker_pids(started[0])[0]
    killed_at: list[float] = []

    async def kill_at_ten(n: int) -> None:
        if n == 10:  # a quarter through, the worker serving both dies
            os.kill(worker, signal.SIGKILL)
            killed_at.append(time.monotonic())

    async def nothing(n: int) -> None:
        pass

    await asyncio.gather(young.keep_talking("y", kill_at_ten), volunteer.keep_talking("v", nothing))
    expected = {
        "volunteer": [f"y{n}" for n in range(MESSAGES)],
        "young": [f"v{n}" for n in range(MESSAGES)],
    }
    for _ in range(100):  # the last messages in flight
        if volunteer.received == expected["volunteer"] and young.received == expected["young"]:
            break
        await asyncio.sleep(0.05)

    assert killed_at and young.reconnections == 1 and volunteer.reconnections == 1
    # Both came back through the proxy, to a worker other than the one killed.
    assert worker not in worker_pids(started[0])
    for receiver, sender in ((volunteer, young), (young, volunteer)):
        assert receiver.received == sorted(receiver.received, key=lambda i: int(i[1:]))
        lost = [i for i in sender.sent_at if i not in receiver.seen]
        # Every message sent after the kill arrived, once and in order. One sent just before
        # it may have died in the worker on its way to the other's socket (TCP cannot say).
        assert all(sender.sent_at[i] < killed_at[0] for i in lost), lost
        assert all(killed_at[0] - sender.sent_at[i] < 1 for i in lost), lost
        assert len(receiver.received) >= MESSAGES - 1
    assert young.outbox == {} and volunteer.outbox == {}
