"""Staff pages under load: 20 signed-in users on loopback against a database of 1.2M records.

Builds (once, then cached) a database with the demo partnership, 1,000,000 chat conversations and
200,000 support-centre cases, and users of the roles that read them; serves the application with
gunicorn on 127.0.0.1; signs every simulated user in through the real sign-in and second-factor
pages; then lets them request their pages over their own keep-alive connection and cookie jar,
and prints p50/p95/max per page; then the server CPU each page costs, requested one at a time;
then its capacity: requests arrive at random (Poisson) at rising rates, each to a signed-in user
of the page's role, until p95 reaches 150 ms; the capacity is the highest rate served with p95
under 150 ms, per core of the machine.

    .venv/bin/python benchmarks/web.py                      # SQLite (the default database)
    .venv/bin/python benchmarks/web.py --think 0            # no pause between requests: saturation
    .venv/bin/python benchmarks/web.py --chat 100000 --support 20000 --duration 10   # a quick run
    scripts/with-postgresql .venv/bin/python benchmarks/web.py   # PostgreSQL
    .venv/bin/python benchmarks/web.py --code var/baseline   # serve another checkout's code
    .venv/bin/python benchmarks/web.py --duration 0 --capacity-steps 0 --against var/main
        # each page's server CPU only, this code and var/main's side by side, round by round

`--code DIR` serves the application from another copy of the code (e.g. `git archive` of an
earlier commit unpacked under var/), on the same database and with the same load, so that two
versions are measured side by side on the same day.

The SQLite database is built under var/bench/<key>/ (key: builder version, sizes and a digest of
the migrations of the apps it fills, so a change to their schema rebuilds it) and copied for each
run, so a run starts from the same state and a re-run does not rebuild (`--rebuild`
forces it). BENCH_SETTINGS names another settings module for the server (to try a setting
without changing samverkan/settings.py). On PostgreSQL, whose server scripts/with-postgresql makes anew each time, the first
build is kept as a pg_dump archive there and restored. Load goes to loopback only; every user's loop stops after `--duration` seconds or
`--requests` requests, whichever comes first. Nothing is downloaded.
"""

import argparse
import datetime
import hashlib
import hmac
import http.client
import json
import os
import platform
import queue
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
# Bump when what the builder makes changes: a cached database of another version is not used.
BUILD_VERSION = 2
PASSWORD = "bench-Lösenord-2026"
USERS_PER_ROLE = 10
TARGET_P95_MS = 150.0
BUILT_APPS = ("accounts", "partnership", "records", "statistics")


# --- building the database (in a process of its own, with Django) ----------------------------


def build(manifest_path: Path, n_chat: int, n_support: int) -> None:
    """Migrate, build the demo (partnership, realistic records, demo users), import synthetic
    records up to the sizes asked for, and make the benchmark's users with known TOTP keys."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samverkan.accounts.models import Role, User
    from samverkan.demo.services import demo_build
    from samverkan.records.imports import records_import
    from samverkan.records.models import ChatConversation, SupportCentreCase
    from samverkan.statistics.models import MonthlyCount

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from stats import generate  # the import benchmark's generator: same columns as the import

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    demo, created = demo_build(seed=2022)
    print(
        f"demo built: {created['chat_conversations']:,} chat conversations, "
        f"{created['support_centre_cases']:,} support-centre cases",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        chat_csv, support_csv = Path(folder) / "chat.csv", Path(folder) / "support.csv"
        generate(
            chat_csv,
            support_csv,
            max(n_chat - created["chat_conversations"], 0),
            max(n_support - created["support_centre_cases"], 0),
        )
        print(f"demo and CSV files ready after {time.perf_counter() - began:.0f} s", flush=True)
        # Through the import, so the daily and monthly counts are written as in production.
        for kind, path, unit in [
            ("chat", chat_csv, demo.chat),
            ("support-centre", support_csv, demo.support_centre),
        ]:
            imported = time.perf_counter()
            result = records_import(kind=kind, path=path, unit_key=unit.key)
            seconds = time.perf_counter() - imported
            print(
                f"imported {result.rows_added:,} {kind} records in {seconds:.1f} s "
                f"({result.rows_added / seconds:,.0f} rows/s)",
                flush=True,
            )

    # The counts the statistics read must agree with the records.
    for model, unit, prefix in [
        (ChatConversation, demo.chat, "chat.by_concern."),
        (SupportCentreCase, demo.support_centre, "support_centre.by_gender_and_category."),
    ]:
        records = model.objects.filter(unit=unit).count()
        counted = MonthlyCount.objects.filter(unit=unit, metric__startswith=prefix).aggregate(
            n=Sum("n")
        )["n"]
        if records != counted:
            raise SystemExit(f"{model.__name__}: {records} records but counts say {counted}")

    users = []
    for role, unit, prefix in [
        (Role.VOLUNTEER, demo.chat, "volontar"),
        (Role.SUPPORT_CENTRE_OFFICER, demo.support_centre, "stodcentrum"),
        (Role.COORDINATOR, demo.department, "samordnare"),
        (Role.STEERING_MEMBER, demo.department, "styrgrupp"),
    ]:
        for number in range(1, USERS_PER_ROLE + 1):
            user = User(username=f"bench-{prefix}-{number:02d}", role=role, unit=unit)
            user.set_password(PASSWORD)
            user.save()
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            users.append({"username": user.username, "role": str(role), "totp_key": device.key})

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    manifest = {
        "version": BUILD_VERSION,
        "chat": ChatConversation.objects.count(),
        "support": SupportCentreCase.objects.count(),
        "users": users,
        "built_in_seconds": round(time.perf_counter() - began),
        "built_on": datetime.date.today().isoformat(),
    }
    manifest_path.write_text(json.dumps(manifest, indent=1))
    print(
        f"built {manifest['chat']:,} chat conversations and {manifest['support']:,} cases in "
        f"{manifest['built_in_seconds']} s",
        flush=True,
    )


def _run_builder(env: dict, manifest: Path, n_chat: int, n_support: int) -> None:
    subprocess.run(
        [sys.executable, __file__, "build", str(manifest), str(n_chat), str(n_support)],
        env=env,
        cwd=ROOT,
        check=True,
    )


def sqlite_database(args: argparse.Namespace) -> tuple[dict, dict]:
    """The environment of a run on a fresh copy of the cached SQLite database, and its manifest."""
    cached = BENCH_DIR / f"v{BUILD_VERSION}-chat{args.chat}-support{args.support}-{_schema()}"
    if args.rebuild:
        shutil.rmtree(cached, ignore_errors=True)
    if not (cached / "manifest.json").exists():
        partial = cached.with_name(cached.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        env = _env(partial, f"sqlite:///{partial / 'samverkan.sqlite3'}")
        print(f"building the database in {partial} (once; later runs reuse it)", flush=True)
        _run_builder(env, partial / "manifest.json", args.chat, args.support)
        partial.rename(cached)
    run = BENCH_DIR / "run-sqlite"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    shutil.copyfile(cached / "samverkan.sqlite3", run / "samverkan.sqlite3")
    env = _env(run, f"sqlite:///{run / 'samverkan.sqlite3'}")
    subprocess.run(
        [sys.executable, "-m", "samverkan", "migrate", "--verbosity", "0"],
        env=env,
        cwd=CODE,
        check=True,
    )
    return env, json.loads((cached / "manifest.json").read_text())


def postgresql_database(args: argparse.Namespace) -> tuple[dict, dict]:
    """The server of scripts/with-postgresql is new every run: the first build is kept as a
    pg_dump archive beside the SQLite cache and restored into the new server next time."""
    run = BENCH_DIR / "run-postgresql"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    url = os.environ["DATABASE_URL"]
    env = _env(run, url)
    cached = BENCH_DIR / f"v{BUILD_VERSION}-chat{args.chat}-support{args.support}-{_schema()}-pg"
    pg_bin = Path(os.environ.get("PG_BIN") or sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
    if args.rebuild:
        shutil.rmtree(cached, ignore_errors=True)
    if (cached / "manifest.json").exists():
        print(f"restoring the database from {cached}", flush=True)
        began = time.perf_counter()
        subprocess.run(
            [
                pg_bin / "pg_restore",
                "--no-owner",
                "--jobs",
                "2",
                "--dbname",
                url,
                cached / "database.dump",
            ],
            check=True,
        )
        print(f"restored in {time.perf_counter() - began:.0f} s", flush=True)
    else:
        partial = cached.with_name(cached.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        print("building the database on PostgreSQL (once; later runs restore it)", flush=True)
        _run_builder(env, partial / "manifest.json", args.chat, args.support)
        subprocess.run(
            [pg_bin / "pg_dump", "--format", "custom", "--file", partial / "database.dump", url],
            check=True,
        )
        partial.rename(cached)
    subprocess.run(
        [sys.executable, "-m", "samverkan", "migrate", "--verbosity", "0"],
        env=env,
        cwd=CODE,
        check=True,
    )
    # As after any bulk load: the planner's statistics (autovacuum would make them later).
    subprocess.run([pg_bin / "vacuumdb", "--analyze-only", "--dbname", url], check=True)
    return env, json.loads((cached / "manifest.json").read_text())


def _schema() -> str:
    """A digest of the migrations of the apps whose tables hold the built records, users and
    counts: a database built on other migrations of theirs is rebuilt. Other apps' migrations
    are applied to each run's copy instead (a new app does not cost a rebuild)."""
    digest = hashlib.sha256()
    for path in sorted(
        path
        for app in BUILT_APPS
        for path in (ROOT / "samverkan" / app / "migrations").glob("*.py")
    ):
        digest.update(path.relative_to(ROOT).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:12]


CODE = ROOT
"""Whose code the server runs (`--code`); the benchmark itself and the database are this one's."""


def _env(var_dir: Path, database_url: str) -> dict:
    extra = {"PYTHONPATH": str(CODE)} if CODE != ROOT else {}
    return {
        **os.environ,
        **extra,
        "SAMVERKAN_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS", "samverkan.settings"),
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
    }


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_command(args: argparse.Namespace, port: int) -> tuple[list[str], dict]:
    """The production configuration (samverkan/production/gunicorn_conf.py, docs/deploy.md):
    ASGI, uvicorn workers with Django's pages in each worker's thread pool; or, for WSGI, the
    same configuration (no access log, log level, keep-alive, the garbage collector's settings
    in each worker) with gunicorn's threaded workers in place of uvicorn's."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "-c", "python:samverkan.production.gunicorn_conf"]
    env = {"SAMVERKAN_BIND": f"127.0.0.1:{port}", "SAMVERKAN_WORKERS": str(args.workers)}
    if args.server == "asgi":
        return [*command, "samverkan.asgi:application"], env
    # Options on the command line take precedence over the configuration file's.
    return [
        *command,
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "samverkan.wsgi:application",
    ], env


def start_server(
    env: dict, port: int, args: argparse.Namespace, code: Path | None = None
) -> subprocess.Popen:
    command, more_env = server_command(args, port)
    if args.nice:
        command = ["nice", "-n", str(args.nice), *command]
    code = code or CODE
    if code != ROOT:
        more_env["PYTHONPATH"] = str(code)
    else:
        env = {key: value for key, value in env.items() if key != "PYTHONPATH"}
    server = subprocess.Popen(command, env=env | more_env, cwd=code, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped with code {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/konto/logga-in/")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _server_pids(server: subprocess.Popen) -> set[int]:
    """gunicorn's master and its workers."""
    pids = {server.pid}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server.pid:
            pids.add(int(stat.parent.name))
    return pids


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time used so far by gunicorn's master and its workers: divided by the requests, what a
    request costs the server, whatever else the machine is doing.

    Read in nanoseconds from each thread's /proc/PID/task/TID/schedstat (the time it ran, user
    and system), summed over the threads alive now: gunicorn's and uvicorn's threads live as
    long as their worker, so none of the time is lost between two readings. /proc/PID/stat's
    utime and stime count in clock ticks (10 ms), too coarse for a request of about 10 ms; they
    are used where schedstat is missing (a kernel without CONFIG_SCHED_INFO)."""
    nanoseconds, ticks = 0, 0
    for pid in _server_pids(server):
        try:
            nanoseconds += sum(
                int((task / "schedstat").read_text().split()[0])
                for task in Path(f"/proc/{pid}/task").iterdir()
            )
        except (OSError, ValueError, IndexError):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return nanoseconds / 1e9 + ticks / os.sysconf("SC_CLK_TCK")


# --- the simulated users ------------------------------------------------------------------------


def totp(key_hex: str, at: float, step: int = 30, digits: int = 6) -> str:
    """RFC 6238, as django-otp's TOTPDevice computes it with its defaults."""
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", int(at) // step), "sha1").digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 10**digits:0{digits}d}"


class Browser:
    """One user's keep-alive connection and cookie jar, as a browser keeps them: HTTP/1.1, one
    connection reused for request after request (`connections` counts those opened, so a server
    that closes them shows)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.connections = 0
        self.requests = 0

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Host": "127.0.0.1", "Accept-Language": "sv"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        self.requests += 1
        # http.client opens a connection anew when the last one was closed (by either side).
        self.connections += self.connection.sock is None
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode()
        except (http.client.HTTPException, OSError):
            # A dropped keep-alive connection: open a new one and try once more.
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.connections += 1
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), text

    def sign_in(self, username: str, key_hex: str) -> None:
        """The real pages: the sign-in form, then the second factor."""
        status, _, page = self.request("GET", "/konto/logga-in/")
        status, location, _ = self.request(
            "POST",
            "/konto/logga-in/",
            {"csrfmiddlewaretoken": _csrf(page), "username": username, "password": PASSWORD},
        )
        if status != 302:
            raise RuntimeError(f"{username}: sign-in answered {status}")
        status, _, page = self.request("GET", "/konto/tvastegsverifiering/")
        status, location, _ = self.request(
            "POST",
            "/konto/tvastegsverifiering/",
            {"csrfmiddlewaretoken": _csrf(page), "code": totp(key_hex, time.time())},
        )
        if status != 302 or "tvastegsverifiering" in location:
            raise RuntimeError(f"{username}: the second factor answered {status} {location}")


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def _month(rng: random.Random) -> dict[str, str]:
    first = datetime.date(rng.choice((2021, 2022)), rng.randrange(1, 13), 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return {"date_from": first.isoformat(), "date_to": last.isoformat()}


def _year(rng: random.Random) -> str:
    year = rng.choice((2021, 2022))
    return urlencode({"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"})


def _ref_start(rng: random.Random, letter: str, count: int) -> str:
    """The start of a generated reference, 2 characters to all of it: "c1" matches 111,111
    conversations, "c123456" one."""
    ref = f"{letter}{rng.randrange(count)}"
    return ref[: rng.randrange(2, len(ref) + 1)]


# Each role's pages: (label, function of a random generator giving the path).
PAGES = {
    "volunteer": [
        ("chat list", lambda rng: "/registrering/chattsamtal/"),
        (
            "chat list, pages 2-20",
            lambda rng: f"/registrering/chattsamtal/?sida={rng.randrange(2, 21)}",
        ),
        (
            "chat list, filtered (month, concern, resident)",
            lambda rng: (
                "/registrering/chattsamtal/?"
                + urlencode(
                    {
                        **_month(rng),
                        "concern": rng.choice(("victim", "perpetrator", "friend")),
                        "resident": "yes",
                    }
                )
            ),
        ),
        (
            "chat list, reference search",
            lambda rng: f"/registrering/chattsamtal/?ref={_ref_start(rng, 'c', 1_000_000)}",
        ),
    ],
    "support-centre-officer": [
        ("case list", lambda rng: "/registrering/arenden/"),
        (
            "case list, pages 2-20",
            lambda rng: f"/registrering/arenden/?sida={rng.randrange(2, 21)}",
        ),
        (
            "case list, filtered (month, category, gender)",
            lambda rng: (
                "/registrering/arenden/?"
                + urlencode(
                    {
                        **_month(rng),
                        "category": rng.choice(("victim", "witness", "suspect-mediation")),
                        "gender": rng.choice(("girl", "boy")),
                    }
                )
            ),
        ),
        (
            "case list, reference search",
            lambda rng: f"/registrering/arenden/?ref={_ref_start(rng, 's', 200_000)}",
        ),
    ],
    "coordinator": [("dashboard (a year)", lambda rng: f"/oversikt/?{_year(rng)}")],
    # The public level (statistics.release): the same year, as released month by month.
    "steering-member": [
        ("dashboard, public level (a year)", lambda rng: f"/oversikt/?{_year(rng)}")
    ],
}


@dataclass
class Sample:
    page: str
    seconds: float
    ok: bool


@dataclass
class User:
    username: str
    role: str
    key: str
    browser: Browser
    samples: list[Sample] = field(default_factory=list)
    failure: str = ""


def user_loop(user: User, seed: int, warmup: int, limit: int, think: float) -> None:
    rng = random.Random(seed)
    pages = PAGES[user.role]
    try:
        for turn in range(warmup * len(pages)):
            user.browser.request("GET", pages[turn % len(pages)][1](rng))
        start_barrier.wait()
        # Start at a different page per user, then in turn, so every page gets its share.
        turn = seed
        while len(user.samples) < limit and time.monotonic() < deadline:
            label, path_of = pages[turn % len(pages)]
            turn += 1
            path = path_of(rng)
            began = time.perf_counter()
            status, _, _ = user.browser.request("GET", path)
            seconds = time.perf_counter() - began
            user.samples.append(Sample(label, seconds, status == 200))
            if think:
                time.sleep(rng.uniform(0.5, 1.5) * think)
    except Exception as error:  # noqa: BLE001 - reported with the results, not raised
        user.failure = f"{type(error).__name__}: {error}"
        if not start_barrier.broken:
            start_barrier.abort()


start_barrier: threading.Barrier
# Set by main once every user has warmed up; until then the loops have no end.
deadline = float("inf")


def has_dashboard(port: int) -> bool:
    """Whether the lead's dashboard exists yet: a 404 for an anonymous user means it does not
    (an existing page sends an anonymous user to sign in)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/oversikt/")
    status = connection.getresponse().status
    connection.close()
    return status != 404


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def per_page_cpu(
    sides: list[tuple[subprocess.Popen, list[User]]], requests: int, rounds: int = 5
) -> list[dict[str, float]]:
    """Server CPU milliseconds per request of each page, from requests one at a time by one user
    of its role: unlike latency, hardly changed by whatever else runs on the machine.

    The requests are made in `rounds` rounds, each of every page in turn, and a page's figure is
    the median of its rounds: work elsewhere on a shared machine (the other core's hyperthread,
    a neighbour's burst) slows a round of every page alike, and a burst spoils one round of each
    page rather than one page's figure. With two servers (`--against`), each round of a page is
    made on one and then on the other, so that both are measured under the same conditions."""
    per_round = max(1, requests // max(1, rounds))
    visits = []
    for role, pages in PAGES.items():
        for label, path_of in pages:
            side_users = []
            for server, users in sides:
                user = next((u for u in users if u.role == role and not u.failure), None)
                side_users.append((server, user))
            if requests and all(user is not None for _server, user in side_users):
                visits.append((label, path_of, side_users))
    figures: list[dict[str, list[float]]] = [{} for _side in sides]
    for _label, path_of, side_users in visits:
        for _server, user in side_users:
            warm = random.Random(0)
            for _ in range(3):  # not counted: the first in a thread may load templates
                user.browser.request("GET", path_of(warm))
    for number in range(rounds):
        for label, path_of, side_users in visits:
            for side, (server, user) in enumerate(side_users):
                rng = random.Random(number)  # the same paths on each side
                before = server_cpu_seconds(server)
                for _ in range(per_round):
                    user.browser.request("GET", path_of(rng))
                spent = server_cpu_seconds(server) - before
                figures[side].setdefault(label, []).append(spent * 1000 / per_round)
    return [
        {label: statistics.median(values) for label, values in side.items()} for side in figures
    ]


@dataclass
class Step:
    rate: float  # offered, requests a second
    seconds: float = 0.0  # of arrivals
    drained: float = 0.0  # seconds after the last arrival until every request was answered
    latencies: list[float] = field(default_factory=list)  # ms, from the moment it was due
    errors: int = 0
    server_cpu: float = 0.0  # seconds

    @property
    def served(self) -> float:
        """Requests a second that arrived, and were all answered, in the step."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95) if self.latencies else float("inf")


def capacity(
    server: subprocess.Popen, users: list[User], args: argparse.Namespace
) -> tuple[float, list[Step]]:
    """The highest rate of requests the server answers with p95 under 150 ms, per core.

    Requests arrive at random (exponential gaps) at a given rate, whether or not earlier ones
    have been answered (an open loop: a slow server does not slow the arrivals down). Each is a
    page of a role, in proportion to the signed-in users of each role, and is sent by the next
    free user of that role; its time runs from the moment it was due, so waiting for a free
    user or for the server counts. The rate rises by a quarter each step until p95 reaches
    150 ms (or there are errors, or a queue is left 2 s after the arrivals stop). The figure is
    the rate of requests that arrived, and were answered, in the best step under 150 ms.
    """
    by_role: dict[str, list[User]] = {}
    for user in users:
        if not user.failure:
            by_role.setdefault(user.role, []).append(user)
    roles = sorted(by_role)
    weights = [len(by_role[role]) for role in roles]
    queues: dict[str, queue.Queue] = {role: queue.Queue() for role in roles}
    lock = threading.Lock()

    def serve(user: User) -> None:
        while True:
            item = queues[user.role].get()
            if item is None:
                return
            step, due, path = item
            try:
                status, _, _ = user.browser.request("GET", path)
            except (http.client.HTTPException, OSError):
                status = 0
            took = (time.perf_counter() - due) * 1000
            with lock:
                step.latencies.append(took)
                step.errors += status != 200
            queues[user.role].task_done()

    workers = [threading.Thread(target=serve, args=(user,), daemon=True) for user in users]
    for worker in workers:
        worker.start()
    rng = random.Random(1)
    turns = dict.fromkeys(roles, 0)
    steps = []
    rate = args.capacity_start
    try:
        for _ in range(args.capacity_steps):
            step = Step(rate)
            cpu_before = server_cpu_seconds(server)
            began = time.perf_counter()
            due = began
            while True:
                due += rng.expovariate(rate)
                if due >= began + args.capacity_seconds:
                    break
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                role = rng.choices(roles, weights)[0]
                label, path_of = PAGES[role][turns[role] % len(PAGES[role])]
                turns[role] += 1
                queues[role].put((step, due, path_of(rng)))
            step.seconds = args.capacity_seconds
            for role_queue in queues.values():
                role_queue.join()
            step.drained = max(0.0, time.perf_counter() - began - args.capacity_seconds)
            step.server_cpu = server_cpu_seconds(server) - cpu_before
            steps.append(step)
            print(
                f"  offered {rate:6.1f}/s, served {step.served:6.1f}/s, p50 "
                f"{statistics.median(step.latencies):6.1f} ms, p95 {step.p95:7.1f} ms, "
                f"errors {step.errors}, server {step.server_cpu / (step.seconds + step.drained):.2f} cores, "
                f"{step.server_cpu * 1000 / max(len(step.latencies), 1):.1f} ms CPU a request",
                flush=True,
            )
            # Past the target, or the server fell behind the arrivals (a queue left at the end).
            if step.p95 >= TARGET_P95_MS or step.errors or step.drained > 2:
                break
            rate *= 1.25
    finally:
        for role in roles:
            for _ in by_role[role]:
                queues[role].put(None)
        for worker in workers:
            worker.join(60)
    good = [step.served for step in steps if step.p95 < TARGET_P95_MS and not step.errors]
    return (max(good) if good else 0.0) / (os.cpu_count() or 1), steps


def report(users: list[User], seconds: float, cpu: dict[str, float]) -> list[dict]:
    by_page: dict[str, list[Sample]] = {}
    for user in users:
        for sample in user.samples:
            by_page.setdefault(sample.page, []).append(sample)
    rows = []
    order = [label for role in PAGES.values() for label, _path in role]
    for page, samples in sorted(by_page.items(), key=lambda item: order.index(item[0])):
        times = [sample.seconds * 1000 for sample in samples]
        rows.append(
            {
                "page": page,
                "requests": len(samples),
                "p50": statistics.median(times),
                "p95": percentile(times, 0.95),
                "max": max(times),
                "errors": sum(not sample.ok for sample in samples),
                "server_cpu": cpu.get(page),
            }
        )
    everything = [s.seconds * 1000 for user in users for s in user.samples]
    rows.append(
        {
            "page": "all pages",
            "requests": len(everything),
            "p50": statistics.median(everything),
            "p95": percentile(everything, 0.95),
            "max": max(everything),
            "errors": sum(row["errors"] for row in rows),
            "server_cpu": None,
        }
    )
    width = max(len(row["page"]) for row in rows)
    print(
        f"\n{'page':<{width}}  requests   p50 ms   p95 ms   max ms  errors  p95 < 150 ms"
        "  server CPU ms"
    )
    for row in rows:
        verdict = "yes" if row["p95"] < TARGET_P95_MS else "NO"
        cpu_ms = f"{row['server_cpu']:.2f}" if row["server_cpu"] is not None else ""
        print(
            f"{row['page']:<{width}}  {row['requests']:>8}  {row['p50']:>7.1f}  {row['p95']:>7.1f}"
            f"  {row['max']:>7.1f}  {row['errors']:>6}  {verdict:>12}  {cpu_ms:>13}"
        )
    print(f"throughput: {len(everything) / seconds:.0f} requests/s over {seconds:.1f} s")
    return rows


def _postgresql_servers(database_url: str) -> list[int]:
    """The PostgreSQL server listening on the URL's port (scripts/with-postgresql starts it with
    `-p PORT`), whose session holds its backends."""
    port = database_url.rsplit(":", 1)[1].split("/")[0]
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if words and words[0].endswith("postgres") and "-p" in words and port in words:
            found.append(int(cmdline.parent.name))
    return found


def _commit(code: Path) -> str:
    """The commit of a checkout, if it is one (an exported copy is not)."""
    found = subprocess.run(
        ["git", "-C", str(code), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode or Path(found.stdout.strip()).exists():
        return ""
    inside = subprocess.run(
        ["git", "-C", str(code), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return found.stdout.strip() if inside and Path(inside).resolve() == code.resolve() else ""


def _server_label(args: argparse.Namespace) -> str:
    if args.server == "asgi":
        return f"{args.workers} uvicorn workers (ASGI, the production configuration)"
    return f"{args.workers} workers x {args.threads} threads (gthread, WSGI)"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "build":
        build(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chat", type=int, default=1_000_000)
    parser.add_argument("--support", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument(
        "--duration",
        type=float,
        default=60,
        help="Seconds of measurement (0: none, only each page's server CPU and the capacity).",
    )
    parser.add_argument("--requests", type=int, default=3000, help="At most, per user.")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="Mean pause between a user's requests, seconds (uniform 0.5-1.5 times it); 0: none.",
    )
    parser.add_argument(
        "--server",
        choices=["wsgi", "asgi"],
        default="wsgi",
        help="wsgi: gunicorn's threaded workers (gthread); asgi: the production configuration "
        "(samverkan/production/gunicorn_conf.py, uvicorn workers).",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
    parser.add_argument("--threads", type=int, default=4, help="Threads per WSGI worker.")
    parser.add_argument(
        "--cpu-requests",
        type=int,
        default=100,
        help="After the load, requests of each page one at a time to measure its server CPU, "
        "in 5 rounds (the median of the rounds: 100 give a figure stable to about 0.2 ms).",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="Run the server and the users at this niceness, for their sessions' autogroups too "
        "(e.g. -20, as root), so that other work on a shared machine takes less of their CPU: "
        "closer to a server of its own.",
    )
    parser.add_argument(
        "--capacity-steps",
        type=int,
        default=12,
        help="At most this many rising rates for the capacity figure (0: no capacity figure).",
    )
    parser.add_argument(
        "--capacity-start", type=float, default=10, help="The first rate, requests a second."
    )
    parser.add_argument(
        "--capacity-seconds", type=float, default=15, help="How long each rate is offered."
    )
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        help="Serve the application from this copy of the code (default: this checkout).",
    )
    parser.add_argument(
        "--against",
        type=Path,
        help="Also serve this copy of the code, on the same database, and measure each page's "
        "server CPU on both, round by round in turn (side by side under the same conditions).",
    )
    parser.add_argument("--rebuild", action="store_true", help="Build the database anew.")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args()
    if args.users > USERS_PER_ROLE * len(PAGES):
        parser.error(f"at most {USERS_PER_ROLE * len(PAGES)} users")
    global CODE
    CODE = args.code.resolve()
    against = args.against.resolve() if args.against else None
    for code in filter(None, (CODE, against)):
        if not (code / "samverkan" / "settings.py").exists():
            parser.error(f"{code} holds no samverkan/settings.py")

    database_url = os.environ.get("DATABASE_URL", "")
    postgresql = database_url.startswith(("postgres://", "postgresql://"))
    env, manifest = postgresql_database(args) if postgresql else sqlite_database(args)
    port = free_port()
    server = start_server(env, port, args)
    own_group = Path("/proc/self/autogroup")
    group_before = own_group.read_text().split()[-1] if own_group.exists() else None
    if args.nice:
        os.nice(args.nice)
        # With the kernel's autogroups, niceness only counts within a session: the server's
        # session (and this one, the users') get the niceness as a whole.
        groups = [Path(f"/proc/{server.pid}/autogroup"), own_group]
        if postgresql:
            groups += [Path(f"/proc/{pid}/autogroup") for pid in _postgresql_servers(database_url)]
        for group in groups:
            if group.exists():
                group.write_text(str(args.nice))
    server_b = None
    try:
        roles = ["volunteer", "support-centre-officer"]
        if has_dashboard(port):
            roles += ["coordinator", "steering-member"]
        else:
            print("the dashboard (/oversikt/) does not exist yet: measuring the record lists only")
        accounts = {role: [u for u in manifest["users"] if u["role"] == role] for role in roles}
        users = []
        for number in range(args.users):
            account = accounts[roles[number % len(roles)]][number // len(roles)]
            users.append(
                User(account["username"], account["role"], account["totp_key"], Browser(port))
            )
        for user in users:
            user.browser.sign_in(user.username, user.key)
        global start_barrier
        start_barrier = threading.Barrier(len(users) + 1)
        threads = []
        for number, user in enumerate(users):
            thread = threading.Thread(
                target=user_loop,
                args=(user, number, 2, args.requests, args.think),
                daemon=True,
            )
            threads.append(thread)
        # The clock starts once every user has warmed up (first template loads, page cache).
        for thread in threads:
            thread.start()
        global deadline
        try:
            start_barrier.wait()
        except threading.BrokenBarrierError:
            pass
        began = time.monotonic()
        cpu_began = server_cpu_seconds(server)
        deadline = began + args.duration
        for thread in threads:
            thread.join(args.duration + 120)
        seconds = time.monotonic() - began
        server_cpu = server_cpu_seconds(server) - cpu_began
        sides = [(server, users)]
        if against:
            # The other code's server on the same database, with other accounts (a TOTP code
            # is accepted once), one user per role: only each page's server CPU.
            port_b = free_port()
            server_b = start_server(env, port_b, args, code=against)
            users_b = [
                User(account["username"], role, account["totp_key"], Browser(port_b))
                for role, role_accounts in accounts.items()
                for account in role_accounts[-1:]
            ]
            for user in users_b:
                user.browser.sign_in(user.username, user.key)
            sides.append((server_b, users_b))
        try:
            cpu, *cpu_against = per_page_cpu(sides, args.cpu_requests)
        finally:
            if server_b is not None:
                stop_server(server_b)
        per_core, steps = 0.0, []
        if args.capacity_steps:
            print("\ncapacity (open loop, rising rates):", flush=True)
            per_core, steps = capacity(server, users, args)
    finally:
        stop_server(server)
        if args.nice and group_before is not None:
            own_group.write_text(group_before)
    failures = [f"{user.username}: {user.failure}" for user in users if user.failure]
    engine = "PostgreSQL" if postgresql else f"SQLite {sqlite3.sqlite_version}"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\n# {datetime.date.today()} on {platform.node()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {engine}, {platform.platform()}"
    )
    print(
        f"{manifest['chat']:,} chat conversations, {manifest['support']:,} support-centre cases; "
        f"{len(users)} users ({', '.join(sorted({u.role for u in users}))}), think time "
        f"{args.think:g} s; gunicorn {_server_label(args)}; niceness {args.nice}; "
        f"load average at the end {load} (other work on the machine shows here)"
    )
    if failures:
        print("\n".join(failures))
    if args.duration > 0:
        if not any(user.samples for user in users):
            raise SystemExit("no request was measured")
        rows = report(users, seconds, cpu)
        measured = sum(len(user.samples) for user in users)
        print(
            f"server CPU: {server_cpu * 1000 / measured:.1f} ms a request on average "
            f"({server_cpu / seconds:.2f} of {os.cpu_count()} cores busy)"
        )
    else:  # --duration 0: the server CPU of each page alone
        rows = [{"page": page, "server_cpu": ms} for page, ms in cpu.items()]
        if cpu and not cpu_against:  # none with --cpu-requests 0
            width = max(len(page) for page in cpu)
            print(f"\n{'page':<{width}}  server CPU ms")
            for page, ms in cpu.items():
                print(f"{page:<{width}}  {ms:>13.2f}")
    if cpu_against:
        other = cpu_against[0]
        width = max(len(page) for page in cpu)
        print(
            f"\nserver CPU ms a request, side by side ({args.cpu_requests} requests of each page "
            "on each, median of 5 rounds)"
        )
        print(f"{'page':<{width}}  {'--code':>8}  {'--against':>9}  code / against")
        for page, ms in cpu.items():
            print(f"{page:<{width}}  {ms:>8.2f}  {other[page]:>9.2f}  {ms / other[page]:>14.2f}")
        lists = [page for page in cpu if "list" in page]
        mine, theirs = (statistics.mean(side[p] for p in lists) for side in (cpu, other))
        print(f"{'the lists, mean':<{width}}  {mine:>8.2f}  {theirs:>9.2f}  {mine / theirs:>14.2f}")
        print(f"against: {against}" + (f" ({_commit(against)})" if _commit(against) else ""))
    opened = sum(user.browser.connections for user in users)
    sent = sum(user.browser.requests for user in users)
    print(
        f"connections: {opened} opened for {sent} requests by {len(users)} users (kept alive "
        "between requests, as a browser keeps them)"
    )
    if steps:
        print(
            f"capacity: {per_core:.1f} requests/s per core with p95 under {TARGET_P95_MS:.0f} ms "
            f"({per_core * (os.cpu_count() or 1):.1f}/s on {os.cpu_count()} cores; the mix of "
            f"pages above, in proportion to the users of each role)"
        )
    print(f"code served: {CODE}" + (f" ({_commit(CODE)})" if _commit(CODE) else ""))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "rows": rows,
                    "capacity_per_core": per_core,
                    "server_cpu_against": cpu_against[0] if cpu_against else None,
                    "capacity_steps": [
                        {
                            "offered": step.rate,
                            "served": step.served,
                            "p95": step.p95,
                            "errors": step.errors,
                            "server_cores": step.server_cpu / (step.seconds + step.drained),
                        }
                        for step in steps
                    ],
                    "args": {k: str(v) for k, v in vars(args).items()},
                }
            )
        )
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
