"""Recovery times of the production configuration (`make bench-recovery`).

The fault-injection scenario of samverkan/production/faults.py — real PostgreSQL, real Redis,
gunicorn with two uvicorn workers on loopback, API writers and chat pairs — with each fault
timed: how long it lasted, and after it ended how long until the API acknowledged a write
again and until a newcomer could start a conversation that a volunteer took. Prints a
Markdown table for benchmarks/RESULTS.md, with the machine and date.

    .venv/bin/python benchmarks/recovery.py [--rounds 3] [--pairs 20]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from samverkan.production import faults


def _postgres_version() -> str:
    from samverkan.production.postgres_server import pg_bin

    done = subprocess.run(
        [str(pg_bin() / "postgres"), "--version"], capture_output=True, text=True, check=False
    )
    return (
        done.stdout.split()[2] if len(done.stdout.split()) > 2 else "?"
    )  # postgres (PostgreSQL) 15.18 ...


def _redis_version() -> str:
    done = subprocess.run(
        ["redis-server", "--version"], capture_output=True, text=True, check=False
    )
    return next((w.split("=")[1] for w in done.stdout.split() if w.startswith("v=")), "?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--spacing", type=float, default=5.0)
    args = parser.parse_args()

    rows: dict[str, list] = {}
    for round_ in range(args.rounds):
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="samverkan-recovery-") as folder:
            outcome = faults.run(Path(folder), pairs=args.pairs, spacing=args.spacing)
        print(faults.summary(outcome))
        writes = len(outcome.api.acknowledged)
        print(
            f"round {round_ + 1}: {time.monotonic() - started:.0f} s, {writes} records "
            f"acknowledged, API answers {dict(outcome.api.statuses)}"
        )
        for fault in outcome.faults:
            lasted = fault.ended_at - fault.at
            api = None if fault.api_back_after is None else fault.api_back_after - lasted
            chat = None if fault.chat_back_after is None else fault.chat_back_after - lasted
            rows.setdefault(fault.name, []).append((lasted, api, chat))
            print(f"  {fault.name}: lasted {lasted:.2f} s, API back after {api}, chat {chat}")

    def cell(values: list) -> str:
        known = [v for v in values if v is not None]
        if not known:
            return f"not back within {faults.RECOVERY_WAIT} s"
        text = f"{statistics.median(known):.2f} s (max {max(known):.2f})"
        missing = len(values) - len(known)
        return text + (f", {missing} not back within {faults.RECOVERY_WAIT} s" if missing else "")

    load = os.getloadavg()[0]
    print()
    print(
        f"## {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PostgreSQL {_postgres_version()}, Redis "
        f"{_redis_version()} ({platform.node()}, {platform.system()} {platform.release()}, "
        f"{platform.machine()}), load average {load:.1f}"
    )
    print()
    print(
        f"{args.rounds} rounds, {args.pairs} chat pairs and 4 API writers; median over the "
        "rounds (and the worst). Times count from the moment the fault ended (a restart: "
        "once the server was up again)."
    )
    print()
    print("| fault | lasted | API acknowledges a write again | a newcomer's chat is taken again |")
    print("| --- | --- | --- | --- |")
    for name, values in rows.items():
        lasted = statistics.median(v[0] for v in values)
        print(
            f"| {name} | {lasted:.2f} s | {cell([v[1] for v in values])} | {cell([v[2] for v in values])} |"
        )


if __name__ == "__main__":
    main()
