"""The fault suite's chat clients (faults.py): each side of a conversation as a careful client of
docs/chat-protocol.md (ids, acknowledgements, resending, resuming), keeping everything the server
said and when, and the pairs that start, talk and check each other at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

# Every socket the clients opened: all are closed when the clients are done, as a browser
# closes a tab's sockets (one abandoned on the way, say by a timeout, would otherwise stay
# open and keep its server-side socket, and that socket's read of Redis, alive).
OPENED: list = []


async def close_all() -> None:
    while OPENED:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(OPENED.pop().close(), 5)


class Side:
    """One side of a conversation as a careful client (docs/chat-protocol.md, Delivery): every
    message with an id, kept until `sent`, resent after a reconnect; every message received
    acknowledged by its number, and a number already shown dropped; the young person resumes
    with the token; everything the server says about the conversation is kept."""

    def __init__(self, side: str, port: int, cookie: str | None = None) -> None:
        self.side, self.port, self.cookie = side, port, cookie
        self.url = f"ws://127.0.0.1:{port}" + (
            "/ws/chatt/" if side == "young" else "/ws/chatt/konsol/"
        )
        self.socket = None
        self.events: asyncio.Queue = asyncio.Queue()
        self.outbox: dict[str, str] = {}
        self.acknowledged: set[str] = set()
        self.received: Counter = Counter()
        self.shown = 0  # the highest message number shown (received)
        self.conversation: str | None = None
        self.token: str | None = None
        self.dropped = asyncio.Event()
        self.queue: list[dict] = []
        self.told: list[str] = []  # ended (by), errors about the conversation, close codes
        self.ended = False
        self.lost_without_word = False  # the conversation vanished and nobody said so
        # What happened when (monotonic seconds): ids and numbers, never a text. For finding
        # out where a message went missing (written next to the servers' log).
        self.trace: list[tuple[float, str, object]] = []

    def note(self, what: str, detail: object = None) -> None:
        self.trace.append((round(time.monotonic(), 3), what, detail))

    async def open(self) -> None:
        headers = [("Cookie", f"sessionid={self.cookie}")] if self.cookie else []
        previous = self.socket
        if previous is not None:
            # One socket per side, as a browser tab has: one given up on (no answer in time)
            # is closed, not left open on the server.
            asyncio.create_task(previous.close())
        self.socket = await asyncio.wait_for(
            connect(self.url, origin=f"http://127.0.0.1:{self.port}", additional_headers=headers),
            10,
        )
        OPENED.append(self.socket)
        self.dropped.clear()
        self.note("open")
        asyncio.create_task(self._read(self.socket))

    async def _read(self, socket) -> None:  # noqa: ANN001
        try:
            async for raw in socket:
                event = json.loads(raw)
                kind = event["type"]
                if kind not in {"queue", "position", "typing"}:
                    self.note(kind, event.get("id") or event.get("code") or event.get("by"))
                    if "seq" in event:
                        self.note("seq", event["seq"])
                if kind == "sent":
                    self.outbox.pop(event["id"], None)
                    self.acknowledged.add(event["id"])
                elif kind == "message":
                    if event["seq"] <= self.shown:
                        continue  # handed over again by a new socket: shown already
                    self.shown = event["seq"]
                    self.received[event["id"]] += 1
                    ack = {"type": "ack", "seq": event["seq"]}
                    if self.side == "volunteer":
                        ack["conversation"] = event["conversation"]
                    with contextlib.suppress(ConnectionClosed):
                        await socket.send(json.dumps(ack))
                elif kind == "queue":
                    self.queue = event["queue"]
                elif (
                    kind == "ended"
                    and event.get("conversation", self.conversation) == self.conversation
                ):
                    self.told.append(f"ended:{event.get('by', '')}{event.get('reason', '')}")
                    self.ended = True
                elif kind not in {"position", "presence", "typing"}:
                    await self.events.put(event)
        except ConnectionClosed:
            pass
        self.note("closed", socket.close_code)
        if socket is self.socket:
            if socket.close_code not in (None, 1000):
                self.told.append(f"close:{socket.close_code}")
            self.dropped.set()

    async def expect(self, *kinds: str, timeout: float = 10) -> dict:
        while True:
            event = await asyncio.wait_for(self.events.get(), timeout)
            if event["type"] in kinds or event["type"] == "error":
                return event

    def _frame(self, message_id: str) -> str:
        frame = {"type": "message", "text": f"text {message_id}", "id": message_id}
        if self.side == "volunteer":
            frame["conversation"] = self.conversation
        return json.dumps(frame)

    async def say(self, message_id: str) -> None:
        self.outbox[message_id] = message_id
        if not self.dropped.is_set():
            with contextlib.suppress(ConnectionClosed):
                await self.socket.send(self._frame(message_id))

    async def reconnect(self, give_up_at: float) -> bool:
        while time.monotonic() < give_up_at:
            try:
                await self.open()
                break
            except (TimeoutError, OSError, InvalidHandshake):
                await asyncio.sleep(0.2)
        else:
            return False
        try:
            if self.side == "young":
                await self.socket.send(json.dumps({"type": "resume", "token": self.token}))
                answer = await self.expect("resumed")
                if answer["type"] == "error":
                    self.told.append(f"error:{answer['code']}")
                    self.ended = True
                    return False
            else:
                hello = await self.expect("hello")
                if hello["type"] == "error":
                    return False
                mine = [c for c in hello["conversations"] if c["id"] == self.conversation]
                if not mine:
                    if not self.ended:
                        self.lost_without_word = True
                    self.ended = True
                    return False
                if mine[0]["state"] == "ended":
                    if not self.ended:
                        self.told.append(f"ended:{mine[0].get('ended_by', '')}")
                    self.ended = True
                    return False
        except (TimeoutError, ConnectionClosed):
            self.dropped.set()
            return False
        for message_id in list(self.outbox):
            with contextlib.suppress(ConnectionClosed):
                await self.socket.send(self._frame(message_id))
        return True

    async def talk(self, prefix: str, stop_at: asyncio.Event, interval: float) -> None:
        n = 0
        while not stop_at.is_set() and not self.ended:
            if self.dropped.is_set():
                if not await self.reconnect(time.monotonic() + 30):
                    await asyncio.sleep(0.5)
                    continue
            await self.say(f"{prefix}{n}")
            n += 1
            await asyncio.sleep(interval)

    async def close(self) -> None:
        if self.socket is not None:
            with contextlib.suppress(Exception):
                await self.socket.close()

    async def leave(self) -> None:
        """End the conversation (or leave the queue), then close."""
        if self.socket is not None and not self.dropped.is_set():
            with contextlib.suppress(Exception):
                await self.socket.send(json.dumps({"type": "end"}))
        await self.close()


@dataclass
class Pair:
    young: Side
    volunteer: Side
    ghost: bool = False  # both think the conversation goes on, and a message does not arrive


async def start_pair(port: int, cookie: str, age: int) -> Pair:
    """A young person starts (the intake's age tells their conversation from others still
    waiting in the queue) and the volunteer takes that conversation. On failure both sockets
    are closed and the conversation ended."""
    young, volunteer = Side("young", port), Side("volunteer", port, cookie)
    try:
        await volunteer.open()
        await volunteer.expect("hello")
        await young.open()
        await young.socket.send(json.dumps({"type": "start", "intake": {"age": age}}))
        queued = await young.expect("queued")
        young.token = queued["resume"]
        mine: list[dict] = []
        for _ in range(200):
            mine = [
                c
                for c in volunteer.queue
                if c["state"] == "waiting" and (c.get("intake") or {}).get("age") == age
            ]
            if mine:
                break
            await asyncio.sleep(0.05)
        conversation = max(mine, key=lambda c: c["waiting_since"])["id"]
        await volunteer.socket.send(json.dumps({"type": "take", "conversation": conversation}))
        taken = await volunteer.expect("taken")
        if taken["type"] != "taken":
            raise RuntimeError(f"take answered {taken}")
        volunteer.conversation = young.conversation = conversation
        joined = await young.expect("joined")
        if joined["type"] != "joined":
            raise RuntimeError(f"the young person was told {joined}")
    except BaseException:
        await young.leave()
        await volunteer.close()
        raise
    return Pair(young, volunteer)


async def chat_starts(port: int, cookie: str, why: list[str] | None = None) -> bool:
    """A new conversation can be started and taken (the chat works for a newcomer); it is
    ended again at once. What went wrong otherwise is added to `why`."""
    try:
        pair = await asyncio.wait_for(start_pair(port, cookie, 99), 5)
    except Exception as error:  # noqa: BLE001
        if why is not None:
            why.append(f"{time.monotonic():.2f} {type(error).__name__} {str(error)[:120]}")
        return False
    await pair.young.leave()
    await pair.volunteer.close()
    return True


async def final_round(pair: Pair) -> None:
    """Both sides still in the conversation must reach each other, and a side whose
    conversation ended must not leave the other believing it goes on: otherwise a ghost."""
    for side in (pair.young, pair.volunteer):
        if side.dropped.is_set() and not side.ended:
            await side.reconnect(time.monotonic() + 15)
    if not (pair.young.ended or pair.volunteer.ended):
        await pair.young.say("final-y")
        await pair.volunteer.say("final-v")
        for _ in range(100):
            if pair.volunteer.received["final-y"] and pair.young.received["final-v"]:
                return
            await asyncio.sleep(0.1)
    for _ in range(50):  # an `ended` on its way to the other side
        if pair.young.ended == pair.volunteer.ended:
            break
        await asyncio.sleep(0.1)
    pair.ghost = pair.young.ended != pair.volunteer.ended or not (
        pair.young.ended or pair.volunteer.ended
    )
