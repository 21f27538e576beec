"""gunicorn's configuration for production (docs/deploy.md):

    gunicorn -c python:samverkan.production.gunicorn_conf samverkan.asgi:application

gunicorn is the process manager (it restarts a worker that dies, reloads on SIGHUP, replaces
workers one by one); each worker is uvicorn's ASGI server with its event loop, serving pages
and the chat's WebSockets. Settings come from the environment like the application's.
"""

import os

from samverkan.core.garbage import collect_less_often

bind = [
    address.strip()
    for address in os.environ.get("SAMVERKAN_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]


def default_workers() -> int:
    """Two per core is plenty: a worker's event loop holds thousands of chat sockets; pages
    run in Django's thread pool within it. Without Redis one only: workers share the chat's
    state and the cache through Redis alone (`samverkan doctor` refuses more)."""
    if not os.environ.get("SAMVERKAN_REDIS_URL"):
        return 1
    return 2 * (os.cpu_count() or 1)


workers = int(os.environ.get("SAMVERKAN_WORKERS") or default_workers())
# uvicorn's worker with the chat's WebSocket message limit, the same as daphne's (1 MiB).
worker_class = "samverkan.chat.worker.UvicornWorker"
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


# SAMVERKAN_GC_TUNING=0 leaves Python's garbage collector as it is (nothing frozen, default
# thresholds), to compare or if a worker's memory grows.
gc_tuning = os.environ.get("SAMVERKAN_GC_TUNING", "1") != "0"


def post_worker_init(worker) -> None:  # noqa: ANN001 (gunicorn's hook)
    """Keep the garbage collector from stopping the event loop (samverkan.core.garbage): with a
    thousand chat sockets open, full collections stopped it for 50 ms to 1 s at a time and every
    message in flight waited (benchmarks/RESULTS.md, the chat)."""
    if gc_tuning:
        collect_less_often()
