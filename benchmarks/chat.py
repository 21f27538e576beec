"""The live chat under load: K simultaneous conversations over loopback, message latency.

Each conversation has a young person and a volunteer; each of them sends a message at random
(exponential gaps) every INTERVAL seconds on average, as people type. The latency of a message
is the time from the sender's `send` to the receiver's frame, both in this one client process
(one clock). Each received message is acknowledged (`ack`), as the protocol asks of a client
and as the browser clients do it (cumulatively, at most once per 100 ms per conversation); the
bare relay needs none. Three servers, one after the other, in the same run:

1. floor: a minimal relay written with the `websockets` library (one process): it pairs the
   two sockets of a conversation and passes each JSON message to the other;
2. samverkan, one worker: gunicorn with one uvicorn worker, in-memory channel layer and chat
   state (the embedded default), K conversations (issue 4: 1,000, p99 < 50 ms, <= 5x floor);
3. samverkan, two workers + Redis: gunicorn with two uvicorn workers sharing a Redis server
   (production mode), K2 conversations (issue 7: 2,000, p99 < 100 ms).

The samverkan servers run the real application: volunteers signed in with both factors (one
console per CONVERSATIONS_PER_CONSOLE conversations; a console holds several), young people
queue and are taken, messages pass the consumers' checks. The client runs with uvloop in this
process; the servers in their own. Bounded: each phase measures for --measure seconds after
--warmup seconds. Prints a table; `--markdown` prints it for benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/chat.py [--conversations 1000] [--redis-conversations 2000]
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

from samverkan.production.loopback import (  # noqa: E402
    free_port,
    prepare_site,
    start_server,
    stop,
    worker_pids,
)
from samverkan.production.redis_server import redis_server  # noqa: E402

CONVERSATIONS_PER_CONSOLE = 25


# The floor: a minimal relay with the websockets library ---------------------------------------

FLOOR = r"""
import asyncio, json, sys
from websockets.asyncio.server import serve

pairs = {}

async def handler(socket):
    _, _, conversation, side = socket.request.path.split("/")
    pair = pairs.setdefault(conversation, {})
    pair[side] = socket
    other = "volunteer" if side == "young" else "young"
    try:
        async for raw in socket:
            message = json.loads(raw)
            partner = pair.get(other)
            if partner is not None and message.get("type") == "message":
                await partner.send(json.dumps({"type": "message", "text": message["text"]}))
    finally:
        pair.pop(side, None)

async def main():
    async with serve(handler, "127.0.0.1", int(sys.argv[1]), compression=None, max_queue=64):
        print("ready", flush=True)
        await asyncio.Future()

try:
    import uvloop
    uvloop.run(main())
except ImportError:
    asyncio.run(main())
"""


# Measurement -----------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    conversations: int
    latencies: list[float] = field(default_factory=list)
    sent: int = 0
    errors: int = 0
    setup_seconds: float = 0.0
    measuring: bool = False
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average, start and end
    memory_mib: float = 0.0  # the server's peak resident memory, all its processes (VmHWM)
    server_pids: list[int] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the server processes' CPU time (user + system) while measuring

    def stamp(self) -> str:
        return f"{time.perf_counter():.6f} " + "x" * random.randint(10, 80)

    def received(self, text: str) -> None:
        if self.measuring:
            self.latencies.append(time.perf_counter() - float(text.split(" ", 1)[0]))

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


# The browser clients (chat.js, console.js) acknowledge what they have shown at most once per
# this many seconds per conversation, cumulatively (docs/chat-protocol.md, Delivery): so does
# this client.
ACK_EVERY = 0.1


async def _reader(socket, phase: Phase, on_event=None) -> None:  # noqa: ANN001
    shown: dict[str | None, int] = {}  # the highest number shown, per conversation

    def acknowledge(conversation: str | None) -> None:
        ack: dict = {"type": "ack", "seq": shown.pop(conversation)}
        if conversation is not None:
            ack["conversation"] = conversation
        task = asyncio.ensure_future(socket.send(json.dumps(ack)))
        task.add_done_callback(lambda done: done.cancelled() or done.exception())

    loop = asyncio.get_running_loop()
    with contextlib.suppress(Exception):
        async for raw in socket:
            event = json.loads(raw)
            kind = event.get("type")
            if kind == "message":
                phase.received(event["text"])
                if "seq" in event:  # acknowledged as the browser clients do (see ACK_EVERY)
                    conversation = event.get("conversation")
                    if conversation not in shown:
                        loop.call_later(ACK_EVERY, acknowledge, conversation)
                    shown[conversation] = max(event["seq"], shown.get(conversation, 0))
            elif kind == "error":
                phase.errors += 1
            if on_event is not None:
                on_event(event)


async def _talk(socket, phase: Phase, interval: float, frame, stop_at: float) -> None:  # noqa: ANN001
    while time.perf_counter() < stop_at:
        await asyncio.sleep(random.expovariate(1 / interval))
        if time.perf_counter() >= stop_at:
            return
        with contextlib.suppress(Exception):
            await socket.send(json.dumps(frame(phase.stamp())))
            if phase.measuring:
                phase.sent += 1


async def _run_load(phase: Phase, talkers, readers, args) -> None:  # noqa: ANN001
    """Everyone talks for warmup + measure seconds; latencies are kept for the measure part."""
    start = time.perf_counter()
    stop_at = start + args.warmup + args.measure
    tasks = [asyncio.create_task(_talk(s, phase, args.interval, f, stop_at)) for s, f in talkers]

    async def window() -> None:
        await asyncio.sleep(args.warmup)
        phase.measuring = True
        load_at_start = os.getloadavg()[0]
        cpu_at_start = cpu_seconds(phase.server_pids)
        await asyncio.sleep(args.measure)
        phase.measuring = False
        phase.cpu_seconds = cpu_seconds(phase.server_pids) - cpu_at_start
        phase.load = (load_at_start, os.getloadavg()[0])

    await window()
    await asyncio.sleep(0.5)  # the last messages in flight
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _close(sockets) -> None:  # noqa: ANN001
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)


# Phase 1: the floor ----------------------------------------------------------------------------


async def floor_phase(conversations: int, args) -> Phase:  # noqa: ANN001
    phase = Phase("floor: websockets relay, 1 process", conversations)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", FLOOR, str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout.readline().strip() == "ready"
        phase.server_pids = [server.pid]
        began = time.perf_counter()
        sockets, talkers, readers = [], [], []
        for n in range(conversations):
            for side in ("young", "volunteer"):
                socket = await connect(f"ws://127.0.0.1:{port}/c/{n}/{side}", compression=None)
                sockets.append(socket)
                readers.append(asyncio.create_task(_reader(socket, phase)))
                talkers.append((socket, lambda text: {"type": "message", "text": text}))
        phase.setup_seconds = time.perf_counter() - began
        await _run_load(phase, talkers, readers, args)
        phase.memory_mib = peak_memory_mib([server.pid])
        await _close(sockets)
    finally:
        server.terminate()
        server.wait()
    return phase


# Phases 2 and 3: samverkan ---------------------------------------------------------------------


async def samverkan_phase(  # noqa: PLR0913
    name: str,
    conversations: int,
    port: int,
    sessions,  # noqa: ANN001
    args,  # noqa: ANN001
    server,  # noqa: ANN001
) -> Phase:
    phase = Phase(name, conversations)
    origin = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    sockets, talkers, readers = [], [], []
    consoles = -(-conversations // CONVERSATIONS_PER_CONSOLE)
    if consoles > len(sessions):
        raise SystemExit(f"{consoles} consoles need as many volunteers; have {len(sessions)}")

    taken_ids: set[str] = set()
    for c in range(consoles):
        queue_seen: asyncio.Queue = asyncio.Queue()
        taken: asyncio.Queue = asyncio.Queue()

        def on_console(event, queue_seen=queue_seen, taken=taken) -> None:  # noqa: ANN001
            if event["type"] == "queue" and event["queue"]:
                queue_seen.put_nowait(event["queue"])
            elif event["type"] == "taken":
                taken.put_nowait(event["conversation"]["id"])

        console = await connect(
            f"ws://127.0.0.1:{port}/ws/chatt/konsol/",
            origin=origin,
            additional_headers=[("Cookie", f"sessionid={sessions[c]}")],
            compression=None,
            max_queue=None,
        )
        sockets.append(console)
        readers.append(asyncio.create_task(_reader(console, phase, on_console)))
        for _ in range(
            min(CONVERSATIONS_PER_CONSOLE, conversations - c * CONVERSATIONS_PER_CONSOLE)
        ):
            joined: asyncio.Event = asyncio.Event()

            def on_young(event, joined=joined) -> None:  # noqa: ANN001
                if event["type"] == "joined":
                    joined.set()

            young = await connect(
                f"ws://127.0.0.1:{port}/ws/chatt/", origin=origin, compression=None
            )
            sockets.append(young)
            readers.append(asyncio.create_task(_reader(young, phase, on_young)))
            await young.send(json.dumps({"type": "start"}))
            while True:  # a queue sent before an earlier take may still name that one
                queue = await asyncio.wait_for(queue_seen.get(), 30)
                fresh = [c["id"] for c in queue if c["id"] not in taken_ids]
                if fresh:
                    break
            conversation = fresh[0]
            taken_ids.add(conversation)
            await console.send(json.dumps({"type": "take", "conversation": conversation}))
            await asyncio.wait_for(taken.get(), 30)
            await asyncio.wait_for(joined.wait(), 30)
            talkers.append((young, lambda text: {"type": "message", "text": text}))
            talkers.append(
                (
                    console,
                    lambda text, conversation=conversation: {
                        "type": "message",
                        "conversation": conversation,
                        "text": text,
                    },
                )
            )
    phase.setup_seconds = time.perf_counter() - began
    phase.errors = 0
    phase.server_pids = worker_pids(server)
    await _run_load(phase, talkers, readers, args)
    phase.memory_mib = peak_memory_mib(worker_pids(server))
    await _close(sockets)
    return phase


def cpu_seconds(pids: list[int]) -> float:
    """The processes' CPU time so far (user + system), seconds."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def peak_memory_mib(pids: list[int]) -> float:
    """The processes' peak resident memory together (each one's VmHWM), MiB."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total / 1024


def _site_env_for_load(site, args) -> None:  # noqa: ANN001
    # Every simulated young person comes from 127.0.0.1: the per-client limit of new chats
    # would stop the benchmark at five.
    site.env["SAMVERKAN_CHAT_RATE_LIMIT"] = "1000000"
    if args.python_gc:
        site.env["SAMVERKAN_GC_TUNING"] = "0"


def run_samverkan(args, folder: Path, conversations: int, workers: int, redis_url: str | None):  # noqa: ANN001
    consoles = -(-conversations // CONVERSATIONS_PER_CONSOLE)
    site = prepare_site(folder, volunteers=consoles, redis_url=redis_url)
    _site_env_for_load(site, args)
    port = free_port()
    server = start_server(site, port, workers=workers, log=folder / "server.log")
    name = f"samverkan: {workers} worker{'s' if workers > 1 else ''}, " + (
        "Redis" if redis_url else "in memory"
    )
    if args.python_gc:
        name += ", Python's default GC"
    try:
        return _loop_run(samverkan_phase(name, conversations, port, site.sessions, args, server))
    except BaseException:
        print((folder / "server.log").read_text()[-4000:], file=sys.stderr)
        raise
    finally:
        stop(server)


def _loop_run(coroutine):  # noqa: ANN001, ANN202
    try:
        import uvloop

        return uvloop.run(coroutine)
    except ImportError:
        return asyncio.run(coroutine)


# Report ----------------------------------------------------------------------------------------


def table(phases: list[Phase], floor: Phase, markdown: bool) -> str:
    rows = [
        (
            "server",
            "conversations",
            "messages",
            "p50 ms",
            "p99 ms",
            "max ms",
            "p99 / floor p99",
            "errors",
            "setup s",
            "server MiB",
            "server CPU ms / message",
            "load avg",
        )
    ]
    for phase in phases:
        ratio = phase.percentile(99) / floor.percentile(99) if floor.latencies else float("nan")
        rows.append(
            (
                phase.name,
                f"{phase.conversations:,}",
                f"{len(phase.latencies):,}",
                f"{phase.percentile(50):.1f}",
                f"{phase.percentile(99):.1f}",
                f"{max(phase.latencies, default=0) * 1000:.1f}",
                f"{ratio:.1f}x" if phase is not floor else "1.0x",
                str(phase.errors),
                f"{phase.setup_seconds:.1f}",
                f"{phase.memory_mib:.0f}",
                f"{1000 * phase.cpu_seconds / max(1, len(phase.latencies)):.2f}",
                f"{phase.load[0]:.1f}-{phase.load[1]:.1f}",
            )
        )
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * len(rows[0])]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=1000, help="floor and one worker")
    parser.add_argument("--redis-conversations", type=int, default=2000, help="two workers")
    parser.add_argument("--interval", type=float, default=10.0, help="mean s between messages")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--measure", type=float, default=60.0)
    parser.add_argument("--skip", default="", help="comma list of floor,memory,redis to skip")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument(
        "--python-gc",
        action="store_true",
        help="samverkan's workers with Python's default garbage collection (no freeze, default "
        "thresholds: SAMVERKAN_GC_TUNING=0), to compare",
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    random.seed(7)

    phases: list[Phase] = []
    floor = Phase("floor", 0)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="samverkan-bench-chat-") as tmp:
        if "floor" not in skip:
            floor = _loop_run(floor_phase(args.conversations, args))
            phases.append(floor)
            print(f"floor done: p99 {floor.percentile(99):.1f} ms", flush=True)
        if "memory" not in skip:
            phase = run_samverkan(args, Path(tmp) / "memory", args.conversations, 1, None)
            phases.append(phase)
            print(f"one worker done: p99 {phase.percentile(99):.1f} ms", flush=True)
        if "redis" not in skip:
            with redis_server() as url:
                phase = run_samverkan(args, Path(tmp) / "redis", args.redis_conversations, 2, url)
            phases.append(phase)
            print(f"two workers done: p99 {phase.percentile(99):.1f} ms", flush=True)

    print()
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.node()}; each participant sends every "
        f"{args.interval:g} s on average; warm-up {args.warmup:g} s, measured {args.measure:g} s; "
        f"{CONVERSATIONS_PER_CONSOLE} conversations per volunteer console; total "
        f"{time.perf_counter() - started:.0f} s"
    )
    print(table(phases, floor, args.markdown))


if __name__ == "__main__":
    main()
