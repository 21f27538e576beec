"""gunicorn's configuration for production (docs/deploy.md):

    gunicorn -c python:samverkan.production.gunicorn_conf samverkan.asgi:application

gunicorn is the process manager (it restarts a worker that dies, reloads on SIGHUP, replaces
workers one by one); each worker is uvicorn's ASGI server with its event loop, serving pages
and the chat's WebSockets. Settings come from the environment like the application's.
"""

import gc
import os

bind = [
    address.strip()
    for address in os.environ.get("SAMVERKAN_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]
# Two per core is plenty: a worker's event loop holds thousands of chat sockets; pages run in
# Django's thread pool within it.
workers = int(os.environ.get("SAMVERKAN_WORKERS", str(2 * (os.cpu_count() or 1))))
worker_class = "uvicorn_worker.UvicornWorker"
# No access log at all: the chat keeps no trace of its traffic (nginx logs the staff pages).
accesslog = None
# uvicorn names each client's address at info level ("WebSocket /ws/chatt/ [accepted]").
loglevel = os.environ.get("SAMVERKAN_SERVER_LOG_LEVEL", "warning")
# A worker that does not report for this long is restarted; a graceful stop (upgrade) lets
# open pages finish, and the chat's sockets reconnect to the new workers.
timeout = 30
graceful_timeout = 20
keepalive = 5
# Only nginx on this machine may say who the client is (X-Forwarded-For, used for the chat's
# rate limit as a daily-salted hash and never stored) and that the request came over TLS.
forwarded_allow_ips = os.environ.get("SAMVERKAN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


# The garbage collector's generation thresholds in a worker (Python's default: 700, 10, 10).
# SAMVERKAN_GC_TUNING=0 leaves Python's defaults (and nothing frozen), to compare or if a
# worker's memory grows.
GC_THRESHOLDS = (50_000, 20, 100)
gc_tuning = os.environ.get("SAMVERKAN_GC_TUNING", "1") != "0"


def post_worker_init(worker) -> None:  # noqa: ANN001 (gunicorn's hook)
    """Keep the garbage collector from stopping the event loop.

    Python's collector stops everything while it walks the objects it tracks, and a full
    collection walks all of them. A worker holds the whole of Django and the application, and
    with a thousand chat sockets open a full collection stopped the event loop for 50-290 ms
    (one worker) and 0.5-1 s (two workers with Redis, whose sockets and readers hold many more
    objects): every message in flight waited. Measured in benchmarks/RESULTS.md (the chat):

    - the objects loaded before serving live as long as the worker: they are moved to the
      permanent generation (`gc.freeze`), which collections skip;
    - Python starts a full collection when the objects promoted since the last one exceed a
      quarter of those that survived it. With the application frozen, only the sockets' objects
      count there, and the short-lived objects of each message (which reference counting frees
      anyway) kept promoting: a full collection every few seconds. A larger first generation
      lets them die before any collection sees them, and full collections are considered only
      after 100 of the second generation's instead of 10.

    Unreachable cycles are still collected, later; memory is reported with the benchmark.
    """
    if not gc_tuning:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
