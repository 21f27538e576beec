"""Faults injected into the production configuration under load, for the fault-injection suite
(samverkan/production/tests/test_faults.py) and the recovery benchmark (benchmarks/recovery.py).

Real PostgreSQL, real Redis and gunicorn with two uvicorn workers on loopback; API writers
(each record with a ref, retried until acknowledged, some sent three times at once) and chat
pairs (docs/chat-protocol.md: ids, acknowledgements, resending, resuming) run while a worker is
killed with SIGKILL, PostgreSQL restarts, Redis restarts and the database turns read-only. What
each client saw is kept for the assertions: acknowledged records and messages, every error
answer, every `ended` and close code; and when each fault began and when the API and the chat
first worked again after it (the recovery times).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from samverkan.production.loopback import Site, free_port, prepare_site, start_server, stop
from samverkan.production.loopback import worker_pids as _worker_pids
from samverkan.production.postgres_server import PostgresProcess
from samverkan.production.redis_server import RedisProcess

CHATS = "/api/v1/chat-conversations/"
RECOVERY_WAIT = 30  # seconds after a fault ended that recovery is waited for


# --- the API -----------------------------------------------------------------------------


async def http(port: int, method: str, path: str, body: dict | None, token: str, timeout=10):  # noqa: ANN001
    """One HTTP/1.1 request on a connection of its own: (status, headers, body) or None when
    the connection failed (refused, reset, no answer)."""
    data = json.dumps(body).encode() if body is not None else b""
    request = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        "Cookie: django_language=en\r\nConnection: close\r\n\r\n"
    ).encode() + data
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
        try:
            writer.write(request)
            await writer.drain()
            raw = await asyncio.wait_for(reader.read(), timeout)
        finally:
            writer.close()
    except (TimeoutError, OSError, ConnectionError):
        return None
    head, _, content = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or len(lines[0].split()) < 2:
        return None
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, content


def record(ref: str, n: int) -> dict:
    return {
        "ref": ref,
        "started_at": f"2022-03-{1 + n % 28:02d}T19:{n % 60:02d}:00+01:00",
        "concern": ["victim", "perpetrator", "friend"][n % 3],
        "resident": "yes",
        "gender": ["girl", "boy"][n % 2],
        "age": 13 + n % 7,
        "violence": ["psychological"],
    }


@dataclass
class ApiLog:
    acknowledged: dict[str, int] = field(default_factory=dict)  # ref -> id
    statuses: Counter = field(default_factory=Counter)
    not_problems: list = field(default_factory=list)  # error answers that were no problem
    wrong_answers: list = field(default_factory=list)  # e.g. 409 to identical content
    failed_connections: int = 0
    ok_at: list[float] = field(default_factory=list)  # when each write was acknowledged
    retry_after: list[int] = field(default_factory=list)


async def api_writer(port: int, token: str, prefix: str, log: ApiLog, stop_at: asyncio.Event):
    """Records with refs of its own, one at a time, each retried until acknowledged; every
    fifth sent three times at once (the idempotency race)."""
    n = 0
    while not stop_at.is_set():
        ref = f"{prefix}-{n}"
        body = record(ref, n)
        copies = 3 if n % 5 == 0 else 1
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            answers = await asyncio.gather(
                *(http(port, "POST", CHATS, body, token) for _ in range(copies))
            )
            acked = None
            for answer in answers:
                if answer is None:
                    log.failed_connections += 1
                    continue
                status, headers, content = answer
                log.statuses[status] += 1
                if status in (200, 201):
                    got = json.loads(content)["id"]
                    if acked is not None and acked != got:
                        log.wrong_answers.append((ref, "two ids", acked, got))
                    acked = got
                    continue
                if headers.get("content-type") != "application/problem+json":
                    log.not_problems.append((status, headers.get("content-type"), content[:200]))
                if status == 409:
                    log.wrong_answers.append((ref, 409, content[:200]))
                if "retry-after" in headers:
                    log.retry_after.append(int(headers["retry-after"]))
            if acked is not None:
                log.acknowledged[ref] = acked
                log.ok_at.append(time.monotonic())
                break
            await asyncio.sleep(0.2)
        n += 1
        await asyncio.sleep(0.05)


# --- the chat ----------------------------------------------------------------------------


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


# A message acknowledged this shortly before (or after) Redis lost the chat's state may have been in
# its receiver's outbox, not yet handed over, when the state went (delivery takes a tenth of a
# second or so under the suite's load). Redis runs without persistence (docs/deploy.md): those
# conversations end for both sides with `ended` `by: "lost"`, which is how their senders learn
# that what was not shown by then is not shown (docs/chat-protocol.md, Delivery).
IN_FLIGHT = 2.0


def chat_messages(pairs: list[Pair], faults: list[Fault]) -> tuple[list, list, list]:
    """(lost, went with Redis' state, duplicated) acknowledged messages, as the receivers saw
    them. Lost: acknowledged with `sent` and never shown, other than one acknowledged within
    IN_FLIGHT seconds before a Redis restart (or during it) whose receiver was told the
    conversation was lost."""
    # The window reaches past the restart too: a `sent` may reach its client a moment after
    # the message was put in the outbox.
    restarts = [
        (f.at - IN_FLIGHT, f.ended_at + IN_FLIGHT) for f in faults if f.name == "Redis restart"
    ]
    lost, with_redis, duplicated = [], [], []
    for pair in pairs:
        for sender, receiver in ((pair.young, pair.volunteer), (pair.volunteer, pair.young)):
            acknowledged_at: dict[str, float] = {}
            for moment, what, detail in sender.trace:
                if what == "sent":
                    acknowledged_at.setdefault(detail, moment)
            told_lost = "ended:lost" in receiver.told
            for message in sorted(sender.acknowledged):
                if receiver.received[message]:
                    continue
                at = acknowledged_at.get(message, 0.0)
                if told_lost and any(start <= at <= end for start, end in restarts):
                    with_redis.append(message)
                else:
                    lost.append(message)
            duplicated += [m for m, times in receiver.received.items() if times > 1]
    return lost, with_redis, duplicated


def told_what_happened(side: Side) -> bool:
    """A side whose conversation ended was told so (an `ended` or a `resume_failed`)."""
    if not side.ended:
        return True
    return not side.lost_without_word and any(
        word.startswith(("ended:", "error:")) for word in side.told
    )


# --- the scenario ------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    at: float
    api_back_after: float | None = None  # first acknowledged write after the fault ended
    chat_back_after: float | None = None  # first new conversation started after it
    chat_failures: list[str] = field(default_factory=list)  # why newcomers failed till then
    ended_at: float = 0.0


@dataclass
class Outcome:
    api: ApiLog
    pairs: list[Pair]
    faults: list[Fault]
    database_refs: dict[str, int]  # ref -> rows with it
    counts_equal_records: bool
    redis_clients_after: int
    redis_blocked_after: int
    # Connections after another round of newcomers' chats, opened and closed one by one: a
    # leak grows with the sockets served, a pool does not.
    redis_clients_after_more: int
    worker_log: str


def _django(site: Site, *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "samverkan.production.faults", *arguments],
        env=site.env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout.strip().splitlines()[-1]


async def _recovered(fault: Fault, log: ApiLog, port: int, cookie: str, chat: bool) -> None:
    """When the API and the chat first worked again after the fault ended."""
    deadline = fault.ended_at + RECOVERY_WAIT
    done_api = done_chat = False
    while time.monotonic() < deadline and not (done_api and (done_chat or not chat)):
        if not done_api and any(t > fault.ended_at for t in log.ok_at):
            fault.api_back_after = min(t for t in log.ok_at if t > fault.ended_at) - fault.at
            done_api = True
        if chat and not done_chat and await chat_starts(port, cookie, fault.chat_failures):
            fault.chat_back_after = time.monotonic() - fault.at
            done_chat = True
        await asyncio.sleep(0.1)


async def _scenario(site, server, port, postgres, redis, token, pairs_wanted, spacing, extra):  # noqa: ANN001, PLR0913
    log = ApiLog()
    stop_writing, stop_talking = asyncio.Event(), asyncio.Event()
    pairs = [await start_pair(port, site.sessions[n], 10 + n) for n in range(pairs_wanted)]
    spare = site.sessions[pairs_wanted]
    talkers = [
        asyncio.create_task(side.talk(f"{side.side[0]}{n}-", stop_talking, 1.0))
        for n, pair in enumerate(pairs)
        for side in (pair.young, pair.volunteer)
    ]
    writers = [
        asyncio.create_task(api_writer(port, token, f"w{n}", log, stop_writing)) for n in range(4)
    ]
    faults: list[Fault] = []

    async def fault(name: str, act, undo=None, hold: float = 0.0, chat: bool = True) -> None:  # noqa: ANN001
        await asyncio.sleep(spacing)
        current = Fault(name, time.monotonic())
        faults.append(current)
        await asyncio.to_thread(act)
        if undo is not None:
            await asyncio.sleep(hold)
            await asyncio.to_thread(undo)
        current.ended_at = time.monotonic()
        await _recovered(current, log, port, spare, chat)

    await asyncio.sleep(spacing)
    await fault("worker SIGKILL", lambda: os.kill(_worker_pids(server)[0], signal.SIGKILL))
    await fault("PostgreSQL restart", postgres.restart)
    await fault("Redis restart", lambda: (redis.stop(), redis.start()))
    await fault(
        "database read-only",
        lambda: postgres.read_only(True),
        lambda: postgres.read_only(False),
        hold=extra,
    )
    await asyncio.sleep(spacing)
    stop_writing.set()
    await asyncio.gather(*writers)
    stop_talking.set()
    await asyncio.gather(*talkers)
    await asyncio.sleep(3)  # the last messages in flight
    await asyncio.gather(*(final_round(pair) for pair in pairs))
    for pair in pairs:
        await pair.young.close()
        await pair.volunteer.close()
    await close_all()
    return log, pairs, faults


BLOCKED_SEEN: list[str] = []  # the blocked clients' lines (for the trace)


def _redis_clients(redis: RedisProcess) -> tuple[int, int]:
    lines = [line for line in redis.command("CLIENT", "LIST").splitlines() if "id=" in line]
    blocked = [
        line
        for line in lines
        if " cmd=bzpopmin" in line or " cmd=blpop" in line or "flags=b" in line
    ]
    BLOCKED_SEEN[:] = blocked
    return len(lines) - 1, len(blocked)  # less this command's own connection


LEAK_ROUND = 20  # newcomers' chats after the scenario, to tell a leak from a pool


def _settled(redis: RedisProcess) -> tuple[int, int]:
    """Redis' clients and blocked reads once every chat socket has gone (a few seconds for
    the servers to notice the last closes)."""
    settle = time.monotonic() + 15
    while True:
        clients, blocked = _redis_clients(redis)
        if blocked == 0 or time.monotonic() > settle:
            break
        time.sleep(0.5)
    time.sleep(2)
    return _redis_clients(redis)


async def _newcomers(port: int, cookie: str, count: int) -> None:
    for _ in range(count):
        await chat_starts(port, cookie)
    await close_all()
    await asyncio.sleep(1)


def run(
    folder: Path, *, pairs: int = 20, spacing: float = 6.0, read_only_for: float = 3.0
) -> Outcome:
    """The whole scenario; servers started and stopped here."""
    folder.mkdir(parents=True, exist_ok=True)
    postgres = PostgresProcess(int(os.environ.get("SAMVERKAN_FAULT_PG_PORT") or free_port()))
    redis = RedisProcess(free_port(), str(folder))
    server = None
    try:
        postgres.init()
        redis.start()
        site = prepare_site(
            folder / "site", volunteers=pairs + 1, redis_url=redis.url, database_url=postgres.url
        )
        # Every client is 127.0.0.1 here: the per-address limits would stop the load itself.
        site.env.update({"SAMVERKAN_CHAT_RATE_LIMIT": "100000", "SAMVERKAN_API_RATE": "100000/min"})
        token = _django(site, "token")
        port = free_port()
        server = start_server(site, port, workers=2, log=folder / "gunicorn.log")
        log, chat_pairs, faults = asyncio.run(
            _scenario(site, server, port, postgres, redis, token, pairs, spacing, read_only_for)
        )
        clients, blocked = _settled(redis)
        asyncio.run(_newcomers(port, site.sessions[pairs], LEAK_ROUND))
        clients_more, blocked_more = _settled(redis)
        blocked = max(blocked, blocked_more)
        verified = json.loads(_django(site, "verify"))
        write_trace(folder / "chat-trace.json", chat_pairs, faults)
        return Outcome(
            api=log,
            pairs=chat_pairs,
            faults=faults,
            database_refs=verified["refs"],
            counts_equal_records=verified["counts_equal_records"],
            redis_clients_after=clients,
            redis_blocked_after=blocked,
            redis_clients_after_more=clients_more,
            worker_log=(folder / "gunicorn.log").read_text(errors="replace"),
        )
    finally:
        if server is not None:
            stop(server)
        redis.stop()
        postgres.remove()


def write_trace(path: Path, pairs: list[Pair], faults: list[Fault]) -> None:
    """What each chat client saw and when, with the faults' times: where a message went
    missing can be read from it afterwards. Ids and numbers only, no text."""
    path.write_text(
        json.dumps(
            {
                "faults": [[f.name, f.at, f.ended_at, f.chat_failures] for f in faults],
                "blocked": BLOCKED_SEEN,
                "pairs": [
                    {
                        side.side: {
                            "trace": side.trace,
                            "acknowledged": sorted(side.acknowledged),
                            "received": dict(side.received),
                        }
                        for side in (pair.young, pair.volunteer)
                    }
                    for pair in pairs
                ],
            }
        )
    )


def summary(outcome: Outcome) -> str:
    """What happened, in a few lines (printed by the suite and the benchmark)."""
    api = outcome.api
    missing = [ref for ref in api.acknowledged if ref not in outcome.database_refs]
    duplicated = [ref for ref, rows in outcome.database_refs.items() if rows > 1]
    lines = [
        f"API: {len(api.acknowledged)} records acknowledged, answers {dict(api.statuses)}, "
        f"{api.failed_connections} failed connections; missing {len(missing)}, duplicated "
        f"{len(duplicated)}, counts equal records: {outcome.counts_equal_records}; error "
        f"answers that were no problem: {len(api.not_problems)}, wrong answers: "
        f"{len(api.wrong_answers)}; Retry-After seen: {sorted(set(api.retry_after))}",
        f"Redis after: {outcome.redis_clients_after} clients, {outcome.redis_blocked_after} "
        f"blocked; {outcome.redis_clients_after_more} clients after {LEAK_ROUND} more chats",
    ]
    for fault in outcome.faults:
        lasted = fault.ended_at - fault.at
        api_back = None if fault.api_back_after is None else round(fault.api_back_after - lasted, 2)
        chat_back = (
            None if fault.chat_back_after is None else round(fault.chat_back_after - lasted, 2)
        )
        lines.append(
            f"{fault.name}: lasted {lasted:.2f} s; API back {api_back} s, chat back {chat_back} s "
            "after it ended"
        )
    acknowledged = sum(
        len(side.acknowledged) for pair in outcome.pairs for side in (pair.young, pair.volunteer)
    )
    lost, with_redis, duplicated_messages = chat_messages(outcome.pairs, outcome.faults)
    sides = [side for pair in outcome.pairs for side in (pair.young, pair.volunteer)]
    lines.append(
        f"chat: {len(outcome.pairs)} pairs, {acknowledged} messages acknowledged, {len(lost)} "
        f"lost, {len(with_redis)} in flight when Redis lost the state (conversation ended "
        f"'lost'), {len(duplicated_messages)} duplicated; "
        f"{sum(p.ghost for p in outcome.pairs)} ghost "
        f"conversations; {sum(not told_what_happened(s) for s in sides)} sides not told; "
        f"{sum(s.ended for s in sides)} sides ended"
    )
    return "\n".join(lines)


def _token() -> str:
    import django

    django.setup()
    from samverkan.accounts.models import Role, User
    from samverkan.api.tokens import api_token_create
    from samverkan.partnership.models import Unit

    unit = Unit.objects.get(key="chat")
    manager = User.objects.create(username="faults-manager", role=Role.UNIT_MANAGER, unit=unit)
    return api_token_create(by=manager, name="fault writer", scope="write").secret


def _verify() -> str:
    import django

    django.setup()
    from django.db.models import Count

    from samverkan.partnership.models import Unit
    from samverkan.records.models import ChatConversation
    from samverkan.statistics.counters import counts_from_records, stored_counts

    units = list(Unit.objects.values_list("id", flat=True))
    refs = dict(
        ChatConversation.objects.exclude(ref=None)
        .values("ref")
        .annotate(n=Count("id"))
        .values_list("ref", "n")
    )
    stored = dict(stored_counts(units))
    implied = {key: tuple(value) for key, value in counts_from_records(units).items() if any(value)}
    return json.dumps({"refs": refs, "counts_equal_records": stored == implied})


if __name__ == "__main__":
    print({"token": _token, "verify": _verify}[sys.argv[1]]())
