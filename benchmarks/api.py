"""Records created per second through the REST API on loopback, against a direct import.

Makes a fresh SQLite database with one partnership and three chat units, issues a write token
for two of them, serves the application with gunicorn on 127.0.0.1, and creates the same
synthetic chat conversations three ways:

1. through the API one by one (`POST /api/v1/chat-conversations/`), by 1 client and by
   `--clients` clients at once, each over its own keep-alive connection;
2. through the API in batches (`POST /api/v1/chat-conversations/batch/`, `--batch` a request);
3. with the import (`records_import`, what `samverkan import` runs), from a CSV file of the same
   records, timed in a process of its own without Django's start-up.

Prints records per second for each and the ratio of the import to each API way, and checks
that all three gave the same figures. Nothing is downloaded; load goes to loopback only.

    .venv/bin/python benchmarks/api.py                 # 2,000 one by one, 20,000 in batches
    .venv/bin/python benchmarks/api.py --single 500 --batched 5000      # a quick run
"""

import argparse
import csv
import datetime
import http.client
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from web import free_port, start_server, stop_server  # noqa: E402 - the web benchmark's server

UNITS = {"single": "chat-single", "batched": "chat-batched", "imported": "chat-imported"}

SETUP = """
import json, sys
import django
django.setup()
from samverkan.accounts.models import Role, User
from samverkan.api.tokens import api_token_create
from samverkan.partnership.models import District, Organisation, Partnership, Service, Unit

organisation = Organisation.objects.create(key="foundation", name="Foundation", kind="non-profit")
partnership = Partnership.objects.create(key="p", name="Partnership", municipality="Town")
for key in ("north", "south", "east", "west"):
    District.objects.create(partnership=partnership, key=key, name=key.title())
Service.objects.create(partnership=partnership, key="clinic", name="Clinic")
tokens = {}
for purpose, key in json.loads(sys.argv[1]).items():
    unit = Unit.objects.create(key=key, name=key, kind=Unit.Kind.CHAT, organisation=organisation)
    partnership.units.add(unit)
    manager = User.objects.create(username=f"manager-{key}", role=Role.UNIT_MANAGER, unit=unit)
    tokens[purpose] = api_token_create(by=manager, name="bench", scope="write").secret
print(json.dumps(tokens))
"""

IMPORT = """
import sys, time
from pathlib import Path
import django
django.setup()
from samverkan.records.imports import records_import
start = time.perf_counter()
result = records_import(kind="chat", path=Path(sys.argv[1]), unit_key=sys.argv[2])
print(time.perf_counter() - start, result.rows_added)
"""

FIGURES = """
import json, sys, datetime
import django
django.setup()
from samverkan.statistics.models import MonthlyCount
from samverkan.partnership.models import Unit
out = {}
for key in json.loads(sys.argv[1]):
    rows = MonthlyCount.objects.filter(unit=Unit.objects.get(key=key)).exclude(n=0)
    out[key] = sorted((str(m), metric, n, t) for m, metric, n, t in rows.values_list("month", "metric", "n", "total"))
print(json.dumps(out))
"""


def records(count: int, seed: int, prefix: str) -> list[dict]:
    """Synthetic chat conversations as the API takes them (the same seed: the same records)."""
    rng = random.Random(seed)
    start = datetime.datetime(2024, 1, 1)
    out = []
    for index in range(count):
        moment = start + datetime.timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        resident = rng.choice(["yes", "yes", "no", "unknown"])
        out.append(
            {
                "ref": f"{prefix}-{index}",
                "started_at": moment.strftime("%Y-%m-%dT%H:%M:%S"),
                "resident": resident,
                "district": rng.choice(["north", "south", "east", "west", None]),
                "gender": rng.choice(["girl", "girl", "boy", "other", "unknown"]),
                "age": rng.choice([None, *range(12, 26)]),
                "concern": rng.choice(["victim", "victim", "perpetrator", "friend", "other"]),
                "violence": sorted(
                    rng.sample(["physical", "psychological", "digital"], rng.randrange(3))
                ),
                "referred_to": rng.choice([None, None, "clinic"]),
            }
        )
    return out


def as_csv(rows: list[dict], path: Path) -> None:
    columns = [
        "ref",
        "started_at",
        "resident",
        "district",
        "gender",
        "age",
        "concern",
        "violence",
        "referred_to",
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            values = {
                **row,
                "started_at": row["started_at"].replace("T", " "),
                "violence": ";".join(row["violence"]),
            }
            writer.writerow(["" if values[c] is None else values[c] for c in columns])


def run(code: str, env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return done.stdout.strip().splitlines()[-1]


class Client:
    def __init__(self, port: int, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post(self, path: str, body: object) -> int:
        # As bytes: http.client then sends the headers and the body in one packet (a str body
        # goes in a second one, and delayed ACKs would add 40 ms to every request).
        self.connection.request("POST", path, json.dumps(body).encode(), self.headers)
        response = self.connection.getresponse()
        response.read()
        return response.status


def one_by_one(port: int, token: str, rows: list[dict], clients: int) -> float:
    chunks = [rows[index::clients] for index in range(clients)]
    failures: list[int] = []

    def work(chunk: list[dict]) -> None:
        client = Client(port, token)
        for row in chunk:
            status = client.post("/api/v1/chat-conversations/", row)
            if status != 201:
                failures.append(status)

    threads = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, e.g. {failures[:5]}")
    return elapsed


def batched(port: int, token: str, rows: list[dict], size: int) -> float:
    client = Client(port, token)
    start = time.perf_counter()
    for index in range(0, len(rows), size):
        status = client.post(
            "/api/v1/chat-conversations/batch/", {"records": rows[index : index + size]}
        )
        if status != 201:
            raise SystemExit(f"a batch answered {status}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--single", type=int, default=2000, help="records created one by one")
    parser.add_argument("--batched", type=int, default=20000, help="records created in batches")
    parser.add_argument("--batch", type=int, default=500, help="records per batch request")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients, one by one")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="samverkan-api-bench-") as temp:
        var_dir = Path(temp)
        env = {
            **os.environ,
            "SAMVERKAN_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'bench.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "samverkan.settings",
            "DEBUG": "false",
            "LOG_LEVEL": "ERROR",
            "SAMVERKAN_API_RATE": "100000000/min",  # measure the API, not its rate limit
        }
        subprocess.run(
            [sys.executable, "-m", "samverkan", "migrate", "--verbosity", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        tokens = json.loads(run(SETUP, env, json.dumps(UNITS)))  # the import's is not used

        single_one = records(args.single // 4, seed=1, prefix="one")
        single_many = records(args.single, seed=2, prefix="many")
        in_batches = records(args.batched, seed=3, prefix="batch")
        port = free_port()
        server = start_server(
            env,
            port,
            argparse.Namespace(server="wsgi", workers=args.workers, threads=args.threads, nice=0),
        )
        try:
            # Warm up each worker (imports, connections) before timing.
            Client(port, tokens["single"]).post(
                "/api/v1/chat-conversations/", records(1, 9, "warm")[0]
            )
            t_one = one_by_one(port, tokens["single"], single_one, 1)
            t_many = one_by_one(port, tokens["single"], single_many, args.clients)
            t_batched = batched(port, tokens["batched"], in_batches, args.batch)
        finally:
            stop_server(server)

        # The import: the batched records, from a CSV file, into a unit of their own.
        path = var_dir / "records.csv"
        as_csv(in_batches, path)
        seconds, added = run(IMPORT, env, str(path), UNITS["imported"]).split()
        t_import = float(seconds)
        assert int(added) == args.batched

        figures = json.loads(run(FIGURES, env, json.dumps([UNITS["batched"], UNITS["imported"]])))
        same = figures[UNITS["batched"]] == figures[UNITS["imported"]]

    rate = {
        "API, one by one, 1 client": len(single_one) / t_one,
        f"API, one by one, {args.clients} clients": len(single_many) / t_many,
        f"API, batches of {args.batch}": len(in_batches) / t_batched,
        "import (records_import, CSV)": len(in_batches) / t_import,
    }
    imported = rate["import (records_import, CSV)"]
    machine = (
        f"{datetime.date.today()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version} ({platform.node()}, {platform.system()} "
        f"{platform.release()}, {platform.machine()}); gunicorn gthread {args.workers} workers x "
        f"{args.threads} threads"
    )
    print(f"## {machine}\n")
    print("| how | records | records/s | import is faster by |")
    print("| --- | --- | --- | --- |")
    counts = [len(single_one), len(single_many), len(in_batches), len(in_batches)]
    for (how, value), count in zip(rate.items(), counts, strict=True):
        print(f"| {how} | {count:,} | {value:,.0f} | {imported / value:,.1f}x |")
    print(f"\nthe batched and the imported records give the same monthly counts: {same}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
