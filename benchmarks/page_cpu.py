"""Each staff page's server CPU a request, in process, through Django's WSGI handler.

    .venv/bin/python benchmarks/page_cpu.py                         # every page of web.py
    .venv/bin/python benchmarks/page_cpu.py --pages list            # the pages whose label has it
    .venv/bin/python benchmarks/page_cpu.py --code var/before       # another checkout's code
    .venv/bin/python benchmarks/page_cpu.py --profile "chat list"   # cProfile of one page
    .venv/bin/python benchmarks/page_cpu.py --pages dashboard --miss    # the overview computed

The pages and their paths are benchmarks/web.py's (`PAGES`), each requested by the first bench user of
its role in web.py's manifest (whose unit holds the million records). A copy of web.py's database
(var/bench/v2-*, built by it) is made under var/ once and migrated. Requests go through
`django.core.handlers.wsgi.WSGIHandler`: request_started and request_finished fire, so the
database connection is opened and closed per request as under gunicorn, which Django's test
client does not do. The garbage collector is set as in a server worker
(`samverkan.core.garbage.collect_less_often`, gunicorn_conf's post_worker_init) after the
warm-up. Printed: process CPU per request, in the handler alone (the median of `--rounds`
rounds, each of every page in turn, so that a burst elsewhere on the machine spoils one round of
each page rather than one page's figure) and the number of queries a request.

With `--miss`, the overview's entries are dropped from the cache (dashboard.cache) before every
request, so that it computes: the cost of the first request after a write (this replaces
overview_cpu.py, which RESULTS.md's entries before 2026-12-04 12:00 name). With
`--other-writer`, another SQLite connection commits a write before every request, as other
workers' requests do under gunicorn: a connection that finds the database changed empties its
page cache, so a page pays for every page of the file it reads (in one process with one
connection, as here otherwise, it does not).
"""

import argparse
import importlib.util
import io
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _web_pages() -> dict:
    spec = importlib.util.spec_from_file_location("bench_web", ROOT / "benchmarks" / "web.py")
    web = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web)
    return web.PAGES


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", default=str(ROOT), help="The checkout whose code is served.")
    parser.add_argument("--pages", default="", help="Only the pages whose label contains this.")
    parser.add_argument("--n", type=int, default=20, help="Requests of a page a round.")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", default="page-cpu", help="The copy's directory under var/.")
    parser.add_argument("--fresh", action="store_true", help="Copy the database anew.")
    parser.add_argument("--profile", default="", help="Profile this page's requests instead.")
    parser.add_argument(
        "--miss",
        action="store_true",
        help="Drop the overview's cache entries before every request, as a write would make "
        "them stale: every overview computes its figures.",
    )
    parser.add_argument(
        "--other-writer",
        action="store_true",
        help="Before every request, commit a write from another SQLite connection, as another "
        "worker's or thread's request does (each list writes its audit entry): the request's "
        "connection then finds the database changed and its page cache emptied.",
    )
    args = parser.parse_args()

    pages = {
        label: (role, path_of)
        for role, role_pages in _web_pages().items()
        for label, path_of in role_pages
        if args.pages in label and (not args.profile or label == args.profile)
    }
    if not pages:
        parser.error("no page matches")
    bench = next((ROOT / "var/bench").glob("v2-*[0-9a-f]"))
    run = ROOT / "var" / args.db
    code = str(Path(args.code).resolve())
    env = {
        "SAMVERKAN_VAR_DIR": str(run),
        "DATABASE_URL": f"sqlite:///{run / 'samverkan.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "samverkan.settings",
        "DEBUG": "false",
        "LOG_LEVEL": "CRITICAL",
        "ALLOWED_HOSTS": "testserver",
    }
    os.environ.update(env)
    if args.fresh or not (run / "samverkan.sqlite3").exists():
        shutil.rmtree(run, ignore_errors=True)
        run.mkdir(parents=True)
        shutil.copyfile(bench / "samverkan.sqlite3", run / "samverkan.sqlite3")
        shutil.copyfile(bench / "secret_key", run / "secret_key")
        subprocess.run(
            [sys.executable, "-m", "samverkan", "migrate", "--verbosity", "0"],
            env=os.environ | {"PYTHONPATH": code},
            cwd=code,
            check=True,
        )
    sys.path.insert(0, code)
    import django

    django.setup()
    import samverkan

    assert samverkan.__file__.startswith(code), samverkan.__file__
    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from samverkan.accounts.models import User
    from samverkan.conftest import sign_in
    from samverkan.core.garbage import collect_less_often

    cookies = {}
    manifest = json.loads((bench / "manifest.json").read_text())
    for role in {role for role, _path_of in pages.values()}:
        client = Client()
        first = next(user for user in manifest["users"] if user["role"] == role)
        sign_in(client, User.objects.get(username=first["username"]))
        cookies[role] = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    connection.close()
    handler = WSGIHandler()

    def forget() -> None:
        # The overview's entries only, from this process's memory cache, as after a write (no
        # write here: it would cost SQLite more than the page, its pages read again after the
        # WAL moved).
        for key in [key for key in cache._cache if ":overview:" in key]:  # noqa: SLF001
            cache.delete(key.split(":", 2)[2])

    other = None
    if args.other_writer:
        other = sqlite3.connect(run / "samverkan.sqlite3", isolation_level=None)
        other.execute("PRAGMA synchronous=NORMAL")  # as the application's (settings.py)
        other.execute("CREATE TABLE IF NOT EXISTS bench_other_writer (n integer)")

    spent = [0.0]  # process CPU seconds in the WSGI handler, since last reset

    def get(label: str, rng: random.Random) -> int:
        role, path_of = pages[label]
        path, _, query = path_of(rng).partition("?")
        if args.miss:
            forget()
        if other is not None:
            other.execute("INSERT INTO bench_other_writer VALUES (1)")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "HTTP_COOKIE": cookies[role],
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        began = time.process_time()  # the request alone: not the other writer's write
        body = handler(environ, lambda s, h, *a: status.append(s))
        try:
            b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        spent[0] += time.process_time() - began
        return int(status[0].split()[0])

    warm = random.Random(0)
    for label in pages:  # warm-up: templates, the public level's releases, the caches
        for _ in range(3):
            assert get(label, warm) == 200, label
    counts = {}
    for label in pages:
        with CaptureQueriesContext(connection) as queries:
            get(label, random.Random(0))
        counts[label] = len(queries)
    collect_less_often()

    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        rng = random.Random(1)
        profile.enable()
        for _ in range(args.n * args.rounds):
            get(args.profile, rng)
        profile.disable()
        profile.dump_stats(str(ROOT / "var" / "page.prof"))
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        return 0

    rounds: dict[str, list[float]] = {label: [] for label in pages}
    for number in range(args.rounds):
        for label in pages:
            rng = random.Random(number)  # the same paths for every checkout
            spent[0] = 0.0
            for _ in range(args.n):
                get(label, rng)
            rounds[label].append(spent[0] * 1000 / args.n)
    how = [what for what, on in (("miss", args.miss), ("other writer", other)) if on]
    print(f"{code}{' (' + ', '.join(how) + ')' if how else ''}:")
    width = max(len(label) for label in pages)
    for label, figures in rounds.items():
        print(
            f"  {label:<{width}}  {statistics.median(figures):6.2f} ms"
            f"  (rounds {min(figures):.2f}-{max(figures):.2f}; {counts[label]} queries)"
        )
    lists = [statistics.median(rounds[label]) for label in pages if "list" in label]
    if lists:
        print(f"  {'the lists, mean':<{width}}  {statistics.mean(lists):6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
