"""The overview's server CPU a request, in process, through Django's WSGI handler.

    .venv/bin/python benchmarks/overview_cpu.py                    # this checkout
    .venv/bin/python benchmarks/overview_cpu.py --code var/before  # another checkout's code
    .venv/bin/python benchmarks/overview_cpu.py --profile coordinator

A copy of benchmarks/web.py's database (var/bench/v2-*, built by it) is made under var/ once;
each reader (the coordinator: internal level; a steering-group member: public level) is signed
in, then its overview of a year (2021 and 2022 alternately, as web.py asks) is requested through
`django.core.handlers.wsgi.WSGIHandler` — request_started and request_finished fire, so the
database connection is opened and closed per request as under gunicorn, which Django's test
client does not do. Printed: process CPU per request, the best of several rounds, and the
number of queries a request. With `--miss`, the overview's cache (dashboard.cache) is emptied
before every request, so that it never answers: the cost of the first request after a write.
"""

import argparse
import io
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEARS = [
    "date_from=2021-01-01&date_to=2021-12-31",
    "date_from=2022-01-01&date_to=2022-12-31",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", default=str(ROOT), help="The checkout whose code is served.")
    parser.add_argument("--n", type=int, default=20, help="Requests a round.")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", default="overview-cpu", help="The copy's directory under var/.")
    parser.add_argument("--fresh", action="store_true", help="Copy the database anew.")
    parser.add_argument("--profile", default="", help="Profile this reader's requests instead.")
    parser.add_argument(
        "--miss",
        action="store_true",
        help="Move the data revision before every request (statistics.revision), as a write "
        "would: every request computes its figures, none is answered from the cache.",
    )
    args = parser.parse_args()

    bench = next((ROOT / "var/bench").glob("v2-*"))
    run = ROOT / "var" / args.db
    if args.fresh or not (run / "samverkan.sqlite3").exists():
        shutil.rmtree(run, ignore_errors=True)
        run.mkdir(parents=True)
        shutil.copyfile(bench / "samverkan.sqlite3", run / "samverkan.sqlite3")
        shutil.copyfile(bench / "secret_key", run / "secret_key")
    os.environ.update(
        SAMVERKAN_VAR_DIR=str(run),
        DATABASE_URL=f"sqlite:///{run / 'samverkan.sqlite3'}",
        DJANGO_SETTINGS_MODULE="samverkan.settings",
        DEBUG="false",
        LOG_LEVEL="CRITICAL",
        ALLOWED_HOSTS="testserver",
    )
    code = str(Path(args.code).resolve())
    sys.path.insert(0, code)
    import django

    django.setup()
    import samverkan

    assert samverkan.__file__.startswith(code), samverkan.__file__
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from samverkan.accounts.models import Role, User
    from samverkan.conftest import sign_in

    readers = {
        "coordinator": User.objects.filter(role=Role.COORDINATOR).order_by("username").first(),
        "steering": User.objects.filter(role=Role.STEERING_MEMBER).order_by("username").first(),
    }
    cookies = {}
    for name, user in readers.items():
        client = Client()
        sign_in(client, user)
        cookies[name] = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    connection.close()
    handler = WSGIHandler()

    from django.core.cache import cache

    def forget() -> None:
        # The overview's entries only (dashboard.cache), from this process's memory cache: the
        # drawn charts' entries stay, as they would after a write. No write here, which would
        # cost SQLite more than the page (its pages read again after the WAL moved).
        for key in [key for key in cache._cache if ":overview:" in key]:
            cache.delete(key.split(":", 2)[2])

    def get(name: str, query: str) -> int:
        if args.miss:
            forget()
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/oversikt/",
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "testserver",
            "HTTP_COOKIE": cookies[name],
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
        body = handler(environ, lambda s, h, *a: status.append(s))
        try:
            b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        return int(status[0].split()[0])

    for name in readers:  # warm-up (and the public level's releases)
        for query in YEARS * 2:
            assert get(name, query) == 200, (name, query)
    counts = {}
    for name in readers:
        with CaptureQueriesContext(connection) as queries:
            get(name, YEARS[0])
        counts[name] = len(queries)

    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        for i in range(args.n):
            get(args.profile, YEARS[i % 2])
        profile.disable()
        profile.dump_stats(str(ROOT / "var" / f"{args.profile}.prof"))
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(80)
        stats.sort_stats("tottime").print_stats(40)
        return 0

    best = {}
    for _ in range(args.rounds):
        for name in readers:
            began = time.process_time()
            for i in range(args.n):
                get(name, YEARS[i % 2])
            ms = (time.process_time() - began) * 1000 / args.n
            best[name] = min(best.get(name, ms), ms)
    print(
        f"{Path(code).name or code}{' (miss)' if args.miss else ''}: "
        + ", ".join(f"{k} {best[k]:.1f} ms ({counts[k]} queries)" for k in readers)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
