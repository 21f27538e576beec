"""gunicorn's configuration for production (docs/deploy.md):

    gunicorn -c python:samverkan.production.gunicorn_conf samverkan.asgi:application

gunicorn is the process manager (it restarts a worker that dies, reloads on SIGHUP, replaces
workers one by one); each worker is uvicorn's ASGI server with its event loop, serving pages
and the chat's WebSockets. Settings come from the environment like the application's.
"""

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
