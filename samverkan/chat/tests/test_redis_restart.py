"""Redis restarts under the chat (production configuration: gunicorn with two uvicorn workers,
the chat's clocks in seconds). Redis runs without persistence, so the conversations are gone;
every open socket must be told, and nobody left deaf or in a ghost conversation:

- the conversation under way ends for both sides with `ended` `by: "lost"`, and the console
  keeps the post-chat record's prefill (the conversation is back in the store, ended, with the
  notes);
- the young person waiting is back in the queue, and a volunteer takes them: every message
  acknowledged with `sent` after that arrives, both ways;
- no socket is closed by the server (the workers re-register rather than close);
- a new young person gets a conversation;
- once everyone has gone, no Redis connection is left blocked reading (issue 14: nothing reads
  the channel layer but the sockets' own channels, which end with them);
- no traceback in the servers' output, and no message text in it or in Redis.
"""

import asyncio
import contextlib
import json

import pytest
import redis.asyncio as redis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from samverkan.chat.redis_store import RedisChatStore
from samverkan.production.loopback import free_port, prepare_site, start_server, stop
from samverkan.production.redis_server import redis_binary, redis_server
from samverkan.production.tests import fast_chat_settings

pytestmark = pytest.mark.skipif(redis_binary() is None, reason="redis-server not installed")

TOLD_WITHIN = 20  # seconds: a heartbeat (1 s) after Redis answers again, with room for a slow CI


class Side:
    """A client of the protocol that keeps what it received, acknowledges every message (as
    docs/chat-protocol.md asks) and notices a close."""

    def __init__(self, socket) -> None:  # noqa: ANN001
        self.socket = socket
        self.events: list[dict] = []  # received and not yet looked for
        self.arrived = asyncio.Event()
        self.closed: int | None = None
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.socket:
                event = json.loads(raw)
                if "seq" in event:
                    ack = {"type": "ack", "seq": event["seq"]}
                    if "conversation" in event:
                        ack["conversation"] = event["conversation"]
                    await self.socket.send(json.dumps(ack))
                self.events.append(event)
                self.arrived.set()
        except ConnectionClosed:
            pass
        self.closed = self.socket.close_code

    async def next(self, kind: str, timeout: float = 10, **fields) -> dict:
        """The first event of this kind (and these fields) not looked for yet."""

        async def wait() -> dict:
            while True:
                for index, event in enumerate(self.events):
                    if event["type"] == kind and all(event.get(k) == v for k, v in fields.items()):
                        return self.events.pop(index)
                self.arrived.clear()
                await self.arrived.wait()

        return await asyncio.wait_for(wait(), timeout)

    async def queue_until(self, done, timeout: float) -> list[dict]:  # noqa: ANN001
        """The first `queue` (not looked for yet) for which done(queue) holds."""

        async def wait() -> list[dict]:
            while True:
                queue = (await self.next("queue", timeout))["queue"]
                if done(queue):
                    return queue

        return await asyncio.wait_for(wait(), timeout)

    async def send(self, **frame) -> None:
        await self.socket.send(json.dumps(frame))

    async def close(self) -> None:
        await self.socket.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.reader, 5)


async def _open(port: int, path: str, cookie: str | None = None) -> Side:
    headers = [("Cookie", f"sessionid={cookie}")] if cookie else []
    socket = await connect(
        f"ws://127.0.0.1:{port}{path}",
        origin=f"http://127.0.0.1:{port}",
        additional_headers=headers,
    )
    return Side(socket)


async def _talk(young: Side, desk: Side, conversation: str, tag: str, count: int = 5) -> None:
    """Messages with ids both ways: each acknowledged, each received once."""
    for n in range(count):
        await young.send(type="message", text=f"{tag} y{n}", id=f"{tag}y{n}")
        await young.next("sent", id=f"{tag}y{n}")
        await desk.send(
            type="message", conversation=conversation, text=f"{tag} v{n}", id=f"{tag}v{n}"
        )
        await desk.next("sent", id=f"{tag}v{n}")
    for n in range(count):
        await desk.next("message", text=f"{tag} y{n}")
        await young.next("message", text=f"{tag} v{n}")


async def _scenario(site, port: int, redis_port: int, restart) -> None:  # noqa: ANN001
    url = f"redis://127.0.0.1:{redis_port}/0"
    prefix = fast_chat_settings.SAMVERKAN_CHAT_REDIS_PREFIX
    desk = await _open(port, "/ws/chatt/konsol/", site.sessions[0])
    other_desk = await _open(port, "/ws/chatt/konsol/", site.sessions[1])
    await desk.next("hello")
    await other_desk.next("hello")
    talking = await _open(port, "/ws/chatt/")
    await talking.send(type="start", intake={"age": 15, "concern": "victim"})
    await talking.next("queued")
    conversation = (await desk.queue_until(bool, 10))[0]["id"]
    await desk.send(type="take", conversation=conversation)
    await desk.next("taken")
    await talking.next("joined")
    await desk.send(type="note", conversation=conversation, notes={"resident": "yes"})
    await desk.next("noted")
    await _talk(talking, desk, conversation, "before")
    waiting = await _open(port, "/ws/chatt/")
    await waiting.send(type="start")
    await waiting.next("queued")
    queue = await other_desk.queue_until(lambda q: [c for c in q if c["id"] != conversation], 10)
    waiting_id = [c["id"] for c in queue if c["id"] != conversation][0]

    await restart()

    # The conversation under way: ended for both, as lost, with the record's prefill kept.
    assert (await talking.next("ended", TOLD_WITHIN))["by"] == "lost"
    ended = await desk.next("ended", TOLD_WITHIN, conversation=conversation)
    assert ended["by"] == "lost" and ended["record"].endswith(f"?samtal={conversation}")
    store = RedisChatStore(url=url, prefix=prefix)
    kept = await store.get(conversation)
    assert kept is not None and kept.state == "ended" and kept.ended_by == "lost"
    assert kept.intake == {"age": 15, "concern": "victim"} and kept.notes == {"resident": "yes"}

    # The young person waiting is back in the queue, taken, and talks.
    await other_desk.queue_until(lambda q: [c["id"] for c in q] == [waiting_id], TOLD_WITHIN)
    await other_desk.send(type="take", conversation=waiting_id)
    await other_desk.next("taken", TOLD_WITHIN)
    await waiting.next("joined", TOLD_WITHIN)
    await _talk(waiting, other_desk, waiting_id, "after")

    # A new young person after the restart gets a conversation.
    newcomer = await _open(port, "/ws/chatt/")
    await newcomer.send(type="start")
    await newcomer.next("queued")
    queue = await desk.queue_until(lambda q: [c for c in q if c["id"] != waiting_id], 10)
    new_id = [c["id"] for c in queue if c["id"] != waiting_id][0]
    await desk.send(type="take", conversation=new_id)
    await desk.next("taken")
    await newcomer.next("joined")
    await _talk(newcomer, desk, new_id, "new")

    # Nobody was closed by the server.
    sides = [desk, other_desk, talking, waiting, newcomer]
    assert [side.closed for side in sides] == [None] * 5
    for side in sides:
        await side.close()

    # No connection left blocked reading once everyone has gone; no text in Redis.
    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        # A worker's read of its sockets' channels ends with its last socket.
        for _ in range(100):
            info = await client.info("clients")
            if info["blocked_clients"] == 0:
                break
            await asyncio.sleep(0.1)
        blocked = [c for c in await client.client_list() if c.get("cmd") in {"bzpopmin", "blpop"}]
    finally:
        await client.aclose()
    # No message text anywhere in Redis: every message was acknowledged, or dropped with its
    # conversation's end.
    raw = redis.Redis.from_url(url)
    try:
        dump = b""
        async for key in raw.scan_iter(match="*"):
            kind = (await raw.type(key)).decode()
            if kind == "hash":
                dump += repr(await raw.hgetall(key)).encode()
            elif kind == "string":
                dump += await raw.get(key) or b""
            elif kind == "zset":
                dump += repr(await raw.zrange(key, 0, -1)).encode()
            elif kind == "set":
                dump += repr(await raw.smembers(key)).encode()
        assert b" y0" not in dump and b" v0" not in dump
    finally:
        await raw.aclose()
    assert info["blocked_clients"] == 0, blocked


def test_a_redis_restart_tells_everyone_and_leaves_no_ghost(tmp_path):
    redis_port = free_port()
    stack = contextlib.ExitStack()
    url = stack.enter_context(redis_server(port=redis_port))
    site = prepare_site(tmp_path / "site", volunteers=2, redis_url=url)
    site.env["DJANGO_SETTINGS_MODULE"] = fast_chat_settings.__name__
    port = free_port()
    log = tmp_path / "server.log"
    server = start_server(site, port, workers=2, log=log)

    async def restart() -> None:
        await asyncio.sleep(0.5)
        stack.close()  # Redis stops; everything in it is gone
        await asyncio.sleep(1)
        stack.enter_context(redis_server(port=redis_port))

    try:
        asyncio.run(asyncio.wait_for(_scenario(site, port, redis_port, restart), 180))
    finally:
        stop(server)
        stack.close()
    output = log.read_text(errors="replace")
    assert "Traceback" not in output, output[-4000:]
    assert " y0" not in output and " v0" not in output
