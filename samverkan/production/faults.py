"""Faults injected into the production configuration under load, for the fault-injection suite
(samverkan/production/tests/test_faults.py) and the recovery benchmark (benchmarks/recovery.py).

Real PostgreSQL, real Redis and gunicorn with two uvicorn workers on loopback; API writers
(each record with a ref, retried until acknowledged, some sent three times at once) and chat
pairs (docs/chat-protocol.md: ids, acknowledgements, resending, resuming) run while a worker is
killed with SIGKILL, PostgreSQL restarts, Redis restarts and the database turns read-only. What
each client saw is kept for the assertions: acknowledged records and messages, every error
answer, every `ended` and close code; and when each fault began and when the API and the chat
first worked again after it (the recovery times). The clients are in fault_api.py and
fault_chat.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from samverkan.production.fault_api import ApiLog, api_writer
from samverkan.production.fault_chat import (
    Pair,
    Side,
    chat_starts,
    close_all,
    final_round,
    start_pair,
)
from samverkan.production.loopback import Site, free_port, prepare_site, start_server, stop
from samverkan.production.loopback import worker_pids as _worker_pids
from samverkan.production.postgres_server import PostgresProcess
from samverkan.production.redis_server import RedisProcess

RECOVERY_WAIT = 30  # seconds after a fault ended that recovery is waited for


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
